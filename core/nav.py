"""The site navigation bar and each app's stylesheets and scripts, from registries.

Core may not import the apps above it, so each app registers what it adds from its
AppConfig.ready()::

    from core import nav

    nav.register_link("oncall-now", "On call", order=20)
    nav.register_link("audit-log", "Audit log", section=nav.ADMIN, perm="teams.view_audit")
    nav.register_item(bell_html, order=10, url_names=("notifications-inbox",))
    nav.register_stylesheet("css/oncall.css")

The bar lists MAIN, then ACCOUNT, then ADMIN entries, each section by `order` (then
registration order), and ends with "Sign out". It is on every page; as template code (fourteen
{% url %} tags, three permission lookups through PermWrapper) it was about a millisecond of each
page's server time. So it is rendered in Python: the URLs are reversed and each link's <li>
built once per URL configuration and script prefix, and a request only picks the entries the
viewer may see and joins them, with every dynamic value escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

MAIN, ACCOUNT, ADMIN = "main", "account", "admin"
SECTIONS = (MAIN, ACCOUNT, ADMIN)

# fn(request, context, urls) -> the escaped HTML of one <li>; `urls` maps each of the item's
# url_names to its escaped URL, and `context` is the page's template context.
ItemRenderer = Callable[..., str]


@dataclass(frozen=True)
class Entry:
    section: str
    order: int
    url_name: str = ""
    label: str = ""
    css: str = ""
    perm: str | None = None  # shown only to people who have this permission
    staff: bool = False  # shown only to staff (the admin site)
    viewer_arg: bool = False  # the URL takes the viewer's id, e.g. "My profile"
    render: ItemRenderer | None = None
    url_names: tuple[str, ...] = ()


_entries: list[Entry] = []
_stylesheets: list[str] = []
_scripts: list[str] = []
_VIEWER_MARKER = 987654321


def register_link(
    url_name: str,
    label: str,
    *,
    section: str = MAIN,
    order: int = 100,
    perm: str | None = None,
    staff: bool = False,
    viewer_arg: bool = False,
) -> None:
    """A link to the URL named `url_name` (reversed once); `perm` or `staff` limit who sees
    it, which also marks it as an admin link."""
    css = "admin-link" if perm or staff else ""
    _add(Entry(section, order, url_name, label, css, perm, staff, viewer_arg))


def register_item(
    render: ItemRenderer, *, section: str = MAIN, order: int = 100, url_names=()
) -> None:
    """An entry rendered per request by `render` (e.g. the inbox bell with its count)."""
    _add(Entry(section, order, render=render, url_names=tuple(url_names)))


def _add(entry: Entry) -> None:
    if entry.section not in SECTIONS:
        raise ValueError(f"Unknown nav section {entry.section!r}; sections: {', '.join(SECTIONS)}.")
    if entry not in _entries:  # ready() can run more than once (tests)
        _entries.append(entry)
        _built.cache_clear()


def entries() -> list[Entry]:
    """Every registered entry in the bar's order."""
    by_section = {section: n for n, section in enumerate(SECTIONS)}
    numbered = sorted(
        enumerate(_entries), key=lambda p: (by_section[p[1].section], p[1].order, p[0])
    )
    return [entry for _n, entry in numbered]


@lru_cache(maxsize=8)
def _built(script_prefix: str, urlconf: str) -> tuple[list[tuple[Entry, str, dict]], str]:
    """Each entry with its prebuilt <li> (links) or its escaped URLs (items), and the sign-out
    URL, for one URL configuration and prefix."""
    built = []
    for entry in entries():
        if entry.render is not None:
            urls = {name: escape(reverse(name)) for name in entry.url_names}
            built.append((entry, "", urls))
            continue
        if entry.viewer_arg:
            url = reverse(entry.url_name, args=[_VIEWER_MARKER])
        else:
            url = reverse(entry.url_name)
        css = f' class="{entry.css}"' if entry.css else ""
        built.append(
            (entry, f'<li{css}><a href="{escape(url)}">{escape(entry.label)}</a></li>', {})
        )
    return built, escape(reverse("account_logout"))


def site_nav_html(request, context: Mapping) -> SafeString:
    """The <nav> of base.html for the signed-in `request.user`; `context` is the page's
    template context (items such as the inbox bell read what context processors put there)."""
    user = request.user
    built, logout_url = _built(get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    items = []
    for entry, html, urls in built:
        if entry.perm is not None and not user.has_perm(entry.perm):
            continue
        if entry.staff and not user.is_staff:
            continue
        if entry.render is not None:
            items.append(entry.render(request, context, urls))
        elif entry.viewer_arg:
            items.append(html.replace(str(_VIEWER_MARKER), str(int(user.pk))))
        else:
            items.append(html)
    items.append(
        f'<li><form method="post" action="{logout_url}" class="inline-form">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        '<button type="submit" class="link-button">Sign out</button></form></li>'
    )
    html = "\n          ".join(items)
    return mark_safe(  # every dynamic value above is escaped or an integer
        f'<nav class="site-nav" aria-label="Main">\n        <ul>\n          {html}\n'
        "        </ul>\n      </nav>"
    )


# --- stylesheets and scripts ---------------------------------------------------------------


def register_stylesheet(path: str) -> None:
    """A stylesheet (a static file path, e.g. "css/oncall.css") every signed-in page loads."""
    if path not in _stylesheets:
        _stylesheets.append(path)


def register_script(path: str) -> None:
    """A script (a static file path) every signed-in page loads, deferred."""
    if path not in _scripts:
        _scripts.append(path)


def stylesheets_html() -> SafeString:
    links = (f'<link rel="stylesheet" href="{escape(static(path))}">' for path in _stylesheets)
    return mark_safe("\n  ".join(links))  # escaped


def scripts_html() -> SafeString:
    tags = (f'<script src="{escape(static(path))}" defer></script>' for path in _scripts)
    return mark_safe("\n  ".join(tags))  # escaped
