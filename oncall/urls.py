"""Pages of the oncall app."""

urlpatterns = []
