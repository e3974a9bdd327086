"""People (a Django user plus a profile), teams, memberships and org settings (the audit log
is core's: core.models.AuditEvent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class OrgRole(models.TextChoices):
    MEMBER = "member", "Member"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


class TeamRole(models.TextChoices):
    MEMBER = "member", "Member"
    LEAD = "lead", "Lead"


class Clock(models.TextChoices):
    H24 = "24h", "24-hour (14:05)"
    H12 = "12h", "12-hour (2:05 pm)"


class Profile(models.Model):
    """What Baton knows about a person beyond the login: where and when they work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64)
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2, as in pytz.country_names
    phone = models.CharField(max_length=40, blank=True)
    # Canonical form from teams.hours.normalize(); WorkingInterval rows mirror it for SQL.
    working_hours = models.JSONField(default=dict)
    org_role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    left_at = models.DateTimeField(null=True, blank=True)
    # How the person reads times: "14:05" or "2:05 pm" (core.timefmt).
    clock = models.CharField(max_length=3, choices=Clock.choices, default=Clock.H24)

    class Meta:
        indexes = [
            models.Index(fields=["display_name"]),
            models.Index(fields=["country"]),
            models.Index(fields=["time_zone"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(org_role__in=OrgRole.values), name="profile_org_role_valid"
            ),
            models.CheckConstraint(condition=Q(clock__in=Clock.values), name="profile_clock_valid"),
        ]

    def __str__(self) -> str:
        return self.display_name


class WorkingInterval(models.Model):
    """One range of a person's local week in minutes (Monday 00:00 = 0), for SQL filters; at
    most hours.MAX_STORED_MINUTES long (longer ranges are stored in pieces)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="intervals")
    # The profile's zone, copied here so "working now" is one index seek per zone.
    time_zone = models.CharField(max_length=64)
    start_minute = models.PositiveIntegerField()
    end_minute = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["time_zone", "start_minute", "end_minute"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_minute__lt=models.F("end_minute")) & Q(end_minute__lte=10080),
                name="working_interval_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.start_minute}-{self.end_minute}"


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=TeamRole.values), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.team_id} ({self.role})"


class MfaPolicy(models.TextChoices):
    PRIVILEGED = "privileged", "Managers and admins"
    EVERYONE = "everyone", "Everyone"


class OrgSettings(models.Model):
    """Org-wide switches; exactly one row (pk=1)."""

    mfa_required_for = models.CharField(
        max_length=16, choices=MfaPolicy.choices, default=MfaPolicy.PRIVILEGED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "org settings"
        verbose_name_plural = "org settings"

    def __str__(self) -> str:
        return "Org settings"
