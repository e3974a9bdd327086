from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from . import audit_signals  # noqa: F401  (sign-in events into the audit log)
