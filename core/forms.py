"""Helpers every app's HTML forms use. Forms only shape input; services validate and write,
and their ValidationError dicts are mapped back onto the form (apply_errors, form_write)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .audit import Actor
from .widgets import MemoSelect, PlainChoices
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


T = TypeVar("T")


def form_write(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[..., T],
    success: str | Callable[[T], str] | None,
) -> tuple[bool, T | None]:
    """A page's POST through a service. When `form` is valid, write(actor=<the request's
    actor>, **form.cleaned_data): a service (functools.partial gives its other arguments) or
    a function taking the form's fields by name; then the message `success` (or
    success(what write returned); None: no message, e.g. for an htmx answer). Returns (True,
    what write returned), or (False, None) when the form is invalid or the service refused,
    its ValidationError shown on the form."""
    if not form.is_valid():
        return False, None
    try:
        result = write(actor=Actor.from_request(request), **form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return False, None
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return True, result


def zone_choices(current: str = "") -> PlainChoices:
    """A time-zone picker's choices, grouped by country, keeping `current` selectable. As
    PlainChoices: Django would otherwise normalise the 400 zones again on every form."""
    choices = [("", "Choose a time zone…"), *zone_choices_by_country()]
    if current and current not in _listed_zones():
        # Keep an older alias (e.g. Asia/Calcutta) selectable so saving does not change it.
        choices.append(("Current", ((current, current),)))
    return PlainChoices(choices)


@lru_cache(maxsize=1)
def _listed_zones() -> frozenset[str]:
    return frozenset(zone for _group, zones in zone_choices_by_country() for zone, _ in zones)


def team_filter_field() -> forms.TypedChoiceField:
    """A list's team filter: a team id picked among every team (the caller sets the choices,
    PlainChoices of the cached team list), with a type-ahead box in front of the options
    (static/js/baton.js: data-typeahead)."""
    return forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=MemoSelect(attrs={"data-typeahead": ""}),
    )
