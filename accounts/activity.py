"""When each signed-in session was last seen, for the sessions page (allauth.usersessions),
written at most once a minute per session.

allauth's own middleware rewrites the session's UserSession row on every request: a
transaction of four queries and an UPDATE, on every page, API call and htmx fragment, which
at the load test's rate was a steady stream of writes for a "last seen" shown to the minute.
This middleware takes its place in settings.MIDDLEWARE and calls the same allauth function
(so the row, its IP, user agent and the client-changed signal stay allauth's), but only when
the session has no row written in the last minute from this address and browser: a new
session (also after sign-in rotates the key), another address or browser, or a minute gone.
The mark it keeps in the session is a digest of those three and the time.
"""

from __future__ import annotations

import hashlib
import time

from allauth.account.adapter import get_adapter
from allauth.usersessions.internal import usersessionkit
from django.http import HttpRequest

SEEN_KEY = "_baton_seen"
EVERY_SECONDS = 60


def _client_mark(request: HttpRequest, session_key: str) -> str:
    ip = get_adapter().get_client_ip(request) or ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    digest = hashlib.blake2b(f"{session_key}\n{ip}\n{agent}".encode(), digest_size=12)
    return digest.hexdigest()


def track_session_activity(request: HttpRequest) -> None:
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated or not session.session_key:
        return
    mark, now = _client_mark(request, session.session_key), int(time.time())
    seen = session.get(SEEN_KEY)
    if (
        isinstance(seen, list)
        and len(seen) == 2
        and seen[0] == mark
        and isinstance(seen[1], int)
        and 0 <= now - seen[1] < EVERY_SECONDS
    ):
        return
    usersessionkit.track_activity(request, user=user, session=session)
    session[SEEN_KEY] = [mark, now]


class SessionActivityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        track_session_activity(request)
        return self.get_response(request)
