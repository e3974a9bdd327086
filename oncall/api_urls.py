"""/api/v1/ routes of the oncall app."""

urlpatterns = []
