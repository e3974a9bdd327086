from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "oncall"
    verbose_name = "On-call schedules"

    def ready(self) -> None:
        # Rules register themselves on import.
        from . import permissions  # noqa: F401
