"""Ownership transfers (proposing a new owner, the proposed owner's page where they accept or
decline, cancelling), acting owners (naming one until the owner is back, ending early), and
the admins' one-step handover of a leaving person's projects."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import apply_errors, form_write
from core.pages import service_action
from core.permissions import found_or_404, rule_allows
from teams.permissions import is_org_admin

from .. import presenters, selectors, services
from ..forms import AnswerForm, HandoverForm
from ..presenters import END_ACTING
from .common import acting_form, allow, get_project, get_transfer, transfer_form, viewer_zone
from .pages import detail_post


@require_POST
def transfer_propose(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    allow(request, "projects.propose_transfer", project)
    form = transfer_form(request, project, selectors.team_people([project.team_id]), request.POST)

    def success(transfer) -> str:
        return f"Asked {presenters.display_name(transfer.to_person)} to take over {project.name}."

    write = partial(services.transfer_propose, project=project)
    return detail_post(request, project, "transfer_form", form, write, success, "transfer")


def _transfer_page(request: HttpRequest, transfer, *, form=None, status=200) -> HttpResponse:
    now = timezone.now()
    zone = viewer_zone(request)
    user = request.user
    pending = transfer.state == "pending"
    project = transfer.project
    context = {
        "transfer": transfer,
        "project": project,
        "row": presenters.transfer_row(transfer, now, zone),
        "owner": presenters.person_badge(project.owner, now),
        "pending": pending,
        "can_answer": pending and rule_allows(user, "projects.accept_transfer", transfer),
        "can_cancel": pending and rule_allows(user, "projects.cancel_transfer", transfer),
        "form": form or AnswerForm(),
    }
    return render(request, "projects/transfer_detail.html", context, status=status)


@require_safe
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_page(request, get_transfer(request, pk))


@require_POST
def transfer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposed owner accepts (the project is theirs now) or declines, with a note."""
    transfer = get_transfer(request, pk)
    allow(request, "projects.accept_transfer", transfer)
    action = request.POST.get("action")
    form = AnswerForm(request.POST)
    if action not in ("accept", "decline"):
        form.add_error(None, "Choose to accept or to decline.")
    if action == "accept":
        service, success = services.transfer_accept, f"You own {transfer.project.name} now."
    else:
        owner = presenters.display_name(transfer.from_owner)
        service, success = services.transfer_decline, f"You declined; {owner} stays the owner."
    done, _ = form_write(request, form, partial(service, transfer=transfer), success)
    if not done:
        return _transfer_page(request, transfer, form=form, status=400)
    return redirect("project-detail", slug=transfer.project.slug)


@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer(request, pk)
    allow(request, "projects.cancel_transfer", transfer)
    form = AnswerForm(request.POST)
    answer = form.cleaned_data["answer"] if form.is_valid() else ""
    service_action(
        request,
        lambda: services.transfer_cancel(
            actor=Actor.from_request(request), transfer=transfer, answer=answer
        ),
        "Transfer cancelled.",
    )
    return redirect(reverse("project-detail", args=[transfer.project.slug]) + "#transfer")


# --- acting owners -------------------------------------------------------------------------------


@require_POST
def acting_set(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    allow(request, "projects.set_acting_owner", project)
    form = acting_form(project, selectors.team_people([project.team_id]), request.POST)

    def success(saved) -> str:
        return (
            f"{presenters.display_name(saved.acting_owner)} acts as owner until the owner is back."
        )

    write = partial(services.acting_set, project=project)
    return detail_post(request, project, "acting_form", form, write, success, "people")


@require_POST
def acting_end(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project(request, slug)
    allow(request, "projects.set_acting_owner", project)
    service_action(
        request,
        lambda: services.acting_end(actor=Actor.from_request(request), project=project),
        "The owner is accountable again.",
    )
    return redirect(reverse("project-detail", args=[slug]) + "#people")


# --- handing over a leaving person's projects ------------------------------------------------


@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Admins: propose new owners for every open project of a person (leaving, or gone) in
    one step; each proposal is a transfer the new owner accepts. All or nothing."""
    if not is_org_admin(request.user):
        raise PermissionDenied("Only admins hand over someone else's projects.")
    person = found_or_404(selectors.person_by_id(pk), "person")
    now = timezone.now()
    projects = list(selectors.orphaned_by(person))
    pending = selectors.pending_transfers_for(p.pk for p in projects)
    people = selectors.team_people({p.team_id for p in projects})
    rows = presenters.handover_rows(
        request.user, person, projects, pending, people, now, viewer_zone(request)
    )
    status = 200
    if request.method == "GET":
        form = HandoverForm.for_rows(rows)
    else:
        form = HandoverForm.for_rows(rows, request.POST)
        done = _hand_over(request, form) if form.is_valid() else None
        if done:
            messages.success(
                request,
                f"Proposed new owners for {done} project{'s' if done != 1 else ''}: each is "
                "asked to accept.",
            )
            return redirect("person-detail", pk=person.pk)
        status = 400
    context = {"person": person, "rows": rows, "form": form}
    return render(request, "projects/handover.html", context, status=status)


class _Refused(Exception):
    pass


def _hand_over(request: HttpRequest, form: HandoverForm) -> int | None:
    """Each chosen proposal (or hand-back) through its service, in one transaction: any
    refusal is shown beside its project and nothing is written."""
    actor = Actor.from_request(request)
    reason = form.cleaned_data["reason"]
    chosen = form.choices_made()
    for project, _value in chosen:
        allow(request, "projects.propose_transfer", project)
    try:
        with transaction.atomic():
            refused = False
            for project, value in chosen:
                field = f"to_{project.pk}"
                try:
                    if value == END_ACTING:
                        services.acting_end(actor=actor, project=project)
                    else:
                        services.transfer_propose(
                            actor=actor, project=project, to_person=int(value), reason=reason
                        )
                except ValidationError as exc:
                    refused = True
                    if "reason" in getattr(exc, "error_dict", {}):
                        apply_errors(form, exc)
                    else:
                        for message in exc.messages:
                            form.add_error(field, message)
            if refused:
                raise _Refused
    except _Refused:
        return None
    return len(chosen)
