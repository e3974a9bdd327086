"""What every app's HTML pages share: one-button service calls, paged lists with their page
links, and how a person's working state reads on a badge."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def service_action(request: HttpRequest, call: Callable[[], object], success: str) -> bool:
    """Run a service for a one-button form: the message `success`, or the refusal's messages
    (nothing written). Returns whether the service accepted."""
    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def paginate(
    request: HttpRequest, items, per_page: int, query: Callable[..., str]
) -> tuple[Page, dict]:
    """The page of `items` ?page= asks for (a junk number gives the first or last page, never
    an error) and its links for templates/_pages.html: "?" + query(page=n), so that each
    keeps the list's filters."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))

    def url(number: int) -> str:
        return "?" + query(page=number)

    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    links = {
        "numbers": [
            {
                "number": n,
                "url": None if n == Paginator.ELLIPSIS else url(n),
                "current": n == page.number,
            }
            for n in numbers
        ],
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }
    return page, links


def work_badge(status) -> tuple[str, str]:
    """(label, CSS class) of a person's state at a moment (teams' LocalStatus: `working`,
    `probably_asleep`)."""
    if status.working:
        return "Working", "badge-on"
    if status.probably_asleep:
        return "Probably asleep", "badge-asleep"
    return "Off hours", "badge-off"
