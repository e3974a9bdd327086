"""/api/v1/ routes of the projects app (the ownership map's are in map_urls.py)."""

from django.urls import path

from . import api

P = "projects/<id:project_id>/"
T = "projects/transfers/<id:transfer_id>/"

urlpatterns = [
    path("projects/", api.ProjectListView.as_view(), name="api-projects"),
    path("projects/transfers/", api.MyTransfersView.as_view(), name="api-project-transfers-mine"),
    path(
        "projects/transfers/bulk/",
        api.BulkTransferView.as_view(),
        name="api-project-transfers-bulk",
    ),
    path(T, api.TransferDetailView.as_view(), name="api-project-transfer"),
    path(T + "accept/", api.TransferAcceptView.as_view(), name="api-project-transfer-accept"),
    path(T + "decline/", api.TransferDeclineView.as_view(), name="api-project-transfer-decline"),
    path(T + "cancel/", api.TransferCancelView.as_view(), name="api-project-transfer-cancel"),
    path(P, api.ProjectDetailView.as_view(), name="api-project"),
    path(P + "goals/", api.GoalListView.as_view(), name="api-project-goals"),
    path(P + "goals/<id:goal_id>/", api.GoalDetailView.as_view(), name="api-project-goal"),
    path(P + "updates/", api.UpdateListView.as_view(), name="api-project-updates"),
    path(P + "history/", api.HistoryView.as_view(), name="api-project-history"),
    path(P + "watch/", api.WatchView.as_view(), name="api-project-watch"),
    path(P + "transfers/", api.ProjectTransfersView.as_view(), name="api-project-transfers"),
    path(P + "acting-owner/", api.ActingOwnerView.as_view(), name="api-project-acting-owner"),
    path(
        "people/<id:person_id>/owned-projects/",
        api.OwnedProjectsView.as_view(),
        name="api-person-owned-projects",
    ),
]
