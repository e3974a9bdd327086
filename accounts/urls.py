"""Pages of the accounts app (API tokens, sessions, two-factor resets, sign-in unlocks)."""

from django.urls import path

from . import views

urlpatterns = [
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<id:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("people/<id:pk>/mfa-reset/", views.person_mfa_reset, name="person-mfa-reset"),
    path("people/<id:pk>/signin-unlock/", views.person_signin_unlock, name="person-signin-unlock"),
]
