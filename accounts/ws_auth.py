"""WebSocket default deny: the session cookie must belong to a verified person."""

from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from .verification import is_verified


@database_sync_to_async
def _verified_user(scope):
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return None
    # Load the profile here, in a sync thread, so consumers never touch the ORM lazily.
    # get_user_model(): scope["user"] is a lazy wrapper, not the model class.
    user = (
        get_user_model()
        .objects.select_related("profile")
        .filter(pk=user.pk, is_active=True)
        .first()
    )
    if user is None or not is_verified(scope, user):
        return None
    return user


class _RequireVerified:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            user = await _verified_user(scope)
            if user is None:
                # Refuse the handshake: consume the connect event, then close (HTTP 403).
                message = await receive()
                if message["type"] == "websocket.connect":
                    await send({"type": "websocket.close", "code": 4401})
                return None
            scope = dict(scope, user=user)
        return await self.inner(scope, receive, send)


def VerifiedPersonMiddleware(inner):  # noqa: N802 - reads like the other middleware stacks
    return AuthMiddlewareStack(_RequireVerified(inner))
