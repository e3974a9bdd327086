"""Urgent updates and the escalation state machine.

An EscalationPolicy (a team's default, or a project's override) is ordered PolicySteps, each
with PolicyTargets (who to page) and a wait before the next step, repeated `repeat_count`
more times. When an UrgentUpdate is raised the policy in force is copied into
`policy_snapshot`, so a later edit changes no escalation in flight.

The escalation itself is rows: one EscalationStep per (step, repeat) that has come due, each
with `due_at` and a status. Firing a step (escalations.engine) marks it done and writes the
next row in the same transaction; a Celery task per row is only the fast path, and the beat
sweeper fires any pending row whose time has passed. After the last step of the last repeat
one more row, the *exhaustion* row (step_index == len(snapshot steps)), comes due after the
last wait: firing it tells the org's managers and flags the update `exhausted_at`.

Every step fired, every person paged or skipped (with the reason) and every action is a
TimelineEntry row: the update page and the API read the timeline from there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import optional_person

# Bounds every way in (services, API, inbound) is held to, and the database checks.
MAX_STEPS = 10
MAX_TARGETS_PER_STEP = 10
MAX_REPEATS = 9
MAX_WAIT_MINUTES = 24 * 60


class TargetKind(models.TextChoices):
    OWNER = "owner", "Project owner (the acting owner while one is named)"
    BACKUP_OWNER = "backup_owner", "Backup owner"
    ONCALL = "oncall", "On call now for a schedule"
    TEAM_ONCALL = "team_oncall", "On call now for any of the team's schedules"
    WORKING = "working", "Team members working right now"
    LEAD = "lead", "Team leads"
    PERSON = "person", "A named person"
    MANAGERS = "managers", "The org's managers"


class EscalationPolicy(models.Model):
    """A team's default policy (project empty) or a project's override: at most one each."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_policies",
    )
    name = models.CharField(max_length=120)
    # How many more times the whole list of steps runs after the first pass.
    repeat_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = optional_person()

    class Meta:
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(project__isnull=True), name="policy_one_per_team"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(project__isnull=False),
                name="policy_one_per_project",
            ),
            models.CheckConstraint(
                condition=Q(repeat_count__lte=MAX_REPEATS), name="policy_repeat_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    # Minutes to wait after this step fired before the next one (or the next repeat).
    wait_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["policy_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="policystep_unique"),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_STEPS), name="policystep_position_bounded"
            ),
            models.CheckConstraint(
                condition=Q(wait_minutes__gte=0) & Q(wait_minutes__lte=MAX_WAIT_MINUTES),
                name="policystep_wait_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} step {self.position}"


class PolicyTarget(models.Model):
    """Who one step pages: a kind, plus the schedule or person the kind names."""

    step = models.ForeignKey(PolicyStep, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # PROTECT: people are deactivated, never deleted; the engine skips deactivated people.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # CASCADE: a deleted schedule (or its team) can page nobody.
    schedule = models.ForeignKey(
        "oncall.Schedule", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["step_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["step", "position"], name="policytarget_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values), name="policytarget_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(position__lt=MAX_TARGETS_PER_STEP),
                name="policytarget_position_bounded",
            ),
            # The person is given exactly for PERSON, the schedule exactly for ONCALL.
            models.CheckConstraint(
                condition=(Q(kind=TargetKind.PERSON) & Q(person__isnull=False))
                | (~Q(kind=TargetKind.PERSON) & Q(person__isnull=True)),
                name="policytarget_person_iff_person_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind=TargetKind.ONCALL) & Q(schedule__isnull=False))
                | (~Q(kind=TargetKind.ONCALL) & Q(schedule__isnull=True)),
                name="policytarget_schedule_iff_oncall_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.kind}"


class Severity(models.TextChoices):
    HIGH = "high", "High"  # wakes nobody but the person on call
    CRITICAL = "critical", "Critical"  # wakes everyone targeted


class UpdateState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"


# States in which an update still needs someone: the dashboards list these.
ACTIVE_STATES = (UpdateState.OPEN, UpdateState.ACKNOWLEDGED)


class RaisedVia(models.TextChoices):
    PERSON = "person", "A person"
    TOKEN = "token", "An API token"
    INTEGRATION = "integration", "An integration"


class UrgentUpdate(models.Model):
    """Something urgent on a project or a team. `team` is always set (the project's team for a
    project's update), so team reads need no join."""

    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="urgent_updates",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)  # markdown source
    body_html = models.TextField(blank=True)  # core.markdown.render_markdown of it
    severity = models.CharField(max_length=16, choices=Severity.choices)
    state = models.CharField(max_length=16, choices=UpdateState.choices, default=UpdateState.OPEN)
    raised_by = optional_person()
    raised_via = models.CharField(
        max_length=16, choices=RaisedVia.choices, default=RaisedVia.PERSON
    )
    # The token's name or the integration's label (who raised it when no person did).
    raised_by_label = models.CharField(max_length=120, blank=True)
    # An inbound source's key for "the same alert again": one active update per key and team.
    dedup_key = models.CharField(max_length=200, blank=True)
    policy_snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_by = optional_person()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = optional_person()
    resolved_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = optional_person()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Every step and repeat was spent with nobody acknowledging: managers were told, and
    # dashboards flag the update "unacknowledged" while it stays open.
    exhausted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "state", "-created_at"]),
            models.Index(fields=["project", "state"]),
            models.Index(fields=["state", "exhausted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="urgentupdate_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=UpdateState.values), name="urgentupdate_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(raised_via__in=RaisedVia.values), name="urgentupdate_via_valid"
            ),
            # Each state has the instant it was reached (an acknowledged update that is then
            # resolved keeps its acknowledgement).
            models.CheckConstraint(
                condition=~Q(state=UpdateState.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="urgentupdate_acknowledged_at",
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.RESOLVED) | Q(resolved_at__isnull=False),
                name="urgentupdate_resolved_at",
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.CANCELLED) | Q(cancelled_at__isnull=False),
                name="urgentupdate_cancelled_at",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("created_at")),
                name="urgentupdate_acknowledged_after_raised",
            ),
            models.UniqueConstraint(
                fields=["team", "dedup_key"],
                condition=~Q(dedup_key="") & Q(state__in=ACTIVE_STATES),
                name="urgentupdate_one_active_per_dedup_key",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unacknowledged(self) -> bool:
        """Flagged on dashboards: every step spent and still nobody acknowledged."""
        return self.state == UpdateState.OPEN and self.exhausted_at is not None


class StepStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its time"
    # Claimed by a firing: set and cleared inside the firing's one transaction (pending ->
    # firing -> done/skipped), so no committed row stays here.
    FIRING = "firing", "Firing"
    DONE = "done", "Fired"
    SKIPPED = "skipped", "Fired, nobody to page"
    CANCELLED = "cancelled", "Cancelled (acknowledged, resolved or cancelled first)"


class EscalationStep(models.Model):
    """One (step, repeat) of an update's escalation. step_index == len(snapshot steps) is the
    exhaustion row (see the module docstring)."""

    update = models.ForeignKey(UrgentUpdate, on_delete=models.CASCADE, related_name="steps")
    step_index = models.PositiveSmallIntegerField()
    repeat_index = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    fired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["update_id", "repeat_index", "step_index"]
        indexes = [
            models.Index(fields=["status", "due_at"]),  # the sweeper's query
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "step_index", "repeat_index"], name="escalationstep_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="escalationstep_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(step_index__lte=MAX_STEPS) & Q(repeat_index__lte=MAX_REPEATS),
                name="escalationstep_indexes_bounded",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[StepStatus.DONE, StepStatus.SKIPPED])
                | Q(fired_at__isnull=False),
                name="escalationstep_fired_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.update_id} step {self.step_index} repeat {self.repeat_index}"


