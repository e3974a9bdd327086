"""Chat (DESIGN.md, issue 14). It may depend on every app below it (teams, notifications,
oncall, projects, escalations), never the reverse: team and project rooms are created from
those apps' post_save signals, received here."""

from django.apps import AppConfig
from django.db.models.signals import post_save


def _team_saved(sender, instance, created, **kwargs):
    if created:
        from .services import team_room_ensure

        team_room_ensure(team=instance)


def _project_saved(sender, instance, created, **kwargs):
    if created:
        from .services import project_room_ensure

        project_room_ensure(project=instance)


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from core import beat
        from notifications.kinds import register_kind
        from projects.models import Project
        from teams.models import Team

        from . import permissions, tasks  # noqa: F401  (rules and tasks register)

        register_kind("chat.mention", "Mentions of me in chat")
        # Chat travels on the one /ws/events/ socket of each tab (accounts.consumers).
        from core.realtime import register_frame

        from . import consumers

        register_frame("chat.send", consumers.send_frame)
        register_frame("chat.resync", consumers.resync_frame)
        register_frame("chat.read", consumers.read_frame)
        # Rooms come with their team and project (created with them, one each).
        post_save.connect(_team_saved, sender=Team, dispatch_uid="chat-team-room")
        post_save.connect(_project_saved, sender=Project, dispatch_uid="chat-project-room")
        # Held messages go out at their recipient's morning; rooms for bulk-imported teams.
        beat.register("chat-sweep", "chat.sweep", 60)

        from core import demo, nav

        from . import demo as chat_demo
        from .nav import chat_item

        demo.register(demo.layer_of("chat"), chat_demo.seed)
        # The chat page (chat/urls.py): its nav entry with my unread count, styles, script.
        nav.register_item(chat_item, order=33, url_names=("chat-home",))
        nav.register_stylesheet("css/chat.css")
        nav.register_script("js/chat.js")
