from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "oncall"
    verbose_name = "On-call schedules"

    def ready(self) -> None:
        from core import beat, demo, nav
        from core import panels as core_panels
        from notifications.kinds import register_kind

        from . import demo as oncall_demo
        from . import panels, permissions  # noqa: F401  (rules register on import)

        register_kind("oncall.shift_starting", "My on-call shift is starting", unmutable=False)
        register_kind("oncall.shift_ending", "My on-call shift is ending", unmutable=False)
        register_kind(
            "oncall.override", "Someone covers or swaps my on-call shift", unmutable=False
        )

        nav.register_link("oncall-now", "On call", order=20)
        nav.register_link("oncall-schedules", "Schedules", order=21)
        nav.register_link("oncall-my-shifts", "My shifts", order=22)
        nav.register_stylesheet("css/oncall.css")
        # Schedules over the demo teams, after teams has seeded them.
        demo.register(
            demo.layer_of("oncall"), oncall_demo.seed, arguments=oncall_demo.add_arguments
        )

        # Shift starting/ending notices; swap requests nobody answered in time.
        beat.register("oncall-shift-notices", "oncall.shift_notices", 60)
        beat.register("oncall-expire-swaps", "oncall.expire_swaps", 300)

        # The team page lists the team's schedules; the dashboard says when I am on call
        # (teams may not import oncall: the pages render what is registered here).
        core_panels.register("team", panels.team_schedules)
        core_panels.register("dashboard", panels.my_next_shift)
