"""/api/v1/ routes of the accounts app (included by config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    *router.urls,
    path(
        "people/<id:pk>/mfa-reset/", api.PersonMfaResetView.as_view(), name="api-person-mfa-reset"
    ),
    path(
        "people/<id:pk>/unlock/",
        api.PersonSigninUnlockView.as_view(),
        name="api-person-signin-unlock",
    ),
]
