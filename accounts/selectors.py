"""Reads of the accounts app that are more than a get (the pages and the API read through here)."""

from __future__ import annotations

import hmac

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from core.permissions import require
from teams.selectors import person_detail

from .models import ApiToken, ScrapeToken


def api_tokens(*, user) -> QuerySet[ApiToken]:
    """The person's own API tokens, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_of(*, user, pk: int) -> ApiToken | None:
    """One of the person's own tokens, or None: anyone else's id is not found."""
    return ApiToken.objects.filter(user=user, pk=pk).first()


def person_allowed(user, pk: int, perm: str, *, missing: str = "No such person."):
    """The person `pk` (with profile and teams) when `user` has `perm` on them: an admin's
    action on a person, on their page or through the API. Http404(`missing`) for no such
    person (DRF answers it as its 404 with that message), PermissionDenied (403) when `user`
    may not."""
    try:
        person = person_detail(person_id=pk)
    except get_user_model().DoesNotExist as exc:
        raise Http404(missing) from exc
    require(user, perm, person)
    return person


def live_scrape_token(*, token_hash: str) -> ScrapeToken | None:
    """The unrevoked scrape token with this hash, or None (unknown or revoked alike). Looked
    up by hash, then the hashes compared in constant time."""
    token = ScrapeToken.objects.filter(token_hash=token_hash).first()
    if token is None or not hmac.compare_digest(token.token_hash, token_hash):
        return None
    return token if token.revoked_at is None else None


def scrape_tokens() -> QuerySet[ScrapeToken]:
    return ScrapeToken.objects.order_by("name")
