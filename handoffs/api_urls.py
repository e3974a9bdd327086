"""/api/v1/ routes of the handoffs app."""

from django.urls import path

from . import api

N = "handoffs/<id:note_id>/"

urlpatterns = [
    path("handoffs/", api.HandoffListView.as_view(), name="api-handoffs"),
    path("handoffs/prompts/", api.PromptListView.as_view(), name="api-handoff-prompts"),
    path("handoffs/digest/", api.DigestView.as_view(), name="api-handoff-digest"),
    path("handoffs/preferences/", api.PreferencesView.as_view(), name="api-handoff-preferences"),
    path(N, api.HandoffDetailView.as_view(), name="api-handoff"),
    path(N + "acknowledge/", api.HandoffAcknowledgeView.as_view(), name="api-handoff-acknowledge"),
    path(N + "follow-ups/", api.HandoffFollowUpView.as_view(), name="api-handoff-follow-ups"),
    path(N + "items/<id:item_id>/", api.HandoffItemView.as_view(), name="api-handoff-item"),
]
