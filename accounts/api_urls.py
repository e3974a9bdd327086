"""/api/v1/ routes of the accounts app (included by config.urls)."""

urlpatterns = []
