"""The escalations API's serializers (escalations/api.py).

Output serializers render every answer and, through @extend_schema, document it (the schema is
made from the fields that render the JSON; tests/escalations/test_api.py walks the answers
beside it). Instants are UTC ISO-8601 ending in "Z".

Input serializers are strict (an unknown key is a 400) and check only the shape and the JSON
types of what is sent, without coercing: the services (with escalations/validation.py) stay
the one place that validates values, for the API, the pages and the inbound webhook alike.
The inbound bodies are documented here but read by validation.clean_inbound, since a
monitoring system's body carries many fields Baton ignores.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.api import (
    MAX_ID,
    BodySerializer,
    InstantField,
    JsonChoiceField,
    JsonIdField,
    JsonIntegerField,
    JsonStringField,
    StrictSerializer,
    one_of,
    person_brief,
)

from .models import (
    MAX_STEPS,
    MAX_TARGETS_PER_STEP,
    EntryKind,
    RaisedVia,
    Severity,
    StepStatus,
    TargetKind,
    UpdateState,
)
from .routing import step_label

# --- output: people, places -------------------------------------------------------------------


@extend_schema_serializer(component_name="EscalationPerson")
class PersonBriefSerializer(serializers.Serializer):
    """A person: who, and where in the world."""

    id = serializers.IntegerField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone.")
    is_active = serializers.BooleanField(help_text="False once the person was deactivated.")

    def to_representation(self, user):
        return person_brief(user)


@extend_schema_serializer(component_name="EscalationTeam")
class TeamBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="EscalationProject")
class ProjectBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class UpdatePathField(serializers.CharField):
    """The path of the update's page (its project's or team's until the update page exists)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("help_text", "The path of its page in Baton.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        from .engine import update_url

        return update_url(value)


# --- output: urgent updates -------------------------------------------------------------------


@extend_schema_serializer(component_name="UrgentUpdatePolicyCopy")
class PolicyCopySerializer(serializers.Serializer):
    """The policy copied into the update when it was raised (later edits do not change it)."""

    name = serializers.CharField()
    source = serializers.CharField(
        help_text="project (its override), team (the team's default) or default (Baton's)."
    )
    policy_id = serializers.IntegerField(allow_null=True, help_text="Null: Baton's default.")
    repeat_count = serializers.IntegerField()
    steps = serializers.IntegerField(help_text="How many steps one pass has.")

    def to_representation(self, snapshot):
        return {
            "name": snapshot.get("name", ""),
            "source": snapshot.get("source", "default"),
            "policy_id": snapshot.get("policy_id"),
            "repeat_count": int(snapshot.get("repeat_count") or 0),
            "steps": len(snapshot.get("steps") or []),
        }


