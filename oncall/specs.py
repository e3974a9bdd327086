"""Layer specs: cleaning what people send (API, pages, imports) into a canonical spec, and
converting specs to and from rotation layers and stored versions.

Shared by services (writes), selectors (previews of unsaved specs) and the forms and API, so it
imports neither of the first two: a read must not depend on the module that writes.

A cleaned spec: name, priority, time_zone, start (naive local wall time), shift_length
(count, unit), participants (person ids), end (aware or None), restrictions (canonical weekly
windows) and fair. Each cleaner raises ValidationError({field: message}).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from core.zones import is_valid_zone, zone_error

from . import rotation
from .models import LayerVersion, ShiftUnit

User = get_user_model()

MAX_NAME = 120
MAX_PARTICIPANTS = 200
MAX_WINDOWS = 50


def clean_instant(value: object, field: str) -> datetime:
    """An aware datetime, or an ISO-8601 string with an offset ("Z" or "+hh:mm"), to UTC."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = parse_datetime(text)
        except ValueError:
            dt = None
        if dt is None:
            raise ValidationError(
                {field: f"'{value}' is not an ISO-8601 instant such as 2026-11-02T09:00:00Z."}
            )
    else:
        raise ValidationError(
            {field: "An ISO-8601 instant such as 2026-11-02T09:00:00Z is required."}
        )
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValidationError(
            {field: "Give the instant with its offset, e.g. 2026-11-02T09:00:00Z or +01:00."}
        )
    if not 1900 <= dt.year <= 2200:
        # Far instants overflow the date arithmetic (t +/- 92 days) and mean nothing here.
        raise ValidationError({field: "The year must be between 1900 and 2200."})
    return dt.astimezone(UTC)


def clean_optional_instant(value: object, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    return clean_instant(value, field)


def clean_local_start(value: object, field: str = "start") -> datetime:
    """A naive local wall time: "2026-11-02T09:00" (no offset; the layer's zone gives it)."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        try:
            dt = parse_datetime(value.strip())
        except ValueError:
            dt = None
        if dt is None:
            raise ValidationError(
                {field: f"'{value}' is not a local date and time such as 2026-11-02T09:00."}
            )
    else:
        raise ValidationError({field: "A local start such as 2026-11-02T09:00 is required."})
    if dt.tzinfo is not None:
        raise ValidationError(
            {field: "Give the start as local wall time without an offset, e.g. 2026-11-02T09:00."}
        )
    if not 1900 <= dt.year <= 2200:
        raise ValidationError({field: "The start year must be between 1900 and 2200."})
    return dt


def clean_zone(value: object, field: str = "time_zone") -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not is_valid_zone(name):
        raise ValidationError({field: zone_error(str(value or ""))})
    return name


def clean_name(value: object, field: str = "name") -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise ValidationError({field: "A name is required."})
    if len(name) > MAX_NAME:
        raise ValidationError({field: f"A name has at most {MAX_NAME} characters."})
    if "\x00" in name:  # PostgreSQL cannot store it
        raise ValidationError({field: "A name cannot contain NUL characters."})
    return name


def clean_int(value: object, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        # isdecimal, not isdigit: int() refuses "²" and "--5" (a 500), and very long strings.
        if (
            isinstance(value, str)
            and len(value) <= 100
            and value.strip().removeprefix("-").isdecimal()
        ):
            value = int(value.strip())
        else:
            raise ValidationError({field: "A whole number is required."})
    if not low <= value <= high:
        raise ValidationError({field: f"Must be between {low} and {high}."})
    return value


def clean_shift_length(value: object) -> tuple[int, str]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            {"shift_length": 'Give the shift length as {"count": 1, "unit": "days"}.'}
        )
    count = value.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValidationError({"shift_length": "count must be a whole number of at least 1."})
    if count < 1:
        raise ValidationError({"shift_length": "count must be at least 1."})
    if count > 10_000:
        raise ValidationError({"shift_length": "count must be at most 10000."})
    unit = value.get("unit")
    if unit not in ShiftUnit.values:
        raise ValidationError(
            {"shift_length": f"unit must be one of {', '.join(ShiftUnit.values)}."}
        )
    return count, unit


def parse_hhmm(value: object) -> time | None:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return None
    hh, mm = value[:2], value[3:]
    if not (hh.isdigit() and mm.isdigit()):
        return None
    h, m = int(hh), int(mm)
    if h > 23 or m > 59:
        return None
    return time(h, m)


def clean_restrictions(value: object) -> list[dict]:
    """[{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}] in canonical form."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError({"restrictions": "Give a list of weekly windows."})
    if len(value) > MAX_WINDOWS:
        raise ValidationError({"restrictions": f"At most {MAX_WINDOWS} windows."})
    out = []
    for i, window in enumerate(value):
        where = f"Window {i + 1}"
        if not isinstance(window, Mapping) or set(window) - {"days", "start", "end"}:
            raise ValidationError(
                {
                    "restrictions": f"{where}: give days, start and end, "
                    'e.g. {"days": [0, 1], "start": "09:00", "end": "17:00"}.'
                }
            )
        days = window.get("days")
        if (
            not isinstance(days, list)
            or not days
            or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days)
        ):
            raise ValidationError(
                {"restrictions": f"{where}: days must be a non-empty list of 0 (Monday) to 6."}
            )
        start, end = parse_hhmm(window.get("start")), parse_hhmm(window.get("end"))
        if start is None or end is None:
            raise ValidationError(
                {
                    "restrictions": f"{where}: start and end must be local times "
                    "as HH:MM (00:00-23:59)."
                }
            )
        out.append({"days": sorted(set(days)), "start": window["start"], "end": window["end"]})
    return out


