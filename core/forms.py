"""Helpers every app's HTML forms use. Forms only shape input; services validate and write,
and their ValidationError dicts are mapped back onto the form (apply_errors)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .zones import zone_choices_by_country


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that
    field, otherwise at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def zone_choices(current: str = "") -> list:
    """A time-zone picker's choices, grouped by country, keeping `current` selectable."""
    choices = [("", "Choose a time zone…"), *zone_choices_by_country()]
    known = {zone for _group, zones in zone_choices_by_country() for zone, _label in zones}
    if current and current not in known:
        # Keep an older alias (e.g. Asia/Calcutta) selectable so saving does not change it.
        choices.append(("Current", [(current, current)]))
    return choices