@extend_schema_serializer(component_name="UrgentUpdate")
class UrgentUpdateSerializer(serializers.Serializer):
    """An urgent update as selectors.updates_visible_to reads it (people joined)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    # Strings documented with their values, not enums (enums of other apps share names).
    severity = serializers.CharField(help_text=one_of(Severity.values))
    state = serializers.CharField(help_text=one_of(UpdateState.values))
    unacknowledged = serializers.BooleanField(
        help_text="Open, and every step was spent with nobody acknowledging."
    )
    team = TeamBriefSerializer()
    project = ProjectBriefSerializer(allow_null=True, help_text="Null: a team's update.")
    body = serializers.CharField(allow_blank=True, help_text="Markdown, as written.")
    body_html = serializers.CharField(allow_blank=True, help_text="The body as safe HTML.")
    raised_by = PersonBriefSerializer(allow_null=True, help_text="Null: an integration.")
    raised_via = serializers.CharField(help_text=one_of(RaisedVia.values))
    raised_by_label = serializers.CharField(
        allow_blank=True, help_text="The integration key's name (or the API token's)."
    )
    dedup_key = serializers.CharField(allow_blank=True)
    policy = PolicyCopySerializer(source="policy_snapshot")
    created_at = InstantField()
    updated_at = InstantField()
    acknowledged_by = PersonBriefSerializer(allow_null=True)
    acknowledged_at = InstantField(allow_null=True)
    resolved_by = PersonBriefSerializer(allow_null=True)
    resolved_at = InstantField(allow_null=True)
    cancelled_by = PersonBriefSerializer(allow_null=True)
    cancelled_at = InstantField(allow_null=True)
    exhausted_at = InstantField(
        allow_null=True, help_text="When every step was spent and the managers were told."
    )
    url = UpdatePathField()


@extend_schema_serializer(component_name="EscalationStepTarget")
class StepTargetSerializer(serializers.Serializer):
    """A person a step paged or skipped, as they were at that instant."""

    person = PersonBriefSerializer(allow_null=True, help_text="Null: the person was deleted.")
    via = serializers.CharField(
        allow_blank=True, help_text='The target that reached them, e.g. "on call: Primary".'
    )
    time_zone = serializers.CharField(allow_blank=True)
    local_time = serializers.CharField(
        allow_blank=True, help_text="Their wall clock then, ISO-8601 with its offset."
    )
    working = serializers.BooleanField()
    asleep = serializers.BooleanField()
    oncall = serializers.BooleanField()
    reason = serializers.CharField(
        allow_blank=True, help_text='Why skipped: "asleep" or "left"; blank when paged.'
    )
    text = serializers.CharField(help_text="The timeline's line for them.")


@extend_schema_serializer(component_name="EscalationStep")
class StepSerializer(serializers.Serializer):
    """One (step, repeat) of the escalation: when it was due, whether it fired, who it
    paged and who it skipped."""

    id = serializers.IntegerField()
    step = serializers.IntegerField(
        help_text="From 1; one more than the policy's steps for the exhaustion row."
    )
    repeat = serializers.IntegerField(help_text="0 on the first pass.")
    label = serializers.CharField()
    exhaustion = serializers.BooleanField(
        help_text="The row after the last step: tells the managers nobody acknowledged."
    )
    status = serializers.CharField(help_text=one_of(StepStatus.values))
    due_at = InstantField()
    fired_at = InstantField(allow_null=True)
    notified = StepTargetSerializer(many=True)
    skipped = StepTargetSerializer(many=True)


@extend_schema_serializer(component_name="UrgentUpdateTimelineEntry")
class TimelineEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = InstantField()
    kind = serializers.CharField(help_text=one_of(EntryKind.values))
    text = serializers.CharField()
    step = serializers.IntegerField(
        source="step_id", allow_null=True, help_text="The step row's id (steps[].id)."
    )
    person = PersonBriefSerializer(allow_null=True, help_text="Who was paged or skipped.")
    actor = PersonBriefSerializer(allow_null=True, help_text="Who acted.")


@extend_schema_serializer(component_name="UrgentUpdateDetail")
class UrgentUpdateDetailSerializer(UrgentUpdateSerializer):
    """An update with its escalation (set by with_escalation)."""

    steps = StepSerializer(many=True, source="api_steps")
    timeline = TimelineEntrySerializer(many=True, source="api_timeline")


def _target(entry) -> dict:
    data = entry.data or {}
    skipped = entry.kind == EntryKind.SKIPPED
    reason = ""
    if skipped:
        reason = "left" if entry.text.endswith("skipped: has left") else "asleep"
    return {
        "person": entry.person,
        "via": str(data.get("via", "")),
        "time_zone": str(data.get("time_zone", "")),
        "local_time": str(data.get("local_time", "")),
        "working": bool(data.get("working", False)),
        "asleep": bool(data.get("asleep", False)),
        "oncall": bool(data.get("oncall", False)),
        "reason": reason,
        "text": entry.text,
    }


def with_escalation(update, steps, entries):
    """`update` with `api_steps` (each step row with the people it paged and skipped, from
    the timeline) and `api_timeline` set, for UrgentUpdateDetailSerializer. No query."""
    count = len((update.policy_snapshot or {}).get("steps") or [])
    by_step: dict[int, dict[str, list]] = {}
    for entry in entries:
        if entry.step_id is not None and entry.kind in (EntryKind.NOTIFIED, EntryKind.SKIPPED):
            group = by_step.setdefault(entry.step_id, {"notified": [], "skipped": []})
            group["notified" if entry.kind == EntryKind.NOTIFIED else "skipped"].append(
                _target(entry)
            )
    update.api_steps = [
        {
            "id": step.pk,
            "step": step.step_index + 1,
            "repeat": step.repeat_index,
            "label": step_label(step.step_index, step.repeat_index, steps=count),
            "exhaustion": step.step_index >= count,
            "status": step.status,
            "due_at": step.due_at,
            "fired_at": step.fired_at,
            **by_step.get(step.pk, {"notified": [], "skipped": []}),
        }
        for step in steps
    ]
    update.api_timeline = entries
    return update


# --- output: policies -------------------------------------------------------------------------


@extend_schema_serializer(component_name="EscalationSchedule")
class ScheduleBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="EscalationPolicyTarget")
class PolicyTargetSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=one_of(TargetKind.values))
    person = PersonBriefSerializer(allow_null=True, help_text='Set for "person" only.')
    schedule = ScheduleBriefSerializer(allow_null=True, help_text='Set for "oncall" only.')


@extend_schema_serializer(component_name="EscalationPolicyStep")
class PolicyStepSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="From 0.")
    wait_minutes = serializers.IntegerField(help_text="Before the next step (or repeat).")
    targets = PolicyTargetSerializer(many=True)


@extend_schema_serializer(component_name="EscalationPolicy")
class PolicySerializer(serializers.Serializer):
    """A team's default policy (project null) or a project's override."""

    id = serializers.IntegerField()
    team = TeamBriefSerializer()
    project = ProjectBriefSerializer(allow_null=True, help_text="Null: the team's default.")
    name = serializers.CharField()
    repeat_count = serializers.IntegerField(
        help_text="How many more times every step runs after the first pass."
    )
    steps = PolicyStepSerializer(many=True)
    created_at = InstantField()
    updated_at = InstantField()
    updated_by = PersonBriefSerializer(allow_null=True)


# --- output: integration keys -----------------------------------------------------------------


@extend_schema_serializer(component_name="IntegrationKey")
class IntegrationKeySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = TeamBriefSerializer()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, to recognise it.")
    revoked = serializers.BooleanField()
    created_by = PersonBriefSerializer(allow_null=True)
    created_at = InstantField()
    revoked_by = PersonBriefSerializer(allow_null=True)
    revoked_at = InstantField(allow_null=True)
    last_used_at = InstantField(allow_null=True, help_text="To the minute.")


@extend_schema_serializer(component_name="IntegrationKeyCreated")
class IntegrationKeyCreatedSerializer(IntegrationKeySerializer):
    """The new key, shown this once: Baton keeps only its hash."""

    key = serializers.CharField(help_text="The secret: shown once, never again.")
    inbound_path = serializers.CharField(
        help_text="Where the monitoring system POSTs its alerts (the key is in it)."
    )


# --- output: inbound --------------------------------------------------------------------------


@extend_schema_serializer(component_name="InboundUpdate")
class InboundUpdateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    severity = serializers.CharField(help_text=one_of(Severity.values))
    state = serializers.CharField(help_text=one_of(UpdateState.values))
    dedup_key = serializers.CharField(allow_blank=True)


INBOUND_ACTIONS = ("created", "repeated", "resolved", "ignored")


@extend_schema_serializer(component_name="InboundResult")
class InboundResultSerializer(serializers.Serializer):
    """What the alert did (a monitoring system has no right to read the update itself)."""

    action = serializers.CharField(
        help_text=one_of(INBOUND_ACTIONS)
        + " repeated: an open update had the same dedup key; its timeline says so."
        " ignored: a resolved alert with no open update."
    )
    update = InboundUpdateSerializer(allow_null=True, help_text="Null when ignored.")


# --- input: urgent updates --------------------------------------------------------------------


def _id_field(what: str, **kwargs) -> JsonIdField:
    return JsonIdField(message=f"Give the id of {what} (a whole number).", **kwargs)


class UrgentUpdateRaiseSerializer(BodySerializer):
    """An urgent update on a project (or on a team: give one of them). Its escalation starts
    at once, by the project's policy, else the team's, else Baton's default."""

    project = _id_field("a project", required=False)
    team = _id_field("a team", required=False)
    title = JsonStringField()
    body = JsonStringField(required=False, help_text="Markdown.")
    severity = JsonChoiceField(
        choices=Severity.values,
        help_text="high: skips whoever is asleep unless on call; critical: wakes everyone.",
    )


