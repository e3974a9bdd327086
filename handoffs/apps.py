"""Handoff notes, open items, acknowledgements and shift digests (DESIGN.md, issue 13). It may
depend on every app below it (teams, notifications, oncall, projects, escalations), never the
reverse: everything it adds to shared lists (notification kinds, beat) it registers here."""

from django.apps import AppConfig


class HandoffsConfig(AppConfig):
    name = "handoffs"
    verbose_name = "Handoffs"

    def ready(self) -> None:
        from core import beat
        from notifications.kinds import register_kind

        from . import permissions, tasks  # noqa: F401  (rules and tasks register)

        register_kind("handoffs.received", "Handoff notes for me")
        register_kind("handoffs.acknowledged", "My handoff notes acknowledged")
        register_kind("handoffs.item_handed_back", "Items of my handoff notes handed back")
        register_kind("handoffs.follow_up", "Follow-ups on handoff notes")
        register_kind("handoffs.reminder", "Reminders of handoff notes to acknowledge")
        register_kind("handoffs.escalated", "Handoff notes nobody acknowledged")
        register_kind("handoffs.prompt", "Asked to write a handoff before my shift or day ends")

        # Notes reach people when their working day starts; then reminders and escalation; and
        # the prompts to write one before a shift or working day ends.
        beat.register("handoffs-sweep", "handoffs.sweep", 60)

        from core import demo

        from . import demo as handoffs_demo

        demo.register(demo.layer_of("handoffs"), handoffs_demo.seed)

        from core import nav

        # The pages (handoffs/urls.py): the nav link and their stylesheet.
        nav.register_link("handoff-inbox", "Handoffs", order=34)
        nav.register_stylesheet("css/handoffs.css")

        from core import panels as core_panels

        from . import panels

        core_panels.register("dashboard", panels.my_handoffs)
        core_panels.register("project", panels.project_handoffs)
        core_panels.register("schedule", panels.schedule_handoffs)
        core_panels.register("oncall_now", panels.oncall_now_handoffs)
