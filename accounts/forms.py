"""Forms for the accounts pages (API tokens)."""

from __future__ import annotations

from django import forms

from .scopes import SCOPES
from .services import MAX_TOKEN_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “CI deploys”.")
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give the least the token needs; write includes read.",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=90,
        label="Expires after (days)",
    )
