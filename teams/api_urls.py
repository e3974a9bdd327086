"""/api/v1/ routes of the teams app (included by config.urls)."""

urlpatterns = []