class NoteSerializer(BodySerializer):
    """An optional note for the timeline (up to 300 characters)."""

    note = JsonStringField(required=False)


class UrgentUpdateQuerySerializer(serializers.Serializer):
    """Filters of GET /api/v1/urgent-updates/."""

    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    state = serializers.ChoiceField(
        choices=UpdateState.values,
        required=False,
        allow_blank=True,
        help_text=one_of(UpdateState.values),
    )


class PolicyQuerySerializer(serializers.Serializer):
    """Filters of GET /api/v1/escalation-policies/."""

    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# --- input: policies --------------------------------------------------------------------------


@extend_schema_serializer(component_name="EscalationPolicyTargetInput")
class PolicyTargetInputSerializer(StrictSerializer):
    kind = JsonChoiceField(choices=TargetKind.values)
    schedule_id = _id_field("an on-call schedule", required=False, help_text='For "oncall".')
    person_id = _id_field("a person", required=False, help_text='For "person".')


@extend_schema_serializer(component_name="EscalationPolicyStepInput")
class PolicyStepInputSerializer(StrictSerializer):
    wait_minutes = JsonIntegerField(help_text="0 to 1440: the wait before the next step.")
    targets = serializers.ListField(
        child=PolicyTargetInputSerializer(),
        max_length=MAX_TARGETS_PER_STEP,
        error_messages={"max_length": f"A step has at most {MAX_TARGETS_PER_STEP} targets."},
    )


