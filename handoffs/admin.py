"""Admin views of handoffs, read-only: writes belong to the services (see core/admin.py)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import HandoffFollowUp, HandoffItem, HandoffNote, HandoffRecipient


class RecipientInline(ReadOnlyInline):
    model = HandoffRecipient
    fields = ["person", "resolved_as", "deliver_at", "delivered_at", "acknowledged_at"]
    readonly_fields = fields


class ItemInline(ReadOnlyInline):
    model = HandoffItem
    fields = ["position", "text", "owner", "due_at", "status", "acted_at"]
    readonly_fields = fields


class FollowUpInline(ReadOnlyInline):
    model = HandoffFollowUp
    fields = ["created_at", "author", "text"]
    readonly_fields = fields


@admin.register(HandoffNote)
class HandoffNoteAdmin(ReadOnlyAdmin):
    list_display = ["title", "team", "author", "urgency", "sent_at", "first_acknowledged_at"]
    list_filter = ["urgency", "recipients_kind"]
    list_select_related = ["team", "author"]
    search_fields = ["title", "team__name", "author__username"]
    raw_id_fields = ["author", "urgent_update_raised"]
    inlines = [RecipientInline, ItemInline, FollowUpInline]
