"""The cleaning rules for people, teams and memberships, in one place.

Every way in uses them: the services (teams.services, before each write), the page forms
(teams.forms, in their clean_<field>) and the API's input serializers (teams.api, in their
validate_<field>), both through field_rule, and the CSV import (teams.importing, row by
row). So the same bad value gets the same message wherever it was typed
(tests/teams/test_validation.py checks it).

Each clean_<field> takes the raw value, returns the cleaned one (stripped, normalised) and
raises ValidationError({field: message}) with a message a person can act on. Length limits are
the model fields' max_length, never copies of them. Rules that need the database (a username
or e-mail already taken, a team slug in use) stay with the writers, which look them up one by
one (services) or in bulk (import); their messages are here (username_taken, email_taken).

Pure: reads no database and imports no write module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

from core.validation import clean_choice, clean_slug, clean_text, invalid, shown, text_of
from core.zones import is_valid_country, is_valid_zone, zone_error

from . import hours as hours_math
from .models import Clock, OrgRole, Profile, Team, TeamRole

User = get_user_model()


def _max_length(model: type[models.Model], field: str) -> int:
    return model._meta.get_field(field).max_length


USERNAME_MAX = _max_length(User, "username")
EMAIL_MAX = _max_length(User, "email")
FIRST_NAME_MAX = _max_length(User, "first_name")
DISPLAY_NAME_MAX = _max_length(Profile, "display_name")
TITLE_MAX = _max_length(Profile, "title")
PHONE_MAX = _max_length(Profile, "phone")
TIME_ZONE_MAX = _max_length(Profile, "time_zone")
TEAM_NAME_MAX = _max_length(Team, "name")
TEAM_SLUG_MAX = _max_length(Team, "slug")

# Hours a new person gets when none are given (the form pre-fills the same).
DEFAULT_WORKING_HOURS: dict[str, list[str]] = {
    "mon": ["09:00-17:00"],
    "tue": ["09:00-17:00"],
    "wed": ["09:00-17:00"],
    "thu": ["09:00-17:00"],
    "fri": ["09:00-17:00"],
    "sat": [],
    "sun": [],
}

_username_validator = UnicodeUsernameValidator()
_email_validator = EmailValidator()


def message_of(exc: ValidationError, field: str) -> str:
    """The (first) message a clean_<field> raised for `field`."""
    return exc.message_dict[field][0]


def field_rule(field: str, clean: Callable[[object], object] | None = None):
    """`field`'s rule (PERSON_RULES[field] unless `clean` is given) raising its message as a
    plain ValidationError, not {field: message}: what a page form's clean_<field> and an API
    serializer's validate_<field> raise, so both answer in the rule's own words (Django and
    DRF each file it under the field being cleaned)."""
    rule = clean or PERSON_RULES[field]

    def check(value: object) -> object:
        try:
            return rule(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict[field]) from exc

    return check


# --- people ----------------------------------------------------------------------------------


def clean_username(value: object) -> str:
    username = clean_text(
        value, field="username", what="A username", max_length=USERNAME_MAX, required=True
    )
    try:
        _username_validator(username)
    except ValidationError as exc:
        raise invalid(
            "username", f"'{username}' may only have letters, digits and @ . + - _."
        ) from exc
    return username


def username_taken(username: str) -> str:
    return f"The username '{username}' is already taken."


def clean_email(value: object) -> str:
    """An e-mail address, checked with Django's EmailValidator and stored lower-case."""
    email = text_of(value).lower()
    if not email:  # teams' own wording of "required"
        raise invalid("email", "A valid email address is required.")
    clean_text(email, field="email", what="An email address", max_length=EMAIL_MAX)
    try:
        _email_validator(email)
    except ValidationError as exc:
        raise invalid("email", f"'{email}' is not a valid email address.") from exc
    return email


def email_taken(email: str) -> str:
    return f"The email '{email}' is already in use."


def first_name_for(display_name: str) -> str:
    """The Django user's first_name (the admin site and e-mails show it): the display name,
    cut to that field's length."""
    return display_name[:FIRST_NAME_MAX]


def clean_display_name(value: object) -> str:
    return clean_text(
        value,
        field="display_name",
        what="A display name",
        max_length=DISPLAY_NAME_MAX,
        required=True,
    )


def clean_title(value: object) -> str:
    return clean_text(value, field="title", what="A title", max_length=TITLE_MAX)


def clean_phone(value: object) -> str:
    return clean_text(value, field="phone", what="A phone number", max_length=PHONE_MAX)


def clean_time_zone(value: object) -> str:
    """An IANA zone; a typo gets the nearest zone as a suggestion (core.zones.zone_error)."""
    zone = text_of(value)
    if not is_valid_zone(zone):
        raise invalid("time_zone", zone_error(zone))
    return zone