def active_people_ids(ids: Iterable[int]) -> set[int]:
    """Active people (users with a profile) among ids: one query."""
    return set(
        User.objects.filter(pk__in=set(ids), is_active=True, profile__isnull=False).values_list(
            "pk", flat=True
        )
    )


def clean_participants(value: object, *, team_id: int | None = None) -> list[int]:
    if not isinstance(value, list) or not value:
        raise ValidationError({"participants": "Give at least one participant (person ids)."})
    if len(value) > MAX_PARTICIPANTS:
        raise ValidationError({"participants": f"At most {MAX_PARTICIPANTS} participants."})
    if any(isinstance(p, bool) or not isinstance(p, int) or not 0 < p < 2**63 for p in value):
        raise ValidationError({"participants": "Participants are person ids (whole numbers)."})
    active = active_people_ids(value)
    missing = sorted({p for p in value if p not in active})
    if missing:
        raise ValidationError(
            {"participants": "Not active people: " + ", ".join(map(str, missing)) + "."}
        )
    return list(value)


LAYER_FIELDS = (
    "name",
    "priority",
    "time_zone",
    "start",
    "shift_length",
    "participants",
    "end",
    "restrictions",
    "fair",
)


def clean_layer_spec(data: Mapping, *, team_id: int | None, check_people: bool = True) -> dict:
    """Validate a whole layer spec; return cleaned values (start naive, end aware or None).

    With check_people False (or team_id None, kept for callers' clarity), participants are
    only checked for shape: the preview of unsaved specs.
    """
    unknown = sorted(set(data) - set(LAYER_FIELDS))
    if unknown:
        raise ValidationError({name: "Unknown field." for name in unknown})
    errors: dict[str, str] = {}
    out: dict = {}

    def attempt(field, func):
        try:
            out[field] = func()
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})

    attempt("name", lambda: clean_name(data.get("name")))
    attempt(
        "priority",
        lambda: clean_int(data.get("priority", 0), "priority", low=-1000, high=1000),
    )
    attempt("time_zone", lambda: clean_zone(data.get("time_zone")))
    attempt("start", lambda: clean_local_start(data.get("start")))
    attempt("shift_length", lambda: clean_shift_length(data.get("shift_length")))
    if team_id is None or not check_people:

        def shape():
            value = data.get("participants")
            if not isinstance(value, list) or not value:
                raise ValidationError({"participants": "Give at least one participant."})
            return list(value)

        attempt("participants", shape)
    else:
        attempt(
            "participants", lambda: clean_participants(data.get("participants"), team_id=team_id)
        )
    attempt("end", lambda: clean_optional_instant(data.get("end"), "end"))
    attempt("restrictions", lambda: clean_restrictions(data.get("restrictions")))
    fair = data.get("fair", False)
    if not isinstance(fair, bool):
        errors["fair"] = "fair must be true or false."
    out["fair"] = fair
    if not errors and out["end"] is not None:
        start_instant = rotation.handoff_instant(spec_to_rotation_layer(out, layer_id=0), 0)
        if out["end"] <= start_instant:
            errors["end"] = "The end must be after the start."
    if errors:
        raise ValidationError(errors)
    return out


def windows_of(restrictions: list[dict]) -> tuple[rotation.Window, ...]:
    return tuple(
        rotation.Window(
            days=frozenset(w["days"]), start=parse_hhmm(w["start"]), end=parse_hhmm(w["end"])
        )
        for w in restrictions
    )


def spec_to_rotation_layer(
    spec: Mapping, *, layer_id: object, order: int = 0, end: datetime | None = None
) -> rotation.Layer:
    """A cleaned spec (see clean_layer_spec) as a rotation.Layer; `end` clips further."""
    count, unit = spec["shift_length"]
    layer_end = spec.get("end")
    if end is not None and (layer_end is None or end < layer_end):
        layer_end = end
    return rotation.Layer(
        id=layer_id,
        time_zone=spec["time_zone"],
        start=spec["start"],
        shift_length=rotation.ShiftLength(count, unit),
        participants=tuple(spec["participants"]),
        end=layer_end,
        priority=spec.get("priority", 0),
        order=order,
        restrictions=windows_of(spec.get("restrictions") or []),
        fair=spec.get("fair", False),
    )


def version_spec(version: LayerVersion) -> dict:
    """A stored version as a cleaned spec (the inverse of version_fields)."""
    return {
        "name": "",  # the name is the layer's, not versioned
        "priority": version.priority,
        "time_zone": version.time_zone,
        "start": datetime.combine(version.start_date, version.start_time),
        "shift_length": (version.shift_count, version.shift_unit),
        "participants": list(version.participants),
        "end": version.end,
        "restrictions": list(version.restrictions),
        "fair": version.fair,
    }


def version_fields(spec: Mapping) -> dict:
    count, unit = spec["shift_length"]
    start: datetime = spec["start"]
    return {
        "priority": spec["priority"],
        "time_zone": spec["time_zone"],
        "start_date": start.date(),
        "start_time": start.time(),
        "shift_count": count,
        "shift_unit": unit,
        "participants": list(spec["participants"]),
        "end": spec["end"],
        "restrictions": list(spec["restrictions"]),
        "fair": spec["fair"],
    }


def spec_for_audit(spec: Mapping) -> dict:
    out = dict(spec)
    out["start"] = spec["start"].isoformat()
    out["end"] = spec["end"].isoformat() if spec.get("end") else None
    out["shift_length"] = {"count": spec["shift_length"][0], "unit": spec["shift_length"][1]}
    return out
