"""Pages of the notifications app."""

urlpatterns = []
