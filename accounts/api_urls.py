"""/api/v1/ routes of the accounts app (included by config.urls)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("tokens", api.ApiTokenViewSet, basename="api-token")

urlpatterns = [*router.urls]
