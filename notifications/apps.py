from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Rules register themselves on import.
        from . import permissions  # noqa: F401
        from .kinds import register_kind

        register_kind("notifications.webhook_disabled", "One of my webhooks was disabled")
        register_kind("notifications.test", "Test notifications I send myself")
