"""Serializers of the handoffs API: output ones that render and document a note, strict input
ones that check the shape and JSON types of a body (handoffs.services checks the values)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.api import (
    MAX_ID,
    BodySerializer,
    IdRelatedField,
    InstantField,
    JsonBooleanField,
    JsonChoiceField,
    JsonIdField,
    JsonIntegerField,
    JsonStringField,
    StrictSerializer,
    one_of,
    person_brief,
)
from teams.models import Team

from .models import (
    MAX_CONTEXT_LINKS,
    MAX_ITEMS,
    MAX_RECIPIENTS,
    ItemStatus,
    RecipientsKind,
    Urgency,
)
from .validation import ITEM_ACTIONS

# --- output -------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="HandoffPerson")
class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone.")
    is_active = serializers.BooleanField()

    def to_representation(self, user):
        return person_brief(user)


@extend_schema_serializer(component_name="HandoffRecipient")
class RecipientSerializer(serializers.Serializer):
    person = PersonBriefSerializer()
    resolved_as = serializers.CharField(
        help_text='How they came to be on it: "named", "on call next for …", "…\'s next '
        'working day …", "escalated: …".'
    )
    deliver_at = InstantField(help_text="When it reaches them: their working day's start.")
    delivered_at = InstantField(allow_null=True)
    read_at = InstantField(allow_null=True)
    acknowledged_at = InstantField(allow_null=True)
    reminded_at = InstantField(allow_null=True)
    escalated_at = InstantField(allow_null=True)


@extend_schema_serializer(component_name="HandoffItem")
class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    next_action = serializers.CharField()
    owner = PersonBriefSerializer(allow_null=True)
    due_at = InstantField(allow_null=True)
    status = serializers.CharField(help_text=one_of(ItemStatus.values))
    acted_by = PersonBriefSerializer(allow_null=True)
    acted_at = InstantField(allow_null=True)
    hand_back_reason = serializers.CharField()
    carried_from = serializers.SerializerMethodField(
        help_text="The id of the item of an earlier note this one continues."
    )

    def get_carried_from(self, item) -> int | None:
        return item.carried_from_id


@extend_schema_serializer(component_name="HandoffFollowUp")
class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonBriefSerializer(allow_null=True)
    text = serializers.CharField()
    text_html = serializers.CharField()
    created_at = InstantField()


class _TeamBrief(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="HandoffLink")
class LinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


@extend_schema_serializer(component_name="HandoffNote")
class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = _TeamBrief()
    author = PersonBriefSerializer()
    title = serializers.CharField()
    summary = serializers.CharField(help_text="Markdown, as written.")
    summary_html = serializers.CharField(help_text="The summary as safe HTML.")
    ruled_out = serializers.CharField()
    ruled_out_html = serializers.CharField()
    links = LinkSerializer(many=True)
    urgency = serializers.CharField(help_text=one_of(Urgency.values))
    recipients_kind = serializers.CharField(help_text=one_of(RecipientsKind.values))
    schedule = serializers.SerializerMethodField(help_text="The schedule it is about, if any.")
    shift_start = InstantField(allow_null=True)
    shift_end = InstantField(allow_null=True)
    projects = serializers.SerializerMethodField(help_text="Ids of the projects it is about.")
    urgent_updates = serializers.SerializerMethodField(
        help_text="Ids of the urgent updates it is about."
    )
    sent_at = InstantField()
    first_acknowledged_at = InstantField(
        allow_null=True, help_text="From then on the note is never edited; follow-ups only."
    )
    recipients = RecipientSerializer(many=True, source="recipients.all")
    items = ItemSerializer(many=True, source="items.all")
    follow_ups = FollowUpSerializer(many=True, source="follow_ups.all")
    url = serializers.SerializerMethodField(help_text="The note's page.")

    def get_schedule(self, note) -> int | None:
        return note.schedule_id

    def get_projects(self, note) -> list[int]:
        return [p.pk for p in note.projects.all()]

    def get_urgent_updates(self, note) -> list[int]:
        return [u.pk for u in note.urgent_updates.all()]

    def get_url(self, note) -> str:
        return f"/handoffs/{note.pk}/"


# --- input --------------------------------------------------------------------------------------


def _id_field(what: str, **kwargs) -> JsonIdField:
    return JsonIdField(message=f"Give the id of {what} (a whole number).", **kwargs)


@extend_schema_serializer(component_name="HandoffItemInput")
class ItemInputSerializer(StrictSerializer):
    text = JsonStringField()
    next_action = JsonStringField(required=False)
    owner = _id_field("a person", required=False, help_text="One of the note's recipients.")
    due_at = JsonStringField(
        required=False, help_text="An instant with its offset, in the future (within 90 days)."
    )
    carried_from = _id_field(
        "an open item", required=False, help_text="An open item of an earlier note it continues."
    )


@extend_schema_serializer(component_name="HandoffLinkInput")
class LinkInputSerializer(StrictSerializer):
    title = JsonStringField(required=False)
    url = JsonStringField()


class HandoffCreateSerializer(BodySerializer):
    """A note, sent at once: its recipients are resolved now (named people, whoever is on call
    next for a schedule, or a team's people whose working day starts next)."""

    team = IdRelatedField(
        queryset=Team.objects.all(), message="Give the id of an existing team (one of yours)."
    )
    title = JsonStringField()
    recipients = JsonChoiceField(choices=RecipientsKind.values)
    people = serializers.ListField(
        child=_id_field("a person"),
        required=False,
        max_length=MAX_RECIPIENTS,
        help_text='For "people".',
    )
    recipients_schedule = _id_field(
        "an on-call schedule", required=False, help_text='For "next_oncall".'
    )
    recipients_team = _id_field(
        "a team", required=False, help_text='For "team_next_day"; left out: the note\'s team.'
    )
    summary = JsonStringField(required=False, help_text="Markdown.")
    ruled_out = JsonStringField(required=False, help_text="Markdown.")
    links = LinkInputSerializer(many=True, required=False)
    urgency = JsonChoiceField(choices=Urgency.values, required=False)
    schedule = _id_field("an on-call schedule of the team", required=False)
    shift_start = JsonStringField(
        required=False, help_text="With shift_end: the shift it is about."
    )
    shift_end = JsonStringField(required=False)
    projects = serializers.ListField(
        child=_id_field("a project"), required=False, max_length=MAX_CONTEXT_LINKS
    )
    urgent_updates = serializers.ListField(
        child=_id_field("an urgent update"), required=False, max_length=MAX_CONTEXT_LINKS
    )
    items = ItemInputSerializer(many=True, required=False, max_length=MAX_ITEMS)
    carry_over = JsonBooleanField(
        required=False,
        help_text="Carry the open items of earlier notes about the same schedule or projects "
        "(default true).",
    )
    prompt = _id_field(
        "a prompt of yours",
        required=False,
        help_text="The prompt this note answers (GET /api/v1/handoffs/prompts/).",
    )


class HandoffEditSerializer(BodySerializer):
    """Corrections by the author, before the first acknowledgement."""

    title = JsonStringField(required=False)
    summary = JsonStringField(required=False)
    ruled_out = JsonStringField(required=False)
    links = LinkInputSerializer(many=True, required=False)


class ItemActionSerializer(BodySerializer):
    """Act on an item (its owner; an item without one, any recipient)."""

    action = JsonChoiceField(choices=list(ITEM_ACTIONS))
    reason = JsonStringField(required=False, help_text='Required for "hand_back".')


class FollowUpCreateSerializer(BodySerializer):
    text = JsonStringField(help_text="Markdown.")


class HandoffQuerySerializer(serializers.Serializer):
    """Filters of GET /api/v1/handoffs/."""

    box = serializers.ChoiceField(
        choices=["waiting", "sent", "received", "team"],
        required=False,
        help_text="waiting: delivered to me, not acknowledged (default); sent: mine; received: "
        "every note to me; team: my teams' notes.",
    )
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# --- prompts, the digest, preferences ------------------------------------------------------------


class PromptSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="shift_end or day_end")
    schedule = serializers.IntegerField(source="schedule_id", allow_null=True)
    period_start = serializers.DateTimeField(help_text="The shift's or working day's start.")
    period_end = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    note = serializers.IntegerField(
        source="note_id", allow_null=True, help_text="The note written from it."
    )


