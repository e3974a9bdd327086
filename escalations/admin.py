"""Admin views of escalations, read-only: writes belong to the services (see core/admin.py)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import EscalationPolicy, EscalationStep, PolicyStep, TimelineEntry, UrgentUpdate


class PolicyStepInline(ReadOnlyInline):
    model = PolicyStep
    fields = ["position", "wait_minutes"]
    readonly_fields = fields


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "project", "repeat_count", "updated_at"]
    list_select_related = ["team", "project"]
    search_fields = ["name", "team__name", "project__name"]
    inlines = [PolicyStepInline]


class StepInline(ReadOnlyInline):
    model = EscalationStep
    fields = ["step_index", "repeat_index", "due_at", "status", "fired_at"]
    readonly_fields = fields


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ["at", "kind", "person", "actor", "text"]
    readonly_fields = fields


@admin.register(UrgentUpdate)
class UrgentUpdateAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "project", "severity", "state", "created_at"]
    list_filter = ["state", "severity"]
    list_select_related = ["team", "project"]
    search_fields = ["title", "team__name", "project__name"]
    raw_id_fields = ["raised_by", "acknowledged_by", "resolved_by", "cancelled_by"]
    inlines = [StepInline, TimelineInline]
