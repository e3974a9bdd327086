"""The on-call API's serializers.

Output serializers render every answer of oncall/api.py and, through @extend_schema, document
it: the schema is made from the very fields that render the JSON, so the two cannot drift
(tests/oncall/test_api_schema.py compares them).

Input serializers are strict (core.api.BodySerializer: an unknown key is a 400) and check
only the shape and the JSON types of what is sent (core.api's JSON-typed fields). They do not
coerce: a value of the right type reaches the service as it came, and the service (with
oncall/specs.py) stays the one place that validates it (names, zones, spans, people, ranges),
for the API, the pages and the imports alike.

Instants are rendered in UTC as ISO-8601 ending in "Z", whatever time zone is active.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api import (
    BodySerializer,
    IdRelatedField,
    InstantField,
    JsonBooleanField,
    JsonChoiceField,
    JsonIdField,
    JsonIntegerField,
    JsonStringField,
    StrictSerializer,
    iso,
    results_of,
)
from teams.models import Team

from . import specs
from .models import ShiftUnit, SwapStatus
from .selectors import MAX_RANGE

# --- output fields ----------------------------------------------------------------------------


class LocalStartField(serializers.CharField):
    """A layer version's start as local wall time without offset: "2026-11-02T09:00" (with
    seconds only when there are some). Its source is the version itself."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "Local wall time in the layer's zone, e.g. 2026-11-02T09:00."
        )
        super().__init__(**kwargs)

    def to_representation(self, version):
        local = datetime.combine(version.start_date, version.start_time)
        return local.isoformat(timespec="minutes" if not local.second else "seconds")


class LocalMinuteField(serializers.CharField):
    """A wall-clock time with its offset, to the minute: "2026-11-03T16:00+08:00"."""

    def to_representation(self, value):
        return value.isoformat(timespec="minutes")


# --- output serializers -----------------------------------------------------------------------


class ScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    time_zone = serializers.CharField()
    requires_lead_approval_for_swaps = serializers.BooleanField()
    created_at = InstantField()
    updated_at = InstantField()


@extend_schema_serializer(component_name="ShiftLength")
class ShiftLengthSerializer(serializers.Serializer):
    # Its source is a layer version.
    count = serializers.IntegerField(source="shift_count")
    unit = serializers.ChoiceField(choices=ShiftUnit.choices, source="shift_unit")


@extend_schema_serializer(component_name="RestrictionWindow")
class RestrictionWindowSerializer(serializers.Serializer):
    days = serializers.ListField(
        child=serializers.IntegerField(), help_text="Weekdays the window starts on (Monday=0)."
    )
    start = serializers.CharField(help_text="HH:MM local")
    end = serializers.CharField(help_text="HH:MM local; <= start means the next day")


class LayerVersionSerializer(serializers.Serializer):
    """One version of a layer's rules, in force over [effective_from, effective_to)."""

    effective_from = InstantField()
    effective_to = InstantField(allow_null=True)
    priority = serializers.IntegerField()
    time_zone = serializers.CharField()
    start = LocalStartField(source="*")
    shift_length = ShiftLengthSerializer(source="*")
    participants = serializers.ListField(child=serializers.IntegerField())
    end = InstantField(allow_null=True)
    restrictions = RestrictionWindowSerializer(many=True)
    fair = serializers.BooleanField()


# The fields of a layer that come from its latest version.
CURRENT_VERSION_FIELDS = tuple(LayerVersionSerializer._declared_fields)


class LayerSerializer(serializers.Serializer):
    """A layer as it is now, the rules of its latest version, plus its whole history (oldest
    first). The rules are absent when no version is left (a layer deleted before it began)."""

    id = serializers.IntegerField()
    schedule = serializers.IntegerField(source="schedule_id")
    name = serializers.CharField()
    effective_from = InstantField(source="current.effective_from", required=False)
    effective_to = InstantField(source="current.effective_to", allow_null=True, required=False)
    priority = serializers.IntegerField(source="current.priority", required=False)
    time_zone = serializers.CharField(source="current.time_zone", required=False)
    start = LocalStartField(source="current", required=False)
    shift_length = ShiftLengthSerializer(source="current", required=False)
    participants = serializers.ListField(
        child=serializers.IntegerField(), source="current.participants", required=False
    )
    end = InstantField(source="current.end", allow_null=True, required=False)
    restrictions = RestrictionWindowSerializer(
        many=True, source="current.restrictions", required=False
    )
    fair = serializers.BooleanField(source="current.fair", required=False)
    removed_at = InstantField(allow_null=True)
    history = LayerVersionSerializer(many=True)

    def to_representation(self, layer):
        versions = sorted(layer.versions.all(), key=lambda v: (v.effective_from, v.pk))
        current = versions[-1] if versions else None
        data = super().to_representation(
            {
                "id": layer.pk,
                "schedule_id": layer.schedule_id,
                "name": layer.name,
                "current": current,
                "removed_at": layer.removed_at,
                "history": versions,
            }
        )
        if current is None:
            for name in CURRENT_VERSION_FIELDS:
                data.pop(name, None)
        return data