class PromptListSerializer(serializers.Serializer):
    results = PromptSerializer(many=True)


class DigestEntrySerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField(help_text="urgent, project, item or mention (in chat)")
    text = serializers.CharField(help_text="The open item's text when included.")
    detail = serializers.CharField()
    at = serializers.DateTimeField()
    url = serializers.CharField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    carried_from = serializers.IntegerField(
        allow_null=True, help_text="Give it as the item's carried_from to carry that item."
    )
    project = serializers.IntegerField(source="project_id", allow_null=True)
    urgent_update = serializers.IntegerField(source="update_id", allow_null=True)
    carries = serializers.BooleanField(
        help_text="An open item of the schedule asked about: a note about it carries it anyway."
    )


class DigestSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    results = DigestEntrySerializer(many=True)


class DigestQuerySerializer(serializers.Serializer):
    """GET /api/v1/handoffs/digest/: a prompt's window, else the last `hours` hours."""

    prompt = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    schedule = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    hours = serializers.IntegerField(required=False, min_value=1, max_value=24 * 14)


class HandoffPreferencesSerializer(serializers.Serializer):
    prompt_minutes = serializers.IntegerField(
        help_text="Minutes before my on-call shift or working day ends that I am asked to "
        "write a note (0 = never)."
    )


class HandoffPreferencesUpdateSerializer(BodySerializer):
    prompt_minutes = JsonIntegerField(digit_strings=True, help_text="0 (never) to 1440.")
