"""Admin views of projects, read-only: writes belong to the services (see core/admin.py)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Goal, OwnershipTransfer, Project, ProjectHistory, ProjectUpdate


class GoalInline(ReadOnlyInline):
    model = Goal
    fields = ["title", "target_date", "target_value", "current_value", "unit", "done"]
    readonly_fields = fields


class HistoryInline(ReadOnlyInline):
    model = ProjectHistory
    fields = ["at", "kind", "before", "after", "note", "actor"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "owner", "acting_owner", "status", "health", "critical"]
    list_filter = ["status", "health", "critical"]
    list_select_related = ["team", "owner", "acting_owner"]
    search_fields = ["name", "slug", "team__name"]
    raw_id_fields = ["owner", "backup_owner", "acting_owner"]
    inlines = [GoalInline, HistoryInline]


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(ReadOnlyAdmin):
    list_display = ["project", "health", "author", "created_at"]
    list_filter = ["health"]
    list_select_related = ["project", "author"]
    search_fields = ["project__name"]


@admin.register(OwnershipTransfer)
class OwnershipTransferAdmin(ReadOnlyAdmin):
    list_display = ["project", "from_owner", "to_person", "state", "created_at", "expires_at"]
    list_filter = ["state"]
    list_select_related = ["project", "from_owner", "to_person"]
    search_fields = ["project__name"]