def clean_country(value: object) -> str:
    code = text_of(value).upper()
    if not is_valid_country(code):
        raise invalid(
            "country", f"'{shown(code, 10)}' is not an ISO 3166 country code (e.g. GB, BR, IN)."
        )
    return code


def clean_working_hours(value: object) -> dict[str, list[str]]:
    """Working hours as the API sends them ({"mon": ["09:00-17:00"], ...}), canonical."""
    try:
        return hours_math.normalize(value)
    except hours_math.WorkingHoursError as exc:
        raise invalid("working_hours", str(exc)) from exc


def clean_working_hours_text(value: object) -> dict[str, list[str]]:
    """Working hours as the pages take them, one line per day or range of days
    ("mon-fri 09:00-17:00"; empty: no regular hours), canonical."""
    try:
        return hours_math.normalize(hours_math.parse_text(text_of(value)))
    except hours_math.WorkingHoursError as exc:
        raise invalid("working_hours", str(exc)) from exc


def clean_org_role(value: object) -> str:
    return clean_choice(value, field="org_role", what="an org role", choices=OrgRole.values)


def clean_clock(value: object) -> str:
    return clean_choice(value, field="clock", what="a clock setting", choices=Clock.values)


# The fields of a person (a user plus a profile) that clean_person knows, in form order.
PERSON_FIELDS = (
    "username",
    "email",
    "display_name",
    "title",
    "phone",
    "time_zone",
    "country",
    "working_hours",
    "org_role",
    "clock",
)
# What a new person gets when a field is left out; the other fields are required.
_PERSON_DEFAULTS: dict[str, Callable[[], object]] = {
    "title": lambda: "",
    "phone": lambda: "",
    "working_hours": lambda: DEFAULT_WORKING_HOURS,
    "org_role": lambda: OrgRole.MEMBER,
    "clock": lambda: Clock.H24,
}
PERSON_REQUIRED = tuple(name for name in PERSON_FIELDS if name not in _PERSON_DEFAULTS)
# Each person field's rule (clean_person's; the page forms and the API's serializers apply
# them through field_rule).
PERSON_RULES: dict[str, Callable[[object], object]] = {
    "username": clean_username,
    "email": clean_email,
    "display_name": clean_display_name,
    "title": clean_title,
    "phone": clean_phone,
    "time_zone": clean_time_zone,
    "country": clean_country,
    "working_hours": clean_working_hours,
    "org_role": clean_org_role,
    "clock": clean_clock,
}


def clean_person(
    data: Mapping[str, object],
    *,
    partial: bool = False,
    clean_hours: Callable[[object], dict[str, list[str]]] = clean_working_hours,
) -> tuple[dict[str, object], dict[str, str]]:
    """Clean a person's fields (PERSON_FIELDS). Returns (cleaned, errors): every field's
    problem at once, {field: message}, never raised; a key without a rule here is an error
    too (a field is never stored unchecked, nor dropped silently).

    A whole person (partial=False) needs PERSON_REQUIRED; a missing or None optional field
    gets its default (no title or phone, DEFAULT_WORKING_HOURS, the member role, the 24-hour
    clock). With partial=True only the fields given are cleaned (an update). `clean_hours`
    replaces clean_working_hours, e.g. by a memoised one when many rows share a pattern (the
    import).
    """
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {
        name: "Unknown field; it cannot be set here." for name in data if name not in PERSON_RULES
    }
    for field in PERSON_FIELDS:
        if field in data:
            value = data[field]
            if value is None and not partial and field in _PERSON_DEFAULTS:
                value = _PERSON_DEFAULTS[field]()
        elif partial:
            continue
        elif field in _PERSON_DEFAULTS:
            value = _PERSON_DEFAULTS[field]()
        else:
            value = ""  # a required field left out: its cleaner says it is required
        cleaner = clean_hours if field == "working_hours" else PERSON_RULES[field]
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as exc:
            errors[field] = message_of(exc, field)
    return cleaned, errors


# --- teams and memberships -------------------------------------------------------------------


def clean_team_name(value: object) -> str:
    name = text_of(value)
    if not name:  # teams' own wording of "required"
        raise invalid("name", "A team needs a name.")
    return clean_text(name, field="name", what="A team name", max_length=TEAM_NAME_MAX)


def clean_team_slug(value: object) -> str:
    """A slug given by hand (core.validation.clean_slug). Whether it is free is the writer's
    check (one query, or one for a whole import)."""
    return clean_slug(value, field="slug", max_length=TEAM_SLUG_MAX)


def slug_taken(slug: str) -> str:
    return f"The slug '{slug}' is already taken."


def clean_team_role(value: object) -> str:
    return clean_choice(value, field="role", what="a team role", choices=TeamRole.values)
