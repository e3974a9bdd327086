"""Create many people fast for query-count and benchmark tests.

Mirrors teams.services.person_create (User + Profile + WorkingInterval rows from the same
canonical working hours) with three bulk_create calls instead of thousands of services calls.
The field values come from tests.factories.person_defaults, as PersonFactory's do.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from core import caching
from teams import hours as hours_math
from teams.models import Membership, Profile, Team, WorkingInterval
from teams.selectors import PEOPLE_CACHE
from teams.services import working_interval_rows
from teams.validation import DEFAULT_WORKING_HOURS
from tests.factories import person_defaults

User = get_user_model()

ZONES: Sequence[tuple[str, str]] = (
    ("Europe/London", "GB"),
    ("America/New_York", "US"),
    ("Asia/Manila", "PH"),
    ("America/Sao_Paulo", "BR"),
    ("Asia/Kolkata", "IN"),
    ("Australia/Sydney", "AU"),
)


def bulk_people(
    count: int,
    *,
    prefix: str = "bulk",
    zones: Sequence[tuple[str, str]] = ZONES,
    working_hours: dict | None = None,
    team: Team | None = None,
    org_role: str | None = None,
) -> list:
    """Create `count` active people (zones cycle through `zones`); optionally add them all
    to `team` as members. Returns the users."""
    hours = hours_math.normalize(working_hours or DEFAULT_WORKING_HOURS)
    unusable = make_password(None)
    rows = [person_defaults(n, prefix=prefix, zone=zones[n % len(zones)]) for n in range(count)]
    users = User.objects.bulk_create(
        User(
            username=row["username"],
            email=row["email"],
            first_name=row["display_name"],
            password=unusable,
        )
        for row in rows
    )
    if users and users[0].pk is None:  # backends that do not return ids (not SQLite/PG)
        users = list(User.objects.filter(username__startswith=prefix).order_by("username"))
    profiles = Profile.objects.bulk_create(
        Profile(
            user=user,
            display_name=row["display_name"],
            time_zone=row["time_zone"],
            country=row["country"],
            working_hours=hours,
            org_role=org_role or row["org_role"],
        )
        for user, row in zip(users, rows, strict=True)
    )
    WorkingInterval.objects.bulk_create(
        row for profile in profiles for row in working_interval_rows(profile)
    )
    if team is not None:
        Membership.objects.bulk_create(Membership(team=team, person=user) for user in users)
    caching.bump(PEOPLE_CACHE)  # as the services do
    return users