LayerListSerializer = results_of(LayerSerializer, "LayerList")


class OverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    schedule = serializers.IntegerField(source="schedule_id")
    person = serializers.IntegerField(source="person_id")
    start = InstantField()
    end = InstantField()
    created_at = InstantField()
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)


OverrideListSerializer = results_of(OverrideSerializer, "OverrideList")


class SegmentSerializer(serializers.Serializer):
    start = InstantField()
    end = InstantField()
    person = serializers.IntegerField(allow_null=True, help_text="Nobody (a gap) when null.")


@extend_schema_serializer(component_name="FinalSegments")
class FinalSegmentsSerializer(serializers.Serializer):
    segments = SegmentSerializer(many=True)


class OncallAtSerializer(serializers.Serializer):
    person = serializers.IntegerField(allow_null=True, help_text="Nobody (a gap) when null.")
    start = InstantField()
    end = InstantField(allow_null=True, help_text="Null: no change within 92 days.")


class OncallNowRowSerializer(serializers.Serializer):
    """A selectors.NowRow."""

    schedule = serializers.IntegerField(source="schedule_id")
    schedule_name = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    display_name = serializers.CharField(allow_null=True)
    until = InstantField(allow_null=True)
    time_zone = serializers.CharField(allow_null=True, help_text="The person's time zone.")
    local_time = LocalMinuteField(allow_null=True, help_text="The person's wall clock now.")


class OncallNowSerializer(serializers.Serializer):
    at = InstantField()
    results = OncallNowRowSerializer(many=True)


def oncall_now_data(at: datetime, rows) -> dict:
    """OncallNowSerializer's output, built without it: the answer lists every schedule of the
    org (hundreds), and DRF's per-field machinery took most of the request's time. The
    serializer stays the API's schema; a test checks that the two agree."""
    return {
        "at": iso(at),
        "results": [
            {
                "schedule": row.schedule_id,
                "schedule_name": row.schedule_name,
                "team": row.team_id,
                "team_name": row.team_name,
                "person": row.person_id,
                "display_name": row.display_name,
                "until": iso(row.until),
                "time_zone": row.time_zone,
                "local_time": None
                if row.local_time is None
                else row.local_time.isoformat(timespec="minutes"),
            }
            for row in rows
        ],
    }


class MyShiftSerializer(serializers.Serializer):
    """A selectors.MyShift."""

    schedule = serializers.IntegerField(source="schedule.pk")
    schedule_name = serializers.CharField(source="schedule.name")
    start = InstantField()
    end = InstantField()


MyShiftListSerializer = results_of(MyShiftSerializer, "MyShiftList")


class OncallPreferencesSerializer(serializers.Serializer):
    shift_notice_minutes = serializers.IntegerField()


@extend_schema_serializer(component_name="SwapRequest")
class SwapSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    schedule = serializers.IntegerField(source="schedule_id")
    requester = serializers.IntegerField(source="requester_id")
    asked = serializers.IntegerField(
        source="asked_id", allow_null=True, help_text="The one person asked, if any."
    )
    taker = serializers.IntegerField(source="taker_id", allow_null=True)
    start = InstantField()
    end = InstantField()
    note = serializers.CharField(allow_blank=True)
    # A string, not an enum: "status" enums of other apps would be renamed to tell them apart.
    status = serializers.CharField(help_text="One of: " + ", ".join(SwapStatus.values) + ".")
    awaiting_approval = serializers.BooleanField(
        help_text="Taken, and waiting for a lead's approval."
    )
    override = serializers.IntegerField(
        source="override_id", allow_null=True, help_text="The override that put it in force."
    )
    created_at = InstantField()


SwapListSerializer = results_of(SwapSerializer, "SwapRequestList")


class IcalFeedCreatedSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The secret feed address, shown once.")
    token_prefix = serializers.CharField()


# --- input fields ------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantStringField(JsonStringField):
    """An instant as an ISO-8601 string with its offset; the service parses it. Blank only
    with allow_blank (where it means "none" or "now")."""

    default_error_messages = {
        "invalid": "An ISO-8601 instant such as 2026-11-02T09:00:00Z is required.",
        "blank": "An ISO-8601 instant such as 2026-11-02T09:00:00Z is required.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", False)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantParamField(serializers.Field):
    """An instant in a query string, parsed by specs.clean_instant. An unencoded "+hh:mm"
    offset arrives as a space and is read as the "+" it was."""

    default_error_messages = {
        "required": "An ISO-8601 instant such as 2026-11-02T09:00:00Z is required."
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and "T" in data:
            date_part, _, time_part = data.partition("T")
            data = f"{date_part}T{time_part.replace(' ', '+')}"
        try:
            return specs.clean_instant(data, self.field_name)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict[self.field_name]) from None


