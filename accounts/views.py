"""Pages of the accounts app: personal API tokens (sessions are allauth.usersessions'), and
an admin's two-factor reset and sign-in unlock of a person."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.forms import apply_errors
from core.permissions import require
from teams.selectors import person_detail

from . import selectors, services
from .forms import ApiTokenForm


def _token_page(request: HttpRequest, form: ApiTokenForm, *, raw=None, status=200):
    tokens = selectors.api_tokens(user=request.user)
    response = render(
        request,
        "accounts/api_tokens.html",
        {"tokens": tokens, "form": form, "raw_token": raw, "now": timezone.now()},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # a page may hold a raw token
    return response


# Reading the list is harmless; creating or revoking a token needs a recent sign-in.
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _token_page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=Actor.from_request(request),
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # Rendered, not redirected: the raw token exists only in this response.
            messages.success(request, f"Token “{token.name}” created. Copy it now.")
            return _token_page(request, ApiTokenForm(), raw=raw)
    return _token_page(request, form, status=400)


@require_POST
@reauthentication_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the owner's own tokens are found: anyone else's id is a 404, not a hint.
    token = selectors.api_token_of(user=request.user, pk=pk)
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(actor=Actor.from_request(request), token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api-tokens")


def _person_allowed(request: HttpRequest, pk: int, perm: str):
    """The person `pk` if the viewer has `perm` on them: 404 for no such person, 403 else."""
    try:
        person = person_detail(person_id=pk)
    except get_user_model().DoesNotExist as exc:
        raise Http404("No such person.") from exc
    require(request.user, perm, person)
    return person


@require_POST
def person_mfa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    # Who may do it is settled first: nobody else is asked for their password.
    person = _person_allowed(request, pk, "teams.reset_mfa")
    return _person_mfa_reset(request, person)


@reauthentication_required
def _person_mfa_reset(request: HttpRequest, person) -> HttpResponse:
    try:
        removed = services.mfa_reset(actor=Actor.from_request(request), person=person)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        name = person.profile.display_name
        if removed:
            messages.success(
                request,
                f"{name}'s two-factor authentication was reset and they were signed out "
                "everywhere. They set up a new authenticator at their next sign-in.",
            )
        else:
            messages.info(request, f"{name} has no two-factor authentication to reset.")
    return redirect("person-detail", pk=person.pk)


@require_POST
def person_signin_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    # As the two-factor reset: who may do it first, then a fresh password.
    person = _person_allowed(request, pk, "teams.unlock_signin")
    return _person_signin_unlock(request, person)


@reauthentication_required
def _person_signin_unlock(request: HttpRequest, person) -> HttpResponse:
    name = person.profile.display_name
    try:
        services.signin_unlock(actor=Actor.from_request(request), person=person)
    except ValidationError:
        messages.info(request, f"{name} has no failed sign-ins to clear.")
    else:
        messages.success(
            request, f"{name}'s failed sign-ins were cleared: they can sign in again now."
        )
    return redirect("person-detail", pk=person.pk)
