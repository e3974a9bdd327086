from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Baton core"

    def ready(self) -> None:
        # Before any URL module is loaded (they load lazily, after every app is ready).
        from django.urls import register_converter

        from .converters import IdConverter

        register_converter(IdConverter, "id")

        from . import nav

        nav.register_link("admin:index", "Admin site", section=nav.ADMIN, order=1000, staff=True)
