"""/api/v1/ routes of the teams app (included by config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

# SimpleRouter: no browsable API root, which would be one more endpoint to guard.
router = SimpleRouter()
router.register("people", api.PersonViewSet, basename="api-person")
router.register("teams", api.TeamViewSet, basename="api-team")

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("teams/<id:team_id>/members/", api.TeamMembersView.as_view(), name="api-team-members"),
    path(
        "teams/<id:team_id>/members/<id:person_id>/",
        api.TeamMemberDetailView.as_view(),
        name="api-team-member",
    ),
    *router.urls,
]
