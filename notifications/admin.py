"""Admin views of notifications, read-only (see core/admin.py)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Delivery, KindMute, Notification, NotificationRule, Webhook


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "urgency", "title", "created_at", "read_at")
    list_filter = ("urgency", "kind")
    search_fields = ("title", "idempotency_key")
    raw_id_fields = ("recipient", "actor")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("id", "channel", "status", "attempts", "recipient", "webhook", "updated_at")
    list_filter = ("channel", "status", "is_digest")
    raw_id_fields = ("notification", "recipient", "webhook", "digest")


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "owner", "team", "active", "consecutive_failures")
    list_filter = ("active",)
    raw_id_fields = ("owner", "team")
    exclude = ("secret",)


admin.site.register(NotificationRule, ReadOnlyAdmin)
admin.site.register(KindMute, ReadOnlyAdmin)
