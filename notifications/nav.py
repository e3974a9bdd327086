"""The inbox bell in the site navigation (registered in notifications.apps via core.nav)."""

from __future__ import annotations

from collections.abc import Mapping

INBOX, API = "notifications-inbox", "api-notification-list"


def bell_item(request, context: Mapping, urls: Mapping[str, str]) -> str:
    """The bell's <li>: unread count and newest id from context["notification_bell"] (the
    bell context processor, one query); `urls` are escaped by core.nav."""
    bell = context["notification_bell"]
    unread = int(bell["unread"])
    zero = "" if unread else " bell-zero"
    return (
        f'<li class="bell"><a href="{urls[INBOX]}" id="notification-bell" '
        f'data-latest-id="{int(bell["latest"])}" data-api="{urls[API]}">'
        f'Inbox <span class="bell-count{zero}" data-unread-count '
        f'aria-label="unread notifications">{unread}</span></a></li>'
    )
