from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "oncall"
    verbose_name = "On-call schedules"

    def ready(self) -> None:
        from notifications.kinds import register_kind
        from teams import beat
        from teams import panels as team_panels

        from . import panels, permissions  # noqa: F401  (rules register on import)

        register_kind("oncall.shift_starting", "My on-call shift is starting")
        register_kind("oncall.shift_ending", "My on-call shift is ending")
        register_kind("oncall.override", "Someone covers or swaps my on-call shift")

        # Shift starting/ending notices; swap requests nobody answered in time.
        beat.register("oncall-shift-notices", "oncall.shift_notices", 60)
        beat.register("oncall-expire-swaps", "oncall.expire_swaps", 300)

        # The team page lists the team's schedules; the dashboard says when I am on call
        # (teams may not import oncall: the pages render what is registered here).
        team_panels.register("team", panels.team_schedules)
        team_panels.register("dashboard", panels.my_next_shift)
