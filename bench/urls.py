from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as baton_urlpatterns


def bare(request):
    """The baseline: a Django view returning a small JSON object, behind the same middleware."""
    return JsonResponse({"ok": True, "items": list(range(10))})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *baton_urlpatterns]

from config.urls import handler400, handler403, handler404, handler500  # noqa: E402, F401
