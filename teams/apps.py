from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from core import demo, nav

        # Rules register themselves on import; audit_signals records sign-in events.
        from . import audit_signals, permissions  # noqa: F401
        from . import demo as teams_demo

        nav.register_link("dashboard", "Dashboard", order=0)
        nav.register_link("people-directory", "People", order=40)
        nav.register_link("team-list", "Teams", order=50)
        nav.register_link("person-detail", "My profile", order=60, viewer_arg=True)
        nav.register_link(
            "audit-log", "Audit log", section=nav.ADMIN, order=10, perm="teams.view_audit"
        )
        nav.register_link(
            "people-import", "Import", section=nav.ADMIN, order=20, perm="teams.import_people"
        )
        nav.register_link(
            "org-settings",
            "Org settings",
            section=nav.ADMIN,
            order=30,
            perm="teams.change_org_settings",
        )
        # People and teams first: every later app's demo data builds on them.
        demo.register(demo.layer_of("teams"), teams_demo.seed, arguments=teams_demo.add_arguments)