# --- input serializers ------------------------------------------------------------------------


class ScheduleCreateSerializer(BodySerializer):
    """A new schedule of a team (its leads and admins)."""

    name = JsonStringField()
    team = IdRelatedField(queryset=Team.objects.all(), message="Give the id of an existing team.")
    time_zone = JsonStringField(help_text="IANA time zone, e.g. Europe/London.")
    requires_lead_approval_for_swaps = JsonBooleanField(required=False)


class ScheduleUpdateSerializer(BodySerializer):
    """The fields to change; the team never changes."""

    name = JsonStringField(required=False)
    time_zone = JsonStringField(required=False, help_text="IANA time zone.")
    requires_lead_approval_for_swaps = JsonBooleanField(required=False)


@extend_schema_serializer(component_name="ShiftLength")
class ShiftLengthInputSerializer(serializers.Serializer):
    count = JsonIntegerField(help_text="At least 1.")
    unit = JsonChoiceField(choices=ShiftUnit.choices)


@extend_schema_serializer(component_name="RestrictionWindow")
class RestrictionWindowInputSerializer(StrictSerializer):
    """A weekly window: from `start` on each of `days`, to `end` (local times)."""

    days = serializers.ListField(
        child=JsonIntegerField(), help_text="Weekdays the window starts on (Monday=0)."
    )
    start = JsonStringField(help_text="HH:MM local")
    end = JsonStringField(help_text="HH:MM local; <= start means the next day")


class LayerCreateSerializer(BodySerializer):
    """A rotation layer: who takes turns, from when, how long each shift lasts, and when."""

    name = JsonStringField()
    priority = JsonIntegerField(
        digit_strings=True, required=False, help_text="Higher wins where layers overlap."
    )
    time_zone = JsonStringField(help_text="IANA time zone of the rotation.")
    start = JsonStringField(
        help_text="Local wall time without offset, e.g. 2026-11-02T09:00 (handoff 0)."
    )
    shift_length = ShiftLengthInputSerializer()
    participants = serializers.ListField(child=JsonIdField(), help_text="Person ids, in order.")
    end = InstantStringField(
        required=False, allow_null=True, allow_blank=True, help_text="Null: no end."
    )
    restrictions = serializers.ListField(
        child=RestrictionWindowInputSerializer(), required=False, allow_null=True
    )
    fair = JsonBooleanField(required=False)


class LayerUpdateSerializer(LayerCreateSerializer):
    """Any of the layer's fields (validated with partial=True); the rest stay as they are."""

    effective_from = InstantStringField(
        required=False, allow_null=True, allow_blank=True, help_text="Default: now; never past."
    )


class OverrideCreateSerializer(BodySerializer):
    """Someone on call over [start, end), whatever the layers say."""

    person = JsonIdField(help_text="Who is on call instead: any active person.")
    start = InstantStringField()
    end = InstantStringField()


class SwapCreateSerializer(BodySerializer):
    """Give away [start, end), which must be all your own on-call time."""

    start = InstantStringField()
    end = InstantStringField()
    asked = JsonIdField(
        required=False, allow_null=True, help_text="Ask one person; null: anyone may take it."
    )
    note = JsonStringField(required=False, allow_null=True)


class OncallPreferencesUpdateSerializer(BodySerializer):
    """My on-call preferences."""

    shift_notice_minutes = JsonIntegerField(
        digit_strings=True, help_text="Minutes before a shift to be told (0 = never)."
    )


class AtQuerySerializer(serializers.Serializer):
    at = InstantParamField(help_text="An instant.")


class RangeQuerySerializer(serializers.Serializer):
    """[start, end), at most selectors.MAX_RANGE (92 days) long."""

    start = InstantParamField()
    end = InstantParamField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The end must be after the start."})
        if attrs["end"] - attrs["start"] > MAX_RANGE:
            raise serializers.ValidationError({"end": f"At most {MAX_RANGE.days} days per call."})
        return attrs


class OverrideQuerySerializer(serializers.Serializer):
    start = InstantParamField(required=False, help_text="Default: now.")
    end = InstantParamField(required=False)


class EffectiveQuerySerializer(serializers.Serializer):
    effective_from = InstantParamField(required=False, help_text="Default: now; never in the past.")
