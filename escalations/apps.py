"""Urgent updates, escalation policies and the escalation engine (DESIGN.md, issue 12).
Depends on teams, notifications, oncall and projects, never the reverse: everything it adds
to shared lists (notification kinds, beat, demo data) it registers here."""

from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Urgent updates and escalations"

    def ready(self) -> None:
        from core import beat
        from notifications.kinds import register_kind

        from . import engine, permissions, tasks  # noqa: F401  (rules and tasks register)

        # Unmutable: being paged, or told that nobody answered, cannot be muted.
        register_kind("escalation.page", "Urgent escalation pages", unmutable=True)
        register_kind(
            "escalation.unacknowledged",
            "Urgent updates nobody acknowledged (managers)",
            unmutable=True,
        )

        # The guarantee behind every step's task (escalations.engine.sweep).
        beat.register("escalations-sweep", "escalations.sweep", 15, queue=engine.QUEUE)

        # /metrics: the depth of the steps' own queue, and how late the oldest due step is.
        from core import metrics

        from . import selectors

        metrics.register_queue(engine.QUEUE)
        metrics.register_gauge(
            "baton_escalation_oldest_overdue_step_seconds",
            "How long the oldest pending escalation step is past its due time (0: none).",
            selectors.oldest_overdue_step_age,
        )

        from core import demo

        from . import demo as escalations_demo

        demo.register(demo.layer_of("escalations"), escalations_demo.seed)

        # The pages (escalations/urls.py): the nav link, their stylesheet, and what they add
        # to teams' and projects' pages (the dashboard's card of open urgent updates, a team's and a
        # project's card).
        from core import nav
        from core import panels as core_panels

        from . import panels

        nav.register_link("urgent-update-list", "Urgent", order=32)
        nav.register_stylesheet("css/escalations.css")
        core_panels.register("dashboard", panels.my_urgent_updates)
        core_panels.register("team", panels.team_urgent_updates)
        core_panels.register("project", panels.project_urgent_updates)
