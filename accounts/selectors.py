"""Reads of the accounts app that are more than a get (the pages read through here)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The person's own API tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_of(*, user, pk: int) -> ApiToken | None:
    """One of the person's own tokens, or None: anyone else's id is not found."""
    return ApiToken.objects.filter(user=user, pk=pk).first()
