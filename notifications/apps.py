from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from teams import beat

        from . import permissions  # noqa: F401  (rules register on import)
        from .kinds import register_kind

        register_kind("notifications.webhook_disabled", "One of my webhooks was disabled")
        register_kind("notifications.test", "Test notifications I send myself")

        # Re-enqueue deliveries that lost their signal; send digests that are due.
        beat.register("notifications-sweep", "notifications.sweep", 30)
        beat.register("notifications-release-digests", "notifications.release_digests", 60)
