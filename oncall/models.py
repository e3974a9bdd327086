"""On-call data: schedules, layers with history, overrides, swap requests, iCal feeds.

A layer's rotation rules live in LayerVersion rows. Editing a layer never rewrites the past:
the current version is closed at the edit's `effective_from` and a new version starts there
(same rotation phase unless the edit changes `start`). Deleting a layer closes its last version,
so shifts before the deletion stay in the final answer. Participants and restriction windows are
stored on the version as JSON because a version is immutable once written.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import optional_person


class ShiftUnit(models.TextChoices):
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"
    WEEKS = "weeks", "Weeks"


class Schedule(models.Model):
    # CASCADE: deleting a team (admins only, audited) takes its schedules with it.
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64)  # the default view zone of its pages
    requires_lead_approval_for_swaps = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["team", "name"])]

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    """A rotation layer's identity; its rules over time are its versions."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the layer is deleted (its last version is closed at the same instant).
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]  # creation order breaks priority ties

    def __str__(self) -> str:
        return self.name


class LayerVersion(models.Model):
    """The rules of a layer over [effective_from, effective_to)."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateTimeField()
    effective_to = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=0)
    time_zone = models.CharField(max_length=64)
    start_date = models.DateField()  # with start_time: the naive local wall time of handoff 0
    start_time = models.TimeField()
    shift_count = models.PositiveIntegerField()
    shift_unit = models.CharField(max_length=8, choices=ShiftUnit.choices)
    participants = models.JSONField(default=list)  # ordered person ids, repeats allowed
    end = models.DateTimeField(null=True, blank=True)
    restrictions = models.JSONField(default=list)  # [{"days": [0..6], "start", "end"}]
    fair = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = optional_person()

    class Meta:
        ordering = ["layer_id", "effective_from", "id"]
        indexes = [models.Index(fields=["layer", "effective_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(shift_count__gte=1), name="layerversion_count_pos"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="layerversion_interval_ordered",
            ),
            models.CheckConstraint(
                condition=Q(shift_unit__in=ShiftUnit.values), name="layerversion_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.layer_id} from {self.effective_from:%Y-%m-%d %H:%M}"


class Participation(models.Model):
    """`person` appears in some version of a layer of `schedule` (kept when they rotate out).

    A denormalised index of LayerVersion.participants, written by the services, so "my
    shifts" and "schedules I may read" are one indexed query rather than a JSON scan.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_participations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "schedule"], name="participation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.schedule_id}"


class Override(models.Model):
    """`person` is on call over [start, end); the newest override wins over everything."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_overrides"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = optional_person()

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["schedule", "end"]),
            models.Index(fields=["person", "end"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="override_interval_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.start:%Y-%m-%d %H:%M}-{self.end:%Y-%m-%d %H:%M}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"  # taken; awaiting the lead when the schedule requires it
    APPROVED = "approved", "Approved"  # the lead approved; the override exists
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


OPEN_SWAP_STATUSES = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)


class SwapRequest(models.Model):
    """A person gives away [start, end) of their own shifts; a taker gets it as an override.

    `override` is set once the swap is in force: at acceptance when the schedule needs no lead
    approval (status stays `accepted`), else at approval (status `approved`).
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="swaps")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swaps_requested"
    )
    # Optional: asked of one person; otherwise any eligible team member may take it.
    asked = optional_person("swaps_asked")
    taker = optional_person("swaps_taken")
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=SwapStatus.choices, default=SwapStatus.REQUESTED
    )
    override = models.OneToOneField(
        Override, null=True, blank=True, on_delete=models.SET_NULL, related_name="swap"
    )
    decided_by = optional_person()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "start"]),
            models.Index(fields=["schedule", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="swap_ordered"),
            models.CheckConstraint(
                condition=Q(status__in=SwapStatus.values), name="swap_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"swap {self.pk} ({self.status})"

    @property
    def awaiting_approval(self) -> bool:
        return self.status == SwapStatus.ACCEPTED and self.override_id is None


class IcalFeed(models.Model):
    """A secret feed URL: the owner's shifts (schedule null) or one schedule's final answer.

    Only a SHA-256 of the token is stored; the raw token is shown once, in the URL. A feed
    answers only while its owner may still read what it shows (checked on every request).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ical_feeds"
    )
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.CASCADE, related_name="ical_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8)  # to recognise a feed in lists
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # "iCal" would be capitalised to "ICal" by the admin.
        verbose_name = "calendar feed"
        indexes = [models.Index(fields=["owner", "schedule", "revoked_at"])]

    def __str__(self) -> str:
        return f"feed {self.token_prefix}… of {self.owner_id}"


class OncallPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oncall_preferences"
    )
    shift_notice_minutes = models.PositiveIntegerField(default=60)

    class Meta:
        verbose_name = "on-call preferences"
        verbose_name_plural = "on-call preferences"

    def __str__(self) -> str:
        return f"{self.user_id}: notice {self.shift_notice_minutes} min"


DEFAULT_SHIFT_NOTICE_MINUTES = 60
