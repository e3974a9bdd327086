"""Pages of the accounts app (API tokens, sessions)."""

urlpatterns = []
