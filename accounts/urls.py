"""Pages of the accounts app (API tokens, sessions, two-factor resets)."""

from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<id:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("people/<id:pk>/mfa-reset/", views.person_mfa_reset, name="person-mfa-reset"),
]
