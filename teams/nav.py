"""The site navigation bar, rendered in Python.

It is on every page; as template code (fourteen {% url %} tags, three permission lookups
through PermWrapper) it was about a millisecond of each page's server time. The URLs are
reversed once per URL configuration and script prefix; the markup is what base.html used to
produce, with every dynamic value escaped.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

# (URL name, label), in the bar's order; the inbox bell goes after the first one.
_LINKS = (
    ("oncall-now", "On call"),
    ("oncall-schedules", "Schedules"),
    ("oncall-my-shifts", "My shifts"),
    ("people-directory", "People"),
    ("team-list", "Teams"),
)
_ACCOUNT_LINKS = (
    ("api-tokens", "API tokens"),
    ("usersessions_list", "Sessions"),
    ("mfa_index", "Security"),
)
# (permission, URL name, label): shown only to people who have the permission.
_ADMIN_LINKS = (
    ("teams.view_audit", "audit-log", "Audit log"),
    ("teams.import_people", "people-import", "Import"),
    ("teams.change_org_settings", "org-settings", "Org settings"),
)
_NAMES = (
    "dashboard",
    "notifications-inbox",
    "api-notification-list",
    "account_logout",
    "admin:index",
    *(name for name, _ in _LINKS + _ACCOUNT_LINKS),
    *(name for _, name, _ in _ADMIN_LINKS),
)
_PROFILE_MARKER = 987654321


@lru_cache(maxsize=8)
def _urls(script_prefix: str, urlconf: str) -> dict[str, str]:
    """Every URL the bar links to, escaped, for one URL configuration and prefix."""
    urls = {name: escape(reverse(name)) for name in _NAMES}
    urls["person-detail"] = escape(reverse("person-detail", args=[_PROFILE_MARKER]))
    return urls


def _item(url: str, label: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<li{cls}><a href="{url}">{label}</a></li>'


def site_nav_html(request, *, bell: dict) -> SafeString:
    """The <nav> of base.html for the signed-in `request.user`; `bell` is
    notifications.selectors.bell() for them (unread count and newest id)."""
    user = request.user
    urls = _urls(get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF))
    unread = int(bell["unread"])
    zero = "" if unread else " bell-zero"
    items = [
        _item(urls["dashboard"], "Dashboard"),
        f'<li class="bell"><a href="{urls["notifications-inbox"]}" id="notification-bell" '
        f'data-latest-id="{int(bell["latest"])}" data-api="{urls["api-notification-list"]}">'
        f'Inbox <span class="bell-count{zero}" data-unread-count '
        f'aria-label="unread notifications">{unread}</span></a></li>',
        *(_item(urls[name], label) for name, label in _LINKS),
        _item(urls["person-detail"].replace(str(_PROFILE_MARKER), str(int(user.pk))), "My profile"),
        *(_item(urls[name], label) for name, label in _ACCOUNT_LINKS),
        *(
            _item(urls[name], label, "admin-link")
            for perm, name, label in _ADMIN_LINKS
            if user.has_perm(perm)
        ),
    ]
    if user.is_staff:
        items.append(_item(urls["admin:index"], "Admin site", "admin-link"))
    items.append(
        f'<li><form method="post" action="{urls["account_logout"]}" class="inline-form">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        '<button type="submit" class="link-button">Sign out</button></form></li>'
    )
    html = "\n          ".join(items)
    return mark_safe(  # every dynamic value above is escaped or an integer
        f'<nav class="site-nav" aria-label="Main">\n        <ul>\n          {html}\n'
        "        </ul>\n      </nav>"
    )
