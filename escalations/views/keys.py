"""A team's integration keys: the team's leads and admins list them, make one (its secret is
shown on the answer to that POST only, never again: Baton keeps its SHA-256) and revoke one
(it stops working at once). The same rules and services as /api/v1/teams/{id}/integration-keys/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.audit import Actor
from core.forms import form_write
from core.pages import service_action
from core.permissions import found_or_404

from .. import presenters, selectors, services
from ..forms import IntegrationKeyForm
from .common import allow, require_person, viewer_zone


def _team(request: HttpRequest, slug: str):
    require_person(request)
    team = found_or_404(selectors.team_for_policy(slug), "team")
    allow(request, "escalations.manage_integration_keys", team)
    return team


def _page(request: HttpRequest, team, *, form=None, made=None, status: int = 200):
    zone = viewer_zone(request)
    keys = [presenters.key_row(key, zone) for key in selectors.integration_keys_of_team(team.pk)]
    inbound = request.build_absolute_uri(reverse("api-integration-inbound", args=["KEY"])).replace(
        "KEY",
        "<key>",  # escaped by the template
    )
    context = {
        "team": team,
        "keys": keys,
        "form": form or IntegrationKeyForm(),
        "made": made,
        "inbound_pattern": inbound,
        "made_url": request.build_absolute_uri(
            reverse("api-integration-inbound", args=[made["raw"]])
        )
        if made
        else "",
    }
    response = render(request, "escalations/integration_keys.html", context, status=status)
    if made:
        # The secret is in this page only: no cache (browser or proxy) keeps a copy.
        response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def team_keys(request: HttpRequest, slug: str) -> HttpResponse:
    team = _team(request, slug)
    if request.method == "GET":
        return _page(request, team)
    form = IntegrationKeyForm(request.POST)

    def make(*, actor, name):
        return services.integration_key_create(actor=actor, team=team, name=name)

    saved, result = form_write(request, form, make, None)
    if not saved:
        return _page(request, team, form=form, status=400)
    key, raw = result
    made = {"name": key.name, "raw": raw, "at": timezone.now()}
    # Rendered, not redirected: the secret never goes into the session or a message.
    return _page(request, team, made=made, status=201)


@require_POST
def team_key_revoke(request: HttpRequest, slug: str, key_id: int) -> HttpResponse:
    team = _team(request, slug)
    key = selectors.integration_key_by_id(key_id)
    found_or_404(key if key is not None and key.team_id == team.pk else None, "integration key")
    already = key.revoked
    service_action(
        request,
        lambda: services.integration_key_revoke(actor=Actor.from_request(request), key=key),
        f"Key “{key.name}” was already revoked."
        if already
        else f"Key “{key.name}” revoked: monitoring systems using it are refused from now on.",
    )
    return redirect("urgent-team-keys", slug=team.slug)
