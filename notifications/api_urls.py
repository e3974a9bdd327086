"""/api/v1/ routes of the notifications app."""

urlpatterns = []
