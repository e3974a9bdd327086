"""Projects, each with one accountable owner; goals, status updates, ownership transfers and
the history of who was accountable when.

The owner is accountable. While an acting owner is named (the owner is on leave), the acting
owner is accountable until `acting_until`, when it reverts by itself. A project whose
owner or acting owner has been deactivated is *orphaned* (computed from the people's rows,
never stored, so it cannot go stale). Changing the owner is never an edit: it is an
OwnershipTransfer the new owner accepts.

Update cadence: `update_due_on` is the owner's local date on which the next status update falls
due; `remind_at` the instant of the reminder (the start of the owner's working day that date,
cleared once sent); `stale_at` the instant after which the project counts as stale (N of the
owner's working days without an update). All three are written by the services from
projects.cadence and re-computed when the owner, their hours or the cadence change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which a project is still being worked on: reminders, staleness and the
# overload/bus-factor findings only count these.
OPEN_STATUSES = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.PAUSED)


class Priority(models.IntegerChoices):
    NONE = 0, "No priority"
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class Health(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class Project(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    # PROTECT: deleting a team or a person must never take projects (and their history) along.
    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="projects")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects"
    )
    backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backup_projects",
    )
    acting_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acting_projects",
    )
    acting_until = models.DateTimeField(null=True, blank=True)  # the acting owner reverts then
    acting_note = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)  # markdown source
    description_html = models.TextField(blank=True)  # core.markdown.render_markdown of it
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NONE)
    critical = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    links = models.JSONField(default=list, blank=True)  # [{"title": str, "url": str}]
    # The latest status update's health ("" until the first update).
    health = models.CharField(max_length=16, choices=Health.choices, blank=True)
    update_cadence_days = models.PositiveSmallIntegerField(default=7)
    last_update_at = models.DateTimeField(null=True, blank=True)
    update_due_on = models.DateField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    stale_at = models.DateTimeField(null=True, blank=True)
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Watch", related_name="watched_projects"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["status", "health"]),
            models.Index(fields=["remind_at"]),
            models.Index(fields=["acting_until"]),
            models.Index(fields=["stale_at"]),
            models.Index(fields=["name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values), name="project_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(health__in=["", *Health.values]), name="project_health_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__lte=max(Priority.values)), name="project_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(update_cadence_days__gte=1) & Q(update_cadence_days__lte=90),
                name="project_cadence_range",
            ),
            models.CheckConstraint(
                condition=Q(backup_owner__isnull=True) | ~Q(backup_owner=F("owner")),
                name="project_backup_not_owner",
            ),
            models.CheckConstraint(
                condition=Q(acting_owner__isnull=True, acting_until__isnull=True)
                | (
                    Q(acting_owner__isnull=False, acting_until__isnull=False)
                    & ~Q(acting_owner=F("owner"))
                ),
                name="project_acting_complete",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(target_date__isnull=True)
                | Q(target_date__gte=F("start_date")),
                name="project_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accountable_id(self) -> int:
        """Who answers for the project now: the acting owner while one is named."""
        return self.acting_owner_id or self.owner_id


class Watch(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="watches")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_watches"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="watch_unique"),
        ]
        indexes = [models.Index(fields=["person", "project"])]

    def __str__(self) -> str:
        return f"{self.person_id} watches {self.project_id}"


class Goal(models.Model):
    """A goal the owner sets: done or not, optionally measured (current of target, in unit)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    target_date = models.DateField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    current_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=24, blank=True)
    done = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id", "position", "id"]
        indexes = [models.Index(fields=["project", "position"])]

    def __str__(self) -> str:
        return self.title


class ProjectUpdate(models.Model):
    """A status update; `snapshot` is what the project looked like when it was posted and
    `changes` what changed since the previous update (computed once, at posting)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_updates"
    )
    health = models.CharField(max_length=16, choices=Health.choices)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    snapshot = models.JSONField(default=dict)
    changes = models.JSONField(default=list)  # [{"what": str, "before": str, "after": str}]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(health__in=Health.values), name="projectupdate_health_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.health} {self.created_at:%Y-%m-%d}"


class TransferState(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class OwnershipTransfer(models.Model):
    """A proposal to hand a project to a new owner; the old owner stays accountable until the
    proposed owner accepts. At most one pending proposal per project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transfers")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incoming_transfers"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    state = models.CharField(
        max_length=16, choices=TransferState.choices, default=TransferState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.CharField(max_length=300, blank=True)  # why declined or cancelled

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["to_person", "state"]),
            models.Index(fields=["state", "expires_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(state="pending"),
                name="transfer_one_pending_per_project",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TransferState.values), name="transfer_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(to_person=F("from_owner")), name="transfer_to_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_owner_id} -> {self.to_person_id} ({self.state})"


class HistoryKind(models.TextChoices):
    CREATED = "created", "Created"
    OWNER = "owner", "Owner"
    BACKUP = "backup", "Backup owner"
    ACTING = "acting", "Acting owner"
    STATUS = "status", "Status"
    TRANSFER_PROPOSED = "transfer_proposed", "Transfer proposed"
    TRANSFER_DECLINED = "transfer_declined", "Transfer declined"
    TRANSFER_CANCELLED = "transfer_cancelled", "Transfer cancelled"
    TRANSFER_EXPIRED = "transfer_expired", "Transfer expired"
    ORPHANED = "orphaned", "Orphaned"


class ProjectHistory(models.Model):
    """One change of who is accountable or of the project's status, for the project page (the
    audit log keeps the same writes org-wide, with where they came from)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=HistoryKind.choices)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "-at"])]
        verbose_name_plural = "project history"

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
