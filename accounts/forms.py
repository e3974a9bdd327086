"""Forms for the accounts pages (API tokens) and the one allauth form Baton extends."""

from __future__ import annotations

from dataclasses import replace

from allauth.account.forms import ResetPasswordKeyForm
from allauth.core import context
from django import forms
from django.db import transaction

from core.audit import Actor

from . import services
from .scopes import SCOPES


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “CI deploys”.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give the least the token needs; write includes read.",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=services.MAX_TOKEN_DAYS,
        initial=90,
        label="Expires after (days)",
    )


class SetPasswordFromLinkForm(ResetPasswordKeyForm):
    """Choosing a password from an e-mailed link (an invitation or "Forgot your password?").

    The link was sent to the person's address and is bound to it, so using it proves they
    read mail there: the address is marked verified. Without that, allauth refuses to set up
    two-factor authentication ("verify your e-mail first") and people whose role needs it
    could never get in."""

    def save(self) -> None:
        with transaction.atomic():
            super().save()
            request = context.request
            actor = Actor.from_request(request) if request is not None else Actor.system()
            services.email_mark_verified(actor=replace(actor, user=self.user), user=self.user)
