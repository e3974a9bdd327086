"""The identity django-axes counts failed sign-ins against.

allauth hands credentials to the backends as `username=` or `email=` (whichever the person
typed into the single "login" field), so axes' default form-field lookup found nothing and
counted every failure against "no username": one person's typos locked out everyone behind
the same address. Here both spellings map to the account's username.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone


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


# --- The other way round: a person's failed sign-ins, for the admin who unlocks them --------


def person_identities(person) -> list[str]:
    """What login_identifier records for `person`: the username, lower-cased (signing in by
    e-mail maps to it). The e-mail address too, for rows where no account matched it then."""
    values = {str(value or "").strip().lower() for value in (person.username, person.email)}
    return sorted(value for value in values if value)


@dataclass(frozen=True)
class Lockout:
    failures: int  # failed sign-ins on record, from every address
    locked: bool  # axes refuses them now (from at least one address)
    until: datetime | None  # when that lifts by itself; None: locked until unlocked


def signin_lockout(person) -> Lockout | None:
    """The failed sign-ins django-axes holds against `person`; None when there are none. Axes
    counts them per username and address (AXES_LOCKOUT_PARAMETERS), within the cool-off."""
    from axes.helpers import get_cool_off, get_failure_limit
    from axes.models import AccessAttempt

    rows = AccessAttempt.objects.filter(username__in=person_identities(person)).values_list(
        "username", "ip_address", "failures_since_start", "attempt_time"
    )
    if not rows:
        return None
    cool_off = get_cool_off()
    since = timezone.now() - cool_off if cool_off is not None else None
    failures = 0
    counted: dict[tuple, list] = defaultdict(lambda: [0, None])  # (user, address): [n, last]
    for username, address, count, at in rows:
        failures += count
        if since is None or at >= since:  # older rows no longer count (axes ignores them)
            group = counted[(username, address)]
            group[0] += count
            group[1] = at if group[1] is None else max(group[1], at)
    limit = get_failure_limit(None, None)
    lasts = [last for count, last in counted.values() if count >= limit]
    if not lasts:
        return Lockout(failures=failures, locked=False, until=None)
    until = max(lasts) + cool_off if cool_off is not None else None
    return Lockout(failures=failures, locked=True, until=until)
