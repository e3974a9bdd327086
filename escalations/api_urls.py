"""/api/v1/ routes of the escalations app."""

from django.urls import path

from . import api

U = "urgent-updates/<id:update_id>/"

urlpatterns = [
    path("urgent-updates/", api.UrgentUpdateListView.as_view(), name="api-urgent-updates"),
    path(U, api.UrgentUpdateDetailView.as_view(), name="api-urgent-update"),
    path(
        U + "acknowledge/",
        api.UrgentUpdateAcknowledgeView.as_view(),
        name="api-urgent-update-acknowledge",
    ),
    path(U + "resolve/", api.UrgentUpdateResolveView.as_view(), name="api-urgent-update-resolve"),
    path(U + "cancel/", api.UrgentUpdateCancelView.as_view(), name="api-urgent-update-cancel"),
    path("escalation-policies/", api.PolicyListView.as_view(), name="api-escalation-policies"),
    path(
        "escalation-policies/<id:policy_id>/",
        api.PolicyDetailView.as_view(),
        name="api-escalation-policy",
    ),
    path(
        "teams/<id:team_id>/integration-keys/",
        api.TeamIntegrationKeysView.as_view(),
        name="api-team-integration-keys",
    ),
    path(
        "integration-keys/<id:key_id>/",
        api.IntegrationKeyDetailView.as_view(),
        name="api-integration-key",
    ),
    path(
        "integrations/<str:key>/updates/",
        api.InboundView.as_view(),
        name="api-integration-inbound",
    ),
]
