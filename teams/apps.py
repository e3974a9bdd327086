from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "People and teams"

    def ready(self) -> None:
        # Rules register themselves on import; audit_signals records sign-in events.
        from . import audit_signals, permissions  # noqa: F401
