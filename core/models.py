"""The audit log: who did what, when and from where, for every app (written by core.audit);
and the field every app uses for "the person who did it", kept when they are deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def optional_person(related_name: str = "+") -> models.ForeignKey:
    """A link to a person that may be empty and outlives them (SET_NULL): who acted, asked,
    took or decided. Each use is the same field as the inline ForeignKey it replaced (no
    migration)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class AuditEvent(models.Model):
    """Who did what, when and from where. Written by services, never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = optional_person()
    actor_repr = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True, db_index=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=16, blank=True)  # web, api, ws, cli, system

    class Meta:
        # The table teams created before the model moved here (core/migrations/0001_initial.py
        # says why it keeps its name); the index names derive from it and stay the same too.
        db_table = "teams_auditevent"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action}"
