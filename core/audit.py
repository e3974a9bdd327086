"""The audit log's write side: who acts (Actor) and one function to record an event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from .models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """The person (or system) performing a write, and where the request came from."""

    user: AbstractBaseUser | None
    ip: str | None = None
    user_agent: str = ""
    via: str = "system"

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str | None = None) -> Actor:
        user = getattr(request, "user", None)
        if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
            user = None
        if via is None:
            via = "api" if request.path.startswith("/api/") else "web"
        return cls(
            user=user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            via=via,
        )

    @classmethod
    def system(cls, *, via: str = "system", user: AbstractBaseUser | None = None) -> Actor:
        return cls(user=user, via=via)


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # it, and the balancer in production sets REMOTE_ADDR through the proxy protocol.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: Any = None,
    changes: dict | None = None,
) -> AuditEvent:
    """Write one audit event; call it inside the service's transaction."""
    target_type = target_id = target_repr = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_repr = str(target)[:200]
    user = actor.user
    return AuditEvent.objects.create(
        actor=user if user is not None and user.pk else None,
        actor_repr=(user.get_username() if user is not None else actor.via)[:150],
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        changes=changes or {},
        ip_address=actor.ip,
        user_agent=actor.user_agent,
        via=actor.via,
    )