class _PolicyFields(BodySerializer):
    name = JsonStringField(required=False, help_text="Left out: made from the team or project.")
    repeat_count = JsonIntegerField(required=False, help_text="0 to 9; left out: 0.")
    steps = serializers.ListField(
        child=PolicyStepInputSerializer(),
        max_length=MAX_STEPS,
        error_messages={"max_length": f"A policy has at most {MAX_STEPS} steps."},
        help_text="1 to 10 steps, in order, each with 1 to 10 targets.",
    )


class PolicySetSerializer(_PolicyFields):
    """The policy of a team (its default) or of a project (an override): created, or
    replaced as a whole when it has one. Updates raised before keep the copy they took."""

    team = _id_field("a team", required=False)
    project = _id_field("a project", required=False)


class PolicyReplaceSerializer(_PolicyFields):
    """The policy's steps, repeat count and name, replaced as a whole."""


# --- input: integration keys and inbound ------------------------------------------------------


class IntegrationKeyCreateSerializer(BodySerializer):
    """A new key for a monitoring system; the answer shows it once."""

    name = JsonStringField(help_text='e.g. "Alertmanager prod"; unique among live keys.')


@extend_schema_serializer(component_name="AlertmanagerAlert")
class AlertmanagerAlertSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="firing or resolved.")
    labels = serializers.DictField(child=serializers.CharField())
    annotations = serializers.DictField(child=serializers.CharField(), required=False)
    startsAt = serializers.CharField(required=False)  # noqa: N815 - Alertmanager's name
    endsAt = serializers.CharField(required=False)  # noqa: N815
    generatorURL = serializers.CharField(required=False)  # noqa: N815
    fingerprint = serializers.CharField(required=False)


@extend_schema_serializer(component_name="AlertmanagerWebhook")
class AlertmanagerWebhookSerializer(serializers.Serializer):
    """Alertmanager's webhook body (version 4). One urgent update per group: severity from
    labels.severity (critical, emergency, page, p1 or sev1: critical; else high), the title
    from annotations.summary or labels.alertname, the dedup key from groupKey (else the
    first alert's fingerprint), the project from a `baton_project` label (slug or id).
    "resolved" resolves the open update of the group."""

    version = serializers.CharField(help_text='"4".')
    status = serializers.CharField(help_text="firing or resolved.")
    alerts = AlertmanagerAlertSerializer(many=True)
    groupKey = serializers.CharField(required=False)  # noqa: N815
    receiver = serializers.CharField(required=False)
    truncatedAlerts = serializers.IntegerField(required=False, min_value=0)  # noqa: N815
    groupLabels = serializers.DictField(child=serializers.CharField(), required=False)  # noqa: N815
    commonLabels = serializers.DictField(child=serializers.CharField(), required=False)  # noqa: N815
    commonAnnotations = serializers.DictField(  # noqa: N815
        child=serializers.CharField(), required=False
    )
    externalURL = serializers.CharField(required=False)  # noqa: N815


@extend_schema_serializer(component_name="GenericAlert")
class GenericAlertSerializer(serializers.Serializer):
    """Any other system's alert. A repeat with the same dedup_key while its update is open
    or acknowledged is added to that update's timeline."""

    title = serializers.CharField()
    body = serializers.CharField(required=False, help_text="Markdown.")
    severity = serializers.CharField(required=False, help_text=one_of(Severity.values))
    dedup_key = serializers.CharField(required=False)
    project = serializers.CharField(
        required=False, help_text="The project's slug (or id) in the key's team."
    )
