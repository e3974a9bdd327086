from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class DefaultCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"

    def decode_cursor(self, request):
        # DRF answers a malformed cursor with 404; it is bad input, so a 400 naming it.
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError(
                {self.cursor_query_param: "Not a cursor from a previous page's next/previous link."}
            ) from exc


class ByIdCursorPagination(DefaultCursorPagination):
    # A unique, never-changing key keeps cursors stable while the objects are renamed.
    ordering = "id"
