"""Pages of chat. A message's address is /chat/<room>/#m<seq> (mention notices link there)."""

from django.urls import path

from . import views

R = "chat/<id:pk>/"
T = R + "topics/<id:topic_id>/"

urlpatterns = [
    path("chat/", views.home, name="chat-home"),
    path("chat/mentions/", views.mentions, name="chat-mentions"),
    path("chat/search/", views.search, name="chat-search"),
    path("chat/direct/", views.direct, name="chat-direct"),
    path("chat/new/", views.private_create, name="chat-private-create"),
    path(R, views.room_page, name="chat-room"),
    path(R + "messages/", views.messages_fragment, name="chat-messages"),
    path(R + "post/", views.post, name="chat-post"),
    path(R + "read/", views.mark_read, name="chat-read"),
    path(R + "leave/", views.leave, name="chat-leave"),
    path(R + "m/<id:seq>/edit/", views.edit, name="chat-edit"),
    path(R + "m/<id:seq>/delete/", views.delete, name="chat-delete"),
    path(R + "held/<id:held_id>/cancel/", views.held_cancel, name="chat-held-cancel"),
    *[
        path(T + f"{action}/", views.topic_action, {"action": action}, name=f"chat-topic-{action}")
        for action in ("read", "resolve", "reopen", "rename", "move")
    ],
]
