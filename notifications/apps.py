from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import beat, crypto, metrics, nav
        from teams import hooks

        # Rules register on import; so do the Celery tasks, which services enqueue by name.
        from . import permissions, selectors, services, tasks  # noqa: F401
        from .kinds import register_kind
        from .nav import API, INBOX, bell_item

        register_kind(
            "notifications.webhook_disabled", "One of my webhooks was disabled", unmutable=False
        )
        register_kind("notifications.test", "Test notifications I send myself", unmutable=False)

        # The inbox bell, after "Dashboard"; the live inbox's script and styles.
        nav.register_item(bell_item, order=10, url_names=(INBOX, API))
        nav.register_stylesheet("css/notifications.css")
        nav.register_script("js/notifications.js")
        crypto.register_encrypted(
            "the secrets of {count} webhook(s)",
            crypto.EncryptedColumn("notifications.Webhook", "secret"),
        )
        # Held deliveries wait for the start of the person's working day: move them when
        # their hours or zone change.
        hooks.on_hours_changed(services.held_deliveries_reschedule)

        # Re-enqueue deliveries that lost their signal; send digests that are due.
        beat.register("notifications-sweep", "notifications.sweep", 30)
        beat.register("notifications-release-digests", "notifications.release_digests", 60)

        # /metrics: how late the oldest due delivery is (a stuck worker or queue shows here).
        metrics.register_gauge(
            "baton_notification_oldest_due_seconds",
            "Age of the oldest notification delivery that is due and not sent (0: none).",
            selectors.oldest_due_delivery_age,
        )
