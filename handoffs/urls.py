"""Pages of handoff notes. A note's own address, /handoffs/<id>/ ("handoff-detail"), is the
link every notification carries (handoffs.services.note_url)."""

from django.urls import path

from . import views

N = "handoffs/<id:pk>/"

urlpatterns = [
    path("handoffs/", views.inbox, name="handoff-inbox"),
    path("handoffs/new/", views.compose, name="handoff-compose"),
    path("handoffs/preferences/", views.preferences, name="handoff-preferences"),
    path("handoffs/schedule/<id:pk>/", views.schedule_history, name="handoff-schedule-history"),
    path("handoffs/project/<slug:slug>/", views.project_history, name="handoff-project-history"),
    path(N, views.detail, name="handoff-detail"),
    path(N + "live/", views.detail_live, name="handoff-live"),
    path(N + "edit/", views.edit, name="handoff-edit"),
    path(N + "acknowledge/", views.acknowledge, name="handoff-acknowledge"),
    path(N + "follow-up/", views.follow_up, name="handoff-follow-up"),
    path(
        N + "items/<id:item_id>/acknowledge/",
        views.item_action,
        {"action": "acknowledge"},
        name="handoff-item-acknowledge",
    ),
    path(
        N + "items/<id:item_id>/done/",
        views.item_action,
        {"action": "done"},
        name="handoff-item-done",
    ),
    path(
        N + "items/<id:item_id>/hand-back/",
        views.item_action,
        {"action": "hand_back"},
        name="handoff-item-hand-back",
    ),
]
