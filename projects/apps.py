"""Projects, their owners, goals, status updates, ownership transfers and the ownership map
(DESIGN.md). Depends on teams, notifications and oncall, never the reverse: everything it adds
to shared lists (nav, notification kinds, beat, panels, hooks, demo data) it registers here."""

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and ownership"

    def ready(self) -> None:
        from core import beat
        from notifications.kinds import register_kind
        from teams import hooks

        from . import permissions, services, tasks  # noqa: F401  (rules and tasks register)

        register_kind(
            "projects.ownership", "I am made owner or backup of a project", unmutable=False
        )
        register_kind("projects.update", "Status updates of projects I watch", unmutable=False)
        register_kind(
            "projects.update_due", "A status update of my project is due", unmutable=False
        )
        register_kind("projects.transfer", "Ownership transfers I am part of", unmutable=False)
        register_kind("projects.acting", "Acting owners of my projects", unmutable=False)
        register_kind(
            "projects.orphaned", "Projects of my teams that lost their owner", unmutable=False
        )

        hooks.on_hours_changed(services.cadence_reschedule)
        hooks.on_person_deactivated(services.person_deactivated)

        beat.register("projects-remind-updates", "projects.remind_updates", 60)
        beat.register("projects-expire-transfers", "projects.expire_transfers", 300)
        beat.register("projects-revert-acting", "projects.revert_acting_owners", 60)

        # Demo projects over the demo teams, after teams and oncall have seeded theirs.
        from core import demo

        from . import demo as projects_demo

        demo.register(
            demo.layer_of("projects"), projects_demo.seed, arguments=projects_demo.add_arguments
        )

        # The project pages: the nav link, their stylesheet, and what they add to teams' pages
        # (the dashboard's cards, a team's projects, a person's projects for admins).
        from core import nav
        from core import panels as core_panels

        from . import panels

        nav.register_link("project-list", "Projects", order=30)
        nav.register_stylesheet("css/projects.css")
        core_panels.register("dashboard", panels.my_projects)
        core_panels.register("team", panels.team_projects)
        core_panels.register("person_admin", panels.person_projects)

        # The ownership map (projects/map_urls.py): its nav link and stylesheet. Its scripts
        # (the vendored Apache ECharts and js/ownership-map.js) load on the graph page only.
        nav.register_link("ownership-map", "Ownership map", order=31)
        nav.register_stylesheet("css/ownership-map.css")