class EntryKind(models.TextChoices):
    RAISED = "raised", "Raised"
    STEP_FIRED = "step_fired", "Step fired"
    NOTIFIED = "notified", "Paged"
    SKIPPED = "skipped", "Skipped"
    NOBODY = "nobody", "Nobody to page; moved on"
    EXHAUSTED = "exhausted", "Every step spent; managers told"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"
    REPEATED = "repeated", "Raised again"  # an inbound repeat of the same dedup key


class TimelineEntry(models.Model):
    """One line of an update's timeline. `person` is who was paged or skipped; `actor` who
    acted; `data` what the line was computed from (local time, zone, asleep, via which
    target) so a page can re-word it for its reader."""

    update = models.ForeignKey(UrgentUpdate, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    step = models.ForeignKey(
        EscalationStep, null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    person = optional_person()
    actor = optional_person()
    text = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["update_id", "at", "id"]
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["update", "at"]),
            models.Index(fields=["person", "kind"]),  # "was I paged for it" (permissions)
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="timelineentry_kind_valid"
            ),
            # A person is paged or skipped at most once per step, whatever re-runs.
            models.UniqueConstraint(
                fields=["step", "person"],
                condition=Q(kind__in=["notified", "skipped"]),
                name="timelineentry_once_per_step_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.update_id} {self.kind}: {self.text}"


class IntegrationKey(models.Model):
    """A team's key for a monitoring system (Alertmanager, a script) to raise urgent updates
    with POST /api/v1/integrations/{key}/updates/. The key is shown once; only its SHA-256 is
    stored (keys are 256-bit random, so a fast hash is enough, as for API tokens). Revoked
    keys stay, so the audit log and the updates they raised still name them."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The first characters of the key, to recognise it in lists; not secret.
    prefix = models.CharField(max_length=24)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = optional_person()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = optional_person()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["team_id", "-created_at", "-id"]
        constraints = [
            # Names tell a team's live keys apart; a revoked key's name may be used again.
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(revoked_at__isnull=True),
                name="integrationkey_live_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
