"""Pages of the accounts app: personal API tokens (sessions are allauth.usersessions'), and
an admin's two-factor reset and sign-in unlock of a person."""

from __future__ import annotations

from functools import partial

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.forms import form_write
from core.permissions import found_or_404

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
    create = partial(services.api_token_create, user=request.user)
    created, made = form_write(
        request, form, create, lambda made: f"Token “{made[0].name}” created. Copy it now."
    )
    if created:
        # Rendered, not redirected: the raw token exists only in this response.
        return _token_page(request, ApiTokenForm(), raw=made[1])
    return _token_page(request, form, status=400)


@require_POST
@reauthentication_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the owner's own tokens are found: anyone else's id is a 404, not a hint.
    token = found_or_404(selectors.api_token_of(user=request.user, pk=pk), "token")
    services.api_token_revoke(actor=Actor.from_request(request), token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api-tokens")


def _person_action(perm: str, act):
    """A POST on the person `pk`'s page (an admin's action): who may do it is settled first
    (404, 403), so nobody else is asked for their password; then a fresh password (allauth's
    reauthentication), then `act(request, person)`."""
    act = reauthentication_required(act)

    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return act(request, selectors.person_allowed(request.user, pk, perm))

    return view


def _mfa_reset(request: HttpRequest, person) -> HttpResponse:
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


def _signin_unlock(request: HttpRequest, person) -> HttpResponse:
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


person_mfa_reset = _person_action("teams.reset_mfa", _mfa_reset)
person_signin_unlock = _person_action("teams.unlock_signin", _signin_unlock)
