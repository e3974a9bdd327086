"""Handoff notes: what one shift leaves for the next, tracked until the next one has it.

A HandoffNote is written by its author for a team, optionally in the context of a shift of
one of the team's schedules and of some projects and urgent updates. Its recipients are named
people, or "whoever is on call next for schedule S", or "team T's people whose working day
starts next": the last two are resolved when the note is sent (HandoffRecipient rows, each
with how it was resolved, `resolved_as`), so the note page shows who it went to and why.

Each recipient is told when their working day starts (`deliver_at`; at once when the note is
urgent), acknowledges the note (`acknowledged_at`), and is reminded and then escalated past
after some of their working hours if they do not (`remind_at`, `escalate_at`). The note's
open items (HandoffItem) are acknowledged, done or handed back (with a reason) by their
owner; an item still open when the next note of the same schedule or project is written is
carried into it (`carried_from`). After the first acknowledgement nobody edits a note: a
follow-up (HandoffFollowUp) is appended instead.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import optional_person

MAX_ITEMS = 30
MAX_RECIPIENTS = 50
MAX_CONTEXT_LINKS = 20  # projects, urgent updates


class Urgency(models.TextChoices):
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


class RecipientsKind(models.TextChoices):
    PEOPLE = "people", "Named people"
    NEXT_ONCALL = "next_oncall", "Whoever is on call next for a schedule"
    TEAM_NEXT_DAY = "team_next_day", "The team's people whose working day starts next"


class HandoffNote(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_written"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True)
    ruled_out = models.TextField(blank=True)
    ruled_out_html = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)  # [{"title", "url"}], core.validation
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)

    # How the recipients were asked for (the people themselves: HandoffRecipient).
    recipients_kind = models.CharField(max_length=20, choices=RecipientsKind.choices)
    recipients_schedule = models.ForeignKey(
        "oncall.Schedule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients_team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Context: a shift of a schedule, projects, urgent updates.
    schedule = models.ForeignKey(
        "oncall.Schedule",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handoff_notes",
    )
    shift_start = models.DateTimeField(null=True, blank=True)
    shift_end = models.DateTimeField(null=True, blank=True)
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="handoffs")
    urgent_updates = models.ManyToManyField(
        "escalations.UrgentUpdate", blank=True, related_name="handoffs"
    )

    sent_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the first acknowledgement of the note or an item: from then on it is never edited.
    first_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # An urgent note nobody acknowledged raises an urgent update, once.
    urgent_update_raised = models.ForeignKey(
        "escalations.UrgentUpdate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-sent_at"], name="handoff_team_sent"),
            models.Index(fields=["schedule", "-sent_at"], name="handoff_schedule_sent"),
            models.Index(fields=["author", "-sent_at"], name="handoff_author_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="handoff_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(recipients_kind__in=RecipientsKind.values),
                name="handoff_recipients_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(shift_start__isnull=True)
                | Q(shift_end__isnull=True)
                | Q(shift_end__gt=models.F("shift_start")),
                name="handoff_shift_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def locked(self) -> bool:
        """Acknowledged once: no more edits, only follow-ups."""
        return self.first_acknowledged_at is not None


class HandoffRecipient(models.Model):
    """One person a note went to, how they came to be on it, and where they are with it."""

    note = models.ForeignKey(HandoffNote, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "named", "on call next for Primary from Tue 09:00", "Platform's next working day".
    resolved_as = models.CharField(max_length=200, blank=True)
    deliver_at = models.DateTimeField()  # their working day's start, or at once when urgent
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["note_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "person"], name="handoff_recipient_once"),
        ]
        indexes = [
            # The sweepers: what comes due (partial: only rows still waiting).
            models.Index(
                fields=["deliver_at"],
                condition=Q(delivered_at__isnull=True),
                name="handoff_rcpt_to_deliver",
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(acknowledged_at__isnull=True, reminded_at__isnull=True),
                name="handoff_rcpt_to_remind",
            ),
            models.Index(
                fields=["escalate_at"],
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="handoff_rcpt_to_escalate",
            ),
            models.Index(fields=["person", "acknowledged_at"], name="handoff_rcpt_person"),
        ]

    def __str__(self) -> str:
        return f"{self.note_id} → {self.person_id}"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DONE = "done", "Done"
    HANDED_BACK = "handed_back", "Handed back"


OPEN_ITEM_STATUSES = (ItemStatus.OPEN, ItemStatus.ACKNOWLEDGED)


class HandoffItem(models.Model):
    """An open item: what is left, who has it, what to do next and by when."""

    note = models.ForeignKey(HandoffNote, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    next_action = models.CharField(max_length=500, blank=True)
    owner = optional_person()  # a recipient; empty: any recipient takes it
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    acted_by = optional_person()
    acted_at = models.DateTimeField(null=True, blank=True)
    hand_back_reason = models.CharField(max_length=500, blank=True)
    # The item of an earlier note this one continues (carried over while still open).
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )

    class Meta:
        ordering = ["note_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "position"], name="handoff_item_position"),
            models.CheckConstraint(
                condition=Q(status__in=ItemStatus.values), name="handoff_item_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ItemStatus.OPEN) | Q(acted_at__isnull=False),
                name="handoff_item_acted_when",
            ),
            models.CheckConstraint(
                condition=~Q(status=ItemStatus.HANDED_BACK) | ~Q(hand_back_reason=""),
                name="handoff_item_hand_back_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ITEM_STATUSES


class HandoffFollowUp(models.Model):
    """A line appended to a note after it was acknowledged (notes are never edited then)."""

    note = models.ForeignKey(HandoffNote, on_delete=models.CASCADE, related_name="follow_ups")
    author = optional_person()
    text = models.TextField()
    text_html = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["note_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


DEFAULT_PROMPT_MINUTES = 60
MAX_PROMPT_MINUTES = 24 * 60


class HandoffPreferences(models.Model):
    """How long before their shift (or working day) ends a person is asked to write a note;
    0: never ask. Without a row: DEFAULT_PROMPT_MINUTES."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="handoff_preferences"
    )
    prompt_minutes = models.PositiveIntegerField(default=DEFAULT_PROMPT_MINUTES)

    class Meta:
        verbose_name = "handoff preferences"
        verbose_name_plural = "handoff preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(prompt_minutes__lte=MAX_PROMPT_MINUTES),
                name="handoff_prompt_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: asked {self.prompt_minutes} min before the end"


class PromptKind(models.TextChoices):
    SHIFT_END = "shift_end", "On-call shift ending"
    DAY_END = "day_end", "Working day ending with open items"


class HandoffPrompt(models.Model):
    """ "Write your handoff": sent once per shift end (schedule, person, end instant) or per
    working day with open items (person, local date). `key` makes it once however often the
    beat runs; the composer opened from it is pre-filled with the digest of [period_start,
    period_end); `note` is the note written from it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=PromptKind.choices)
    schedule = models.ForeignKey(
        "oncall.Schedule", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField()
    note = models.ForeignKey(
        HandoffNote, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="handoff_prompt_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PromptKind.values), name="handoff_prompt_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="handoff_prompt_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(kind=PromptKind.SHIFT_END) | Q(schedule__isnull=False),
                name="handoff_prompt_shift_has_schedule",
            ),
        ]

    def __str__(self) -> str:
        return self.key
