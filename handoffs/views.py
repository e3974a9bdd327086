"""The handoff pages: the inbox (waiting for me, in my morning; sent by me, with who has
acknowledged), the composer, a note's page with its acknowledgement trail, and the actions
(acknowledge, act on an item, follow up, edit before the first acknowledgement). Every write
goes through handoffs.services; refusals come back as messages or form errors, nothing
written."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.audit import Actor
from core.forms import form_write
from core.pages import paginate, service_action
from core.permissions import found_or_404, require_rule, rule_allows
from core.timefmt import fmt_day, fmt_weekday_time
from core.zones import zoneinfo
from teams.permissions import is_person
from teams.selectors import team_ids_of

from . import presenters, selectors, services
from .forms import ComposeForm, EditForm, FollowUpForm, HandBackForm, PreferencesForm
from .models import PromptKind, RecipientsKind

INBOX_ROWS = 50


def _zone(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def _person(request: HttpRequest) -> None:
    if not is_person(request.user):
        raise PermissionDenied("You do not have permission to do this.")


def _visible_note(request: HttpRequest, pk: int):
    """The note with everything on it, when the viewer may read it; 404 otherwise (someone
    else's note looks like no note at all)."""
    _person(request)
    note = selectors.note_for_page(pk)
    if note is None or not rule_allows(request.user, "handoffs.view_note", note):
        found_or_404(None, "handoff note")
    return note


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    _person(request)
    return _inbox_page(request)


def _inbox_page(request: HttpRequest, preferences_form=None, status: int = 200) -> HttpResponse:
    user, now, zone = request.user, timezone.now(), _zone(request)
    waiting = selectors.as_rows(selectors.waiting_for(user, now=now))[:INBOX_ROWS]
    sent = selectors.as_rows(selectors.sent_by(user))[:INBOX_ROWS]
    prompt = selectors.latest_open_prompt(user, now=now)
    context = {
        "waiting": [presenters.note_row(n, zone, now, viewer=user) for n in waiting],
        "sent": [presenters.note_row(n, zone, now, viewer=user) for n in sent],
        "can_write": bool(team_ids_of(user)),
        "viewer_zone": zone.key,
        "prompt": presenters.prompt_banner(prompt, zone) if prompt else None,
        "preferences_form": preferences_form
        or PreferencesForm(initial={"prompt_minutes": selectors.prompt_minutes(user)}),
    }
    return render(request, "handoffs/inbox.html", context, status=status)


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """How long before my shift or working day ends I am asked to write a note."""
    _person(request)
    form = PreferencesForm(request.POST)

    def save(*, actor, prompt_minutes):
        return services.preferences_update(
            actor=actor, user=request.user, prompt_minutes=prompt_minutes
        )

    saved, _prefs = form_write(request, form, save, "Saved: when you are asked to write a handoff.")
    if not saved:
        return _inbox_page(request, form, status=400)
    return redirect("handoff-inbox")


# Without a prompt, the digest beside the composer covers this much of the past.
DIGEST_HOURS = 12


def _prompt_of(request: HttpRequest, value):
    """The viewer's own prompt named by `value` (a query or form value), or None; another
    person's prompt, or junk, is no prompt: 404."""
    if value in (None, ""):
        return None
    text = str(value)
    ok = text.isdecimal() and len(text) <= 12
    prompt = selectors.prompt_of(request.user, int(text)) if ok else None
    if prompt is None:
        found_or_404(None, "prompt")
    return prompt


def _digest_window(prompt, now):
    """[start, end) of the digest: the prompt's shift or working day (up to now, as things
    still happen until the note is written), else the last DIGEST_HOURS hours."""
    if prompt is None:
        return now - timedelta(hours=DIGEST_HOURS), now
    return prompt.period_start, max(now, prompt.period_end)


def _prompt_initial(prompt, zone) -> dict:
    if prompt.kind == PromptKind.SHIFT_END:
        return {
            "team": prompt.schedule.team_id,
            "schedule": prompt.schedule_id,
            "recipients": RecipientsKind.NEXT_ONCALL,
            "recipients_schedule": prompt.schedule_id,
            "title": f"{prompt.schedule.name}: handover "
            f"{fmt_weekday_time(prompt.period_end, zone)}"[:200],
            "prompt": prompt.pk,
        }
    return {
        "recipients": RecipientsKind.TEAM_NEXT_DAY,
        "title": f"End of my day, {fmt_day(prompt.period_end.astimezone(zone).date())}",
        "prompt": prompt.pk,
    }


def _compose_form(request: HttpRequest, data=None, *, add_item: bool = False):
    """The form, its prompt (or None) and the digest window it shows."""
    now = timezone.now()
    choices = selectors.composer_choices(request.user)
    source = data if data is not None else request.GET
    prompt = _prompt_of(request, source.get("prompt"))
    initial = None
    if data is None:
        initial = {}
        for key in ("team", "schedule", "recipients_schedule"):
            value = request.GET.get(key, "")
            if value.isdecimal() and len(value) <= 12:
                initial[key] = int(value)
        project = request.GET.get("project", "")
        if project.isdecimal() and len(project) <= 12:
            initial["projects"] = [int(project)]
        if "recipients_schedule" in initial:
            initial["recipients"] = "next_oncall"
        if prompt is not None:
            initial.update(_prompt_initial(prompt, _zone(request)))
        if len(choices["teams"]) == 1 and "team" not in initial:
            initial["team"] = choices["teams"][0][0]
    start, end = _digest_window(prompt, now)
    schedule_id = prompt.schedule_id if prompt is not None else None
    if schedule_id is None:
        posted = source.get("schedule", "")
        schedule_id = int(posted) if posted.isdecimal() and len(posted) <= 12 else None
    digest = selectors.digest_for(request.user, start=start, end=end, schedule_id=schedule_id)
    form = ComposeForm(
        data,
        zone=_zone(request),
        initial=initial,
        add_item=add_item,
        digest=digest,
        **choices,
    )
    return form, prompt, (start, end)


@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    _person(request)
    if not team_ids_of(request.user):
        raise PermissionDenied("You are in no team yet: a handoff note is written for a team.")
    status = 200
    if request.method == "GET":
        form, prompt, window = _compose_form(request)
    elif "add_item" in request.POST:
        # Only more room on the form: nothing is written, and nothing is judged yet (a form
        # half filled in is not an error).
        form, prompt, window = _compose_form(request, request.POST, add_item=True)
        form._errors = ErrorDict()
        if request.htmx:
            return render(
                request,
                "handoffs/_compose_items.html",
                {"form": form, "viewer_zone": _zone(request).key},
            )
    else:
        form, prompt, window = _compose_form(request, request.POST)

        def send(*, actor, **_fields):
            team = selectors.team_for(form.cleaned_data["team"])
            require_rule(request.user, "handoffs.write_note", team)
            fields = form.service_fields()
            if prompt is not None:
                fields["prompt"] = prompt.pk
                # The prompt's shift is the note's when it is about that schedule.
                if prompt.kind == PromptKind.SHIFT_END and fields["schedule"] == prompt.schedule_id:
                    fields["shift_start"] = prompt.period_start
                    fields["shift_end"] = prompt.period_end
            return services.handoff_send(actor=actor, **fields)

        saved, note = form_write(request, form, send, None)
        if saved:
            names = ", ".join(
                presenters.display_name(r.person)
                for r in note.recipients.select_related("person__profile")
            )
            messages.success(request, f"Handoff sent to {names}.")
            return redirect("handoff-detail", pk=note.pk)
        status = 400
    zone = _zone(request)
    return render(
        request,
        "handoffs/compose.html",
        {
            "form": form,
            "viewer_zone": zone.key,
            "prompt": prompt,
            "digest": presenters.digest_rows(form.digest_rows(), zone),
            "digest_window": presenters.span(window[0], window[1], zone),
        },
        status=status,
    )


def _detail_context(request: HttpRequest, note) -> dict:
    user, now, zone = request.user, timezone.now(), _zone(request)
    recipients = list(note.recipients.all())
    mine = next((r for r in recipients if r.person_id == user.pk), None)
    items = []
    for item in note.items.all():
        row = presenters.item_row(item, zone, now)
        row["can_act"] = row["open"] and rule_allows(user, "handoffs.act_on_item", item)
        items.append(row)
    return {
        "note": note,
        "row": presenters.note_row(note, zone, now, viewer=user),
        "recipients": [presenters.recipient_row(r, zone, now) for r in recipients],
        "items": items,
        "follow_ups": [
            {
                "author": presenters.display_name(f.author),
                "at": presenters.when(f.created_at, zone),
                "theirs": presenters.their_time(f.author, f.created_at),
                "html": f.text_html,
            }
            for f in note.follow_ups.all()
        ],
        "projects": list(note.projects.all()),
        "urgent_updates": list(note.urgent_updates.all()),
        "shift": {
            "start": presenters.when(note.shift_start, zone),
            "end": presenters.when(note.shift_end, zone),
        }
        if note.shift_start
        else None,
        "can_acknowledge": mine is not None and mine.acknowledged_at is None,
        "mine": presenters.recipient_row(mine, zone, now) if mine else None,
        "can_edit": not note.locked and rule_allows(user, "handoffs.change_note", note),
        "can_follow_up": rule_allows(user, "handoffs.follow_up", note),
        "follow_up_form": FollowUpForm(),
        "hand_back_form": HandBackForm(),
        "viewer_zone": zone.key,
    }


@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = _visible_note(request, pk)
    services.handoff_mark_read(actor=Actor.from_request(request), note=note)
    return render(request, "handoffs/detail.html", _detail_context(request, note))


@require_safe
def detail_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's live section alone: static/js/live.js fetches it again when a "handoff"
    event for this note arrives on /ws/events/."""
    note = _visible_note(request, pk)
    response = render(request, "handoffs/_live.html", _detail_context(request, note))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    note = _visible_note(request, pk)
    service_action(
        request,
        lambda: services.handoff_acknowledge(actor=Actor.from_request(request), note=note),
        "Acknowledged: the author knows you have it.",
    )
    return redirect("handoff-detail", pk=note.pk)


ITEM_MESSAGES = {
    "acknowledge": "Item acknowledged: it is yours.",
    "done": "Item marked done.",
    "hand_back": "Item handed back: the author is told why.",
}


@require_POST
def item_action(request: HttpRequest, pk: int, item_id: int, action: str) -> HttpResponse:
    note = _visible_note(request, pk)
    item = next((i for i in note.items.all() if i.pk == item_id), None)
    found_or_404(item, "item")
    reason = ""
    if action == "hand_back":
        form = HandBackForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why you hand it back (at most 500 characters).")
            return redirect("handoff-detail", pk=note.pk)
        reason = form.cleaned_data["reason"]
    service_action(
        request,
        lambda: services.item_act(
            actor=Actor.from_request(request), item=item, action=action, reason=reason
        ),
        ITEM_MESSAGES[action],
    )
    return redirect("handoff-detail", pk=note.pk)


@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    note = _visible_note(request, pk)
    require_rule(request.user, "handoffs.follow_up", note)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A follow-up needs some text (at most 5,000 characters).")
    else:
        service_action(
            request,
            lambda: services.follow_up_add(
                actor=Actor.from_request(request), note=note, text=form.cleaned_data["text"]
            ),
            "Follow-up added.",
        )
    return redirect("handoff-detail", pk=note.pk)


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _visible_note(request, pk)
    require_rule(request.user, "handoffs.change_note", note)
    if note.locked:
        messages.info(request, "The note was acknowledged: add a follow-up instead.")
        return redirect("handoff-detail", pk=note.pk)
    status = 200
    if request.method == "GET":
        links = "\n".join(f"{link['title']} {link['url']}".strip() for link in note.links)
        form = EditForm(
            initial={
                "title": note.title,
                "summary": note.summary,
                "ruled_out": note.ruled_out,
                "links": links,
            }
        )
    else:
        form = EditForm(request.POST)

        def save(*, actor, **fields):
            return services.handoff_edit(actor=actor, note=note, **fields)

        saved, _ = form_write(request, form, save, "Handoff note saved.")
        if saved:
            return redirect("handoff-detail", pk=note.pk)
        status = 400
    return render(request, "handoffs/edit.html", {"note": note, "form": form}, status=status)


# --- history ----------------------------------------------------------------------------------

HISTORY_ROWS = 25


def _history(request: HttpRequest, *, team_id: int, notes, title: str, back) -> HttpResponse:
    """A schedule's or project's notes, newest first, for the members of its team (a team's
    notes stay within it)."""
    if team_id not in team_ids_of(request.user):
        raise PermissionDenied(f"Only the members of its team read the handoffs of {title}.")
    now, zone = timezone.now(), _zone(request)
    page, links = paginate(request, notes, HISTORY_ROWS, lambda **q: urlencode(q))
    context = {
        "title": title,
        "back": back,
        "rows": [presenters.note_row(n, zone, now, viewer=request.user) for n in page],
        "page": page,
        "links": links,
    }
    return render(request, "handoffs/history.html", context)


@require_safe
def schedule_history(request: HttpRequest, pk: int) -> HttpResponse:
    _person(request)
    schedule = found_or_404(selectors.schedule_by_id(pk), "schedule")
    return _history(
        request,
        team_id=schedule.team_id,
        notes=selectors.notes_of_schedule(schedule.pk),
        title=schedule.name,
        back=(reverse("oncall-schedule", args=[schedule.pk]), schedule.name),
    )


@require_safe
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    _person(request)
    project = found_or_404(selectors.project_by_slug(slug), "project")
    return _history(
        request,
        team_id=project.team_id,
        notes=selectors.notes_of_project(project.pk),
        title=project.name,
        back=(reverse("project-detail", args=[project.slug]), project.name),
    )
