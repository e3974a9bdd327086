"""The identity django-axes counts failed sign-ins against.

allauth hands credentials to the backends as `username=` or `email=` (whichever the person
typed into the single "login" field), so axes' default form-field lookup found nothing and
counted every failure against "no username": one person's typos locked out everyone behind
the same address. Here both spellings map to the account's username.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model


def login_identifier(request, credentials: dict | None) -> str | None:
    source = credentials or {}
    value = source.get("username") or source.get("email") or source.get("login")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login")
    value = str(value or "").strip()
    if not value:
        return None
    if "@" in value:
        # The same account by email or by username counts as one.
        username = (
            get_user_model()
            .objects.filter(email__iexact=value)
            .values_list("username", flat=True)
            .first()
        )
        if username:
            value = username
    return value.lower()
