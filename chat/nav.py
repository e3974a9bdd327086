"""The chat entry of the site navigation, with the viewer's unread count (registered in
chat.apps via core.nav). One query, on pages that render the navigation."""

from __future__ import annotations

from collections.abc import Mapping

from . import selectors

HOME = "chat-home"


def chat_item(request, context: Mapping, urls: Mapping[str, str]) -> str:
    unread = int(selectors.unread_total(request.user))
    zero = "" if unread else " chat-zero"
    return (
        f'<li class="chat-nav"><a href="{urls[HOME]}" id="chat-nav" data-chat-unread="{unread}">'
        f'Chat <span class="bell-count{zero}" data-chat-unread-count '
        f'aria-label="unread chat messages">{unread}</span></a></li>'
    )
