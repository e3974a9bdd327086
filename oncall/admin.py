"""Admin views of on-call data, read-only: writes belong to the services (see core/admin.py)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    IcalFeed,
    Layer,
    LayerVersion,
    OncallPreferences,
    Override,
    Schedule,
    SwapRequest,
)


class LayerVersionInline(ReadOnlyInline):
    model = LayerVersion
    readonly_fields = [f.name for f in LayerVersion._meta.fields]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "team", "time_zone", "requires_lead_approval_for_swaps"]
    search_fields = ["name", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["team", "created_at", "updated_at"]


@admin.register(Layer)
class LayerAdmin(ReadOnlyAdmin):
    list_display = ["name", "schedule", "created_at", "removed_at"]
    list_select_related = ["schedule"]
    search_fields = ["name", "schedule__name"]
    readonly_fields = ["schedule", "created_at", "removed_at"]
    inlines = [LayerVersionInline]


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "person", "start", "end", "created_at"]
    list_select_related = ["schedule", "person"]
    raw_id_fields = ["schedule", "person", "created_by"]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "requester", "taker", "start", "end", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["schedule", "requester", "taker"]
    raw_id_fields = ["schedule", "requester", "asked", "taker", "override", "decided_by"]


@admin.register(IcalFeed)
class IcalFeedAdmin(ReadOnlyAdmin):
    list_display = ["owner", "schedule", "token_prefix", "created_at", "revoked_at"]
    list_select_related = ["owner", "schedule"]
    readonly_fields = ["owner", "schedule", "token_hash", "token_prefix", "created_at"]


@admin.register(OncallPreferences)
class OncallPreferencesAdmin(ReadOnlyAdmin):
    list_display = ["user", "shift_notice_minutes"]
    raw_id_fields = ["user"]
