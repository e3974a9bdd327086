"""The projects API's serializers (projects/api.py).

Output serializers render every answer and, through @extend_schema, document it: the schema
is made from the very fields that render the JSON (tests/projects/test_api_schema.py walks the
answers beside it). Instants are UTC ISO-8601 ending in "Z"; dates are "YYYY-MM-DD".

Input serializers are strict (an unknown key is a 400) and check only the shape and the JSON
types of what is sent, without coercing: the services (with projects/validation.py) stay the
one place that validates values, for the API, the pages and the imports alike. The JSON-typed
fields are core.api's, so every API refuses the same things.
"""

from __future__ import annotations

from collections.abc import Mapping

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api import (
    MAX_ID,
    BodySerializer,
    IdRelatedField,
    InstantField,
    JsonBooleanField,
    JsonIdField,
    JsonIntegerField,
    JsonStringField,
    StrictSerializer,
    one_of,
    person_brief,
    results_of,
)
from teams.models import Team

from .models import Health, HistoryKind, Priority, ProjectStatus, TransferState
from .services import MAX_BULK_TRANSFERS

_PRIORITIES = ", ".join(f"{value} {label.lower()}" for value, label in Priority.choices)


# --- output -----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ProjectPerson")
class PersonBriefSerializer(serializers.Serializer):
    """A person named on a project: who, and where in the world."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone.")
    country = serializers.CharField(help_text="ISO 3166 code.")
    is_active = serializers.BooleanField(help_text="False once the person was deactivated.")

    def to_representation(self, user):
        return person_brief(user, country=True)


@extend_schema_serializer(component_name="ProjectTeam")
class TeamBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PagePathField(serializers.CharField):
    """The path of an object's page (its source is the object)."""

    def __init__(self, url_name: str, attr: str, **kwargs):
        self.url_name, self.attr = url_name, attr
        kwargs.setdefault("source", "*")
        kwargs.setdefault("help_text", "The path of its page in Baton.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        from django.urls import reverse

        return reverse(self.url_name, args=[getattr(value, self.attr)])


@extend_schema_serializer(component_name="ProjectLink")
class LinkSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    url = serializers.CharField()


class HealthField(serializers.CharField):
    """A project's health: its latest status update's, null before the first one."""

    def to_representation(self, value):
        return value or None


@extend_schema_serializer(component_name="Project")
class ProjectSerializer(serializers.Serializer):
    """A project as selectors.with_people reads it (`orphaned` and `is_stale` annotated)."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    team = TeamBriefSerializer()
    owner = PersonBriefSerializer(help_text="The accountable owner.")
    backup_owner = PersonBriefSerializer(allow_null=True)
    acting_owner = PersonBriefSerializer(
        allow_null=True, help_text="Accountable instead of the owner until acting_until."
    )
    acting_until = InstantField(allow_null=True)
    acting_note = serializers.CharField(allow_blank=True)
    # Strings, not enums: "status" enums of other apps would be renamed to tell them apart.
    status = serializers.CharField(help_text=one_of(ProjectStatus.values))
    priority = serializers.IntegerField(help_text=_PRIORITIES + ".")
    critical = serializers.BooleanField()
    health = HealthField(
        allow_null=True,
        help_text=one_of(Health.values) + " The latest status update's; null before one.",
    )
    start_date = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    links = LinkSerializer(many=True)
    description = serializers.CharField(allow_blank=True, help_text="Markdown, as written.")
    description_html = serializers.CharField(
        allow_blank=True, help_text="The description as safe HTML."
    )
    update_cadence_days = serializers.IntegerField()
    update_due_on = serializers.DateField(
        allow_null=True, help_text="The accountable person's local date the next update is due."
    )
    last_update_at = InstantField(allow_null=True)
    stale = serializers.BooleanField(
        source="is_stale", help_text="No update for too many of the owner's working days."
    )
    orphaned = serializers.BooleanField(
        help_text="Open, and the accountable person was deactivated."
    )
    url = PagePathField("project-detail", "slug")
    created_at = InstantField()
    updated_at = InstantField()


@extend_schema_serializer(component_name="ProjectGoal")
class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    title = serializers.CharField()
    target_date = serializers.DateField(allow_null=True)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    current_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    done = serializers.BooleanField()
    position = serializers.IntegerField()
    created_at = InstantField()
    updated_at = InstantField()


GoalListSerializer = results_of(GoalSerializer, "ProjectGoalList")


@extend_schema_serializer(component_name="ProjectUpdateChange")
class ChangeSerializer(serializers.Serializer):
    what = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


@extend_schema_serializer(component_name="ProjectStatusUpdate")
class UpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    author = PersonBriefSerializer()
    health = serializers.CharField(help_text=one_of(Health.values))
    body = serializers.CharField(allow_blank=True, help_text="Markdown, as written.")
    body_html = serializers.CharField(allow_blank=True)
    changes = ChangeSerializer(many=True, help_text="What changed since the previous update.")
    created_at = InstantField()


@extend_schema_serializer(component_name="ProjectHistoryEntry")
class HistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = InstantField()
    actor = PersonBriefSerializer(allow_null=True, help_text="Null: Baton itself.")
    kind = serializers.CharField(help_text=one_of(HistoryKind.values))
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


@extend_schema_serializer(component_name="TransferProject")
class TransferProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    url = PagePathField("project-detail", "slug")


@extend_schema_serializer(component_name="OwnershipTransfer")
class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = TransferProjectSerializer()
    from_owner = PersonBriefSerializer()
    to_person = PersonBriefSerializer()
    proposed_by = PersonBriefSerializer(allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    state = serializers.CharField(help_text=one_of(TransferState.values))
    created_at = InstantField()
    expires_at = InstantField(help_text="Unanswered by then, it expires.")
    decided_at = InstantField(allow_null=True)
    decided_by = PersonBriefSerializer(allow_null=True)
    answer = serializers.CharField(
        allow_blank=True, help_text="The answer's note: why declined or cancelled, or thanks."
    )
    url = PagePathField("project-transfer", "pk")


TransferListSerializer = results_of(TransferSerializer, "OwnershipTransferList")


@extend_schema_serializer(component_name="ProjectWatch")
class WatchSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


@extend_schema_serializer(component_name="BulkTransferRowError")
class BulkRowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in the list sent (from 0).")
    project = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{field: [messages]}",
    )


@extend_schema_serializer(component_name="BulkTransferError")
class BulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rows = BulkRowErrorSerializer(many=True)


# --- input fields -----------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DATE)
class DateStringField(JsonStringField):
    """A date as "YYYY-MM-DD" (null or blank: none); the service parses it."""

    default_error_messages = {"invalid": "A date like 2027-03-31 is required."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "format": "decimal"}],
        "nullable": True,
    }
)
class DecimalInputField(serializers.Field):
    """A JSON number or a decimal string (null: none); the service checks digits and range."""

    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return str(data) if isinstance(data, float) else data


def _id_field(what: str, **kwargs) -> JsonIdField:
    return JsonIdField(message=f"Give the id of {what} (a whole number).", **kwargs)


@extend_schema_serializer(component_name="ProjectLinkInput")
class LinkInputSerializer(StrictSerializer):
    title = JsonStringField(required=False)
    url = JsonStringField()


class _ProjectFields(BodySerializer):
    # The fields a project's create and change share (a comment: a docstring would show in
    # the schema of every request).
    slug = JsonStringField(
        required=False,
        allow_blank=False,
        help_text="Lowercase letters, digits and hyphens; left out: made from the name.",
    )
    backup_owner = _id_field("a person", required=False, allow_null=True, help_text="Null: none.")
    description = JsonStringField(required=False, help_text="Markdown.")
    # Strings documented with their values, not enums (see ProjectSerializer.status).
    status = JsonStringField(required=False, help_text=one_of(ProjectStatus.values))
    priority = JsonIntegerField(required=False, help_text=_PRIORITIES + ".")
    critical = JsonBooleanField(required=False)
    start_date = DateStringField()
    target_date = DateStringField(help_text="Not before the start date.")
    links = serializers.ListField(child=LinkInputSerializer(), required=False, max_length=50)
    update_cadence_days = JsonIntegerField(required=False, help_text="1 to 90 days.")


class ProjectCreateSerializer(_ProjectFields):
    """A new project of a team. Members create projects in their teams and own them; a team's
    leads (and admins) may name another owner, who is told."""

    team = IdRelatedField(queryset=Team.objects.all(), message="Give the id of an existing team.")
    name = JsonStringField()
    owner = _id_field(
        "an active person", required=False, allow_null=True, help_text="Left out or null: you."
    )


# Fields a project change refuses with a pointer to where they do change.
CHANGED_ELSEWHERE = {
    "owner": "The owner changes by a transfer the new owner accepts, not by an edit: "
    "POST /api/v1/projects/{id}/transfers/.",
    "acting_owner": "Name or end an acting owner with PUT or DELETE "
    "/api/v1/projects/{id}/acting-owner/.",
    "acting_until": "Name or end an acting owner with PUT or DELETE "
    "/api/v1/projects/{id}/acting-owner/.",
    "health": "A project's health is its latest status update's: "
    "POST /api/v1/projects/{id}/updates/.",
    "team": "A project stays in its team; create a new one in the other team instead.",
}


class ProjectChangeSerializer(_ProjectFields):
    """The fields to change; the others stay. The owner is not among them: owners change by a
    transfer the new owner accepts."""

    name = JsonStringField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            elsewhere = {k: [m] for k, m in CHANGED_ELSEWHERE.items() if k in data}
            if elsewhere:
                raise serializers.ValidationError(elsewhere)
        return super().to_internal_value(data)


class GoalCreateSerializer(BodySerializer):
    """A goal: done or not, optionally measured (current_value of target_value, in unit)."""

    title = JsonStringField()
    target_date = DateStringField(help_text="Not before the project starts.")
    target_value = DecimalInputField(required=False, allow_null=True)
    current_value = DecimalInputField(required=False, allow_null=True)
    unit = JsonStringField(required=False, help_text="e.g. %, users, ms")
    done = JsonBooleanField(required=False)


class GoalChangeSerializer(GoalCreateSerializer):
    """The goal's fields to change."""

    title = JsonStringField(required=False)


class UpdatePostSerializer(BodySerializer):
    """A status update: how it is going (health) and what happened (markdown)."""

    health = JsonStringField(help_text=one_of(Health.values))
    body = JsonStringField(required=False, help_text="Markdown.")


class TransferProposeSerializer(BodySerializer):
    """Propose a new owner; they accept or decline, and until then the owner stays
    accountable."""

    to_person = _id_field("an active person")
    reason = JsonStringField()
    note = JsonStringField(required=False)


class TransferAnswerSerializer(BodySerializer):
    """An answer to a transfer, optional: why it was declined or cancelled, or the new owner's
    note on accepting."""

    answer = JsonStringField(required=False)


class ActingOwnerSerializer(BodySerializer):
    """Name an acting owner while the owner is away, until the date they are back (in the
    owner's time zone); it reverts by itself that morning."""

    acting_owner = _id_field("an active person")
    until = DateStringField(required=True, allow_null=False, help_text="The owner is back then.")
    note = JsonStringField(required=False)


@extend_schema_serializer(component_name="BulkTransferProposal")
class BulkTransferItemSerializer(StrictSerializer):
    project = _id_field("a project")
    to_person = _id_field("an active person")
    reason = JsonStringField()
    note = JsonStringField(required=False)


def bulk_proposals(data) -> tuple[list[dict], list[dict]]:
    """The body of POST /api/v1/projects/transfers/bulk/, a JSON list of proposals, checked
    row by row: (each good row's validated data, {"index", "project", "errors"} of each bad
    row). Anything but a list of 1 to MAX_BULK_TRANSFERS items is a 400 at once."""
    if not isinstance(data, list):
        raise serializers.ValidationError(
            {"detail": 'Send a JSON list of {"project", "to_person", "reason"} objects.'}
        )
    if not 1 <= len(data) <= MAX_BULK_TRANSFERS:
        raise serializers.ValidationError(
            {"detail": f"Send 1 to {MAX_BULK_TRANSFERS} proposals in one request."}
        )
    good, bad = [], []
    for index, row in enumerate(data):
        serializer = BulkTransferItemSerializer(data=row)
        if serializer.is_valid():
            good.append(dict(serializer.validated_data))
            continue
        project = row.get("project") if isinstance(row, Mapping) else None
        if isinstance(project, bool) or not isinstance(project, int) or not 1 <= project <= MAX_ID:
            project = None  # named only when it is an id
        bad.append({"index": index, "project": project, "errors": serializer.errors})
    return good, bad


# --- query strings ----------------------------------------------------------------------------


class ProjectQuerySerializer(serializers.Serializer):
    """Filters of GET /api/v1/projects/."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="In the name or slug."
    )
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(
        choices=ProjectStatus.values,
        required=False,
        allow_blank=True,
        help_text=one_of(ProjectStatus.values),
    )
    health = serializers.ChoiceField(
        choices=[*Health.values, "none"],
        required=False,
        allow_blank=True,
        help_text=one_of([*Health.values, "none"]) + " none: no update yet.",
    )
    owner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Owned or acted for by them."
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_blank=True,
        help_text="ISO code of the accountable person's country, e.g. BR.",
        error_messages={"invalid": "A country is a two-letter ISO code, e.g. BR."},
    )
    critical = serializers.BooleanField(required=False, allow_null=True, default=None)
    orphaned = serializers.BooleanField(required=False, allow_null=True, default=None)
    stale = serializers.BooleanField(required=False, allow_null=True, default=None)
