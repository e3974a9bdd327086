"""HTML pages for people, teams, org settings and the audit log. Thin: they read through
teams.selectors, write through teams.services and check rules permissions object by object."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import panels
from core.audit import Actor
from core.forms import apply_errors
from core.pages import paginate, service_action
from core.permissions import require, rule_allows
from core.zones import zoneinfo

from . import hours as hours_math
from . import presenters, selectors, services
from . import render as render_rows
from .forms import (
    AuditFilterForm,
    DirectoryFilterForm,
    MemberAddForm,
    MemberRoleForm,
    OrgRoleForm,
    OrgSettingsForm,
    PersonCreateForm,
    ProfileForm,
    TeamForm,
)
from .models import Team, TeamRole
from .permissions import contact_visibility

User = get_user_model()
PAGE_SIZE = 50


# --- helpers ---------------------------------------------------------------------------------


def _viewer_zone(request: HttpRequest) -> ZoneInfo:
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def _person_row(user, *, at: datetime) -> dict:
    """What the dashboard shows about a teammate; no query (the profile is loaded)."""
    return {
        "person": user,
        "profile": user.profile,
        "status": selectors.person_local_status(user.profile, at=at),
    }


def _valid_filters(form) -> dict:
    """The filters that are valid; a bad one is dropped (its error is shown), the rest apply."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def _query_with(request: HttpRequest):
    """query(page=n) for core.pages.paginate: this request's query string (its filters, even
    an invalid one, as typed) with those values set."""

    def query(**values) -> str:
        params = request.GET.copy()
        for name, value in values.items():
            params[name] = value
        return params.urlencode()

    return query


def _get_person(pk: int):
    try:
        return selectors.person_detail(person_id=pk)
    except User.DoesNotExist as exc:
        raise Http404("No such person.") from exc


# --- dashboard -------------------------------------------------------------------------------


@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.view_directory")
    now = timezone.now()
    my_teams = selectors.teams_of(person=request.user)
    teammates = [
        _person_row(person, at=now)
        for person in selectors.teammates_working(person=request.user, at=now, limit=8)
    ]
    context = {
        "my_teams": my_teams,
        "working_count": selectors.people_working_count(now),
        "people_count": selectors.people_directory_count(),
        "teammates": teammates,
        "panels": panels.render("dashboard", request),  # e.g. oncall's "your next shift"
    }
    return render(request, "teams/dashboard.html", context)


# --- people ----------------------------------------------------------------------------------


def _directory_filters(form: DirectoryFilterForm, *, can_invite: bool) -> dict:
    filters = dict(_valid_filters(form))
    if not can_invite:
        filters.pop("not_signed_in", None)  # who has a password is an admin's business
    return filters


def _people_query(filters: dict, *, now: datetime) -> dict:
    """people_filtered()'s arguments for the directory's valid filters."""
    return {
        "q": (filters.get("q") or "").strip(),
        "team": filters.get("team"),
        "country": filters.get("country") or "",
        "working_at": now if filters.get("working_now") else None,
        "not_signed_in": bool(filters.get("not_signed_in")),
    }


@require_safe
def people_directory(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.view_directory")
    now = timezone.now()
    form = DirectoryFilterForm(request.GET or None, teams=selectors.team_choices())
    can_invite = request.user.has_perm("teams.invite_person")
    filters = _directory_filters(form, can_invite=can_invite)
    people_query = _people_query(filters, now=now)
    narrowed = any(people_query[name] for name in ("q", "team", "country", "not_signed_in"))
    if people_query["working_at"] is not None:
        # Each query with "working now" walks the interval index once: take the matching ids
        # in order with one query (everyone working: the list cached for this minute), then
        # count and page from that list.
        if narrowed:
            ids = selectors.person_ids(selectors.people_filtered(**people_query))
        else:
            ids = selectors.working_person_ids(now)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.person_rows_in_order(list(page.object_list))
    else:
        if narrowed:
            people = selectors.person_rows(selectors.people_filtered(**people_query))
        else:
            people = selectors.DirectoryRows()  # everyone: a cached count, SQL compiled once
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
    rows = selectors.complete_rows(rows)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        # The result line and page links as plain values (teams.presenters).
        "pager": presenters.directory_pager(
            count=page.paginator.count,
            number=page.number,
            num_pages=page.paginator.num_pages,
            query=query.urlencode(),
        ),
        "rows_html": render_rows.directory_rows_html(
            rows,
            statuses=selectors.LocalStatusCache(now),
            can_contact=contact_visibility(request.user),
        ),
        "can_invite": can_invite,
        "invite_filters": filters if can_invite and filters.get("not_signed_in") else None,
    }
    # A history restore (back button after htmx pushed the URL) needs the whole page.
    partial = bool(request.htmx) and not request.htmx.history_restore_request
    template = "teams/_directory_results.html" if partial else "teams/directory.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # caches must not mix page and partial
    return response


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "teams.view_directory")
    person = _get_person(pk)
    if not request.user.has_perm("teams.view_person", person):
        raise Http404("No such person.")  # a leaver, to someone who may not see leavers: as the API
    now = timezone.now()
    profile = person.profile
    viewer_zone = _viewer_zone(request)
    ranges = hours_math.week_ranges(profile.working_hours or {})
    change = hours_math.next_change(ranges, zoneinfo(profile.time_zone), now)
    can_reset_mfa = rule_allows(request.user, "teams.reset_mfa", person)
    context = {
        "person": person,
        "profile": profile,
        "status": selectors.person_local_status(profile, at=now),
        "next_change": change,
        "next_change_theirs": change.astimezone(zoneinfo(profile.time_zone)) if change else None,
        "next_change_yours": change.astimezone(viewer_zone) if change else None,
        "days": [
            (name, (profile.working_hours or {}).get(key, []))
            for key, name in zip(hours_math.DAY_KEYS, hours_math.DAY_NAMES, strict=True)
        ],
        "week": presenters.week_in_zones(profile, viewer_zone, now=now),
        "same_zone": profile.time_zone == getattr(request.user.profile, "time_zone", None),
        "memberships": list(person.memberships.all()),
        "can_contact": request.user.has_perm("teams.view_contact", person),
        "can_edit": request.user.has_perm("teams.change_profile", person),
        "can_change_role": request.user.has_perm("teams.change_org_role", person),
        "can_deactivate": rule_allows(request.user, "teams.deactivate_person", person),
        "can_reset_mfa": can_reset_mfa,
        "invitation": _invitation_state(request.user, person),
        # What later apps add to the Admin section, e.g. accounts' sign-in lockout.
        "admin_panels": panels.render("person_admin", request, person=person),
        # Asked only for admins (who may reset them): one query nobody else pays for.
        "second_factors": selectors.second_factors(person) if can_reset_mfa else [],
        "role_form": OrgRoleForm(initial={"org_role": profile.org_role}),
    }
    return render(request, "teams/person_detail.html", context)


def _invitation_state(viewer, person) -> dict | None:
    """For admins, on the page of someone who has not chosen a password yet: when the last
    invitation went out (None if never). None when there is nothing to offer."""
    if not person.is_active or person.has_usable_password():
        return None
    if not rule_allows(viewer, "teams.invite_person", person):
        return None
    return {"sent_at": selectors.invitation_sent_at(person)}


def _profile_changes(data: dict) -> dict:
    """The profile fields of a valid ProfileForm (or PersonCreateForm); a clock left out
    keeps the person's (or the default, for a new person)."""
    changes = {name: data[name] for name in services.PROFILE_FIELDS}
    if not changes.get("clock"):
        changes.pop("clock", None)
    return changes


def _profile_edit(request: HttpRequest, person) -> HttpResponse:
    require(request.user, "teams.change_profile", person)
    profile = person.profile
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.person_update(
                    actor=Actor.from_request(request),
                    person=person,
                    **_profile_changes(form.cleaned_data),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Profile saved.")
                if person.pk == request.user.pk:
                    return redirect("profile-edit")
                return redirect("person-detail", pk=person.pk)
        status = 400
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile))
    return render(
        request,
        "teams/profile_edit.html",
        {"form": form, "person": person, "is_self": person.pk == request.user.pk},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    return _profile_edit(request, _get_person(request.user.pk))


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _profile_edit(request, _get_person(pk))


def _person_action(request: HttpRequest, pk: int, perm: str, service, success) -> HttpResponse:
    """A one-button action on a person's page: `perm` on the person, then
    `service(actor=, person=)`; `success(person)` is the message (refusals become messages)."""
    person = _get_person(pk)
    require(request.user, perm, person)
    service_action(
        request,
        lambda: service(actor=Actor.from_request(request), person=person),
        success(person),
    )
    return redirect("person-detail", pk=pk)


@require_POST
def person_invite(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        "teams.invite_person",
        services.person_invite,
        lambda p: f"An invitation was sent to {p.profile.display_name} at {p.email}.",
    )


@require_POST
def people_invite(request: HttpRequest) -> HttpResponse:
    """The directory's bulk action: invite everyone its current filters list who has not
    signed in yet (the form repeats those filters in hidden fields)."""
    require(request.user, "teams.invite_person")
    form = DirectoryFilterForm(request.POST, teams=selectors.team_choices())
    filters = _directory_filters(form, can_invite=True)
    filters["not_signed_in"] = True
    people = list(selectors.people_directory(**_people_query(filters, now=timezone.now())))
    invited, skipped = services.people_invite(actor=Actor.from_request(request), people=people)
    if invited:
        messages.success(
            request,
            f"Invitations sent to {len(invited)} {'person' if len(invited) == 1 else 'people'}.",
        )
    for _person, reason in skipped[:5]:
        messages.warning(request, reason)
    if len(skipped) > 5:
        messages.warning(request, f"{len(skipped) - 5} more were skipped.")
    if not invited and not skipped:
        messages.info(request, "Nobody in this list needs an invitation.")
    query = {k: v for k, v in request.POST.items() if k in form.fields and v}
    return redirect(f"{reverse('people-directory')}?{urlencode(query)}")


@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.add_person")
    status = 200
    if request.method == "POST":
        form = PersonCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.person_create(
                    actor=Actor.from_request(request),
                    username=data["username"],
                    email=data["email"],
                    org_role=data["org_role"],
                    **_profile_changes(data),
                    send_invite=True,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"{person.profile.display_name} was invited by email.")
                return redirect("person-detail", pk=person.pk)
        status = 400
    else:
        form = PersonCreateForm()
    return render(request, "teams/person_new.html", {"form": form}, status=status)


@require_POST
def person_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(pk)
    require(request.user, "teams.change_org_role", person)
    form = OrgRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid org role.")
    else:
        service_action(
            request,
            lambda: services.person_set_org_role(
                actor=Actor.from_request(request),
                person=person,
                org_role=form.cleaned_data["org_role"],
            ),
            "Org role changed.",
        )
    return redirect("person-detail", pk=pk)


@require_POST
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        "teams.deactivate_person",
        services.person_deactivate,
        lambda p: f"{p.profile.display_name} was deactivated and signed out everywhere.",
    )


@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_action(
        request,
        pk,
        "teams.deactivate_person",
        services.person_reactivate,
        lambda p: f"{p.profile.display_name} was reactivated.",
    )


# --- teams -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.view_team")
    can_create = request.user.has_perm("teams.add_team")
    status = 200
    form = TeamForm() if can_create else None
    if request.method == "POST":
        require(request.user, "teams.add_team")
        form = TeamForm(request.POST)
        if form.is_valid():
            try:
                team = services.team_create(
                    actor=Actor.from_request(request),
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"Team {team.name} created.")
                return redirect("team-detail", slug=team.slug)
        status = 400
    context = {"tree": selectors.team_tree(), "form": form, "can_create": can_create}
    return render(request, "teams/team_list.html", context, status=status)


def _team_page(request: HttpRequest, team: Team, *, add_form=None, status=200) -> HttpResponse:
    now = timezone.now()
    viewer_zone = _viewer_zone(request)
    today = now.astimezone(viewer_zone).date()
    can_manage = request.user.has_perm("teams.manage_memberships", team)
    members = []
    slots = 0
    now_slot = presenters.now_slot(viewer_zone, today, now)
    memberships = sorted(
        selectors.team_members(team=team),
        # Leads first, then by name (in Python: the page shows every member anyway).
        key=lambda m: (m.role != TeamRole.LEAD, m.person.profile.display_name.lower()),
    )
    for membership in memberships:
        profile = membership.person.profile
        strip = hours_math.day_strip(
            hours_math.week_ranges(profile.working_hours or {}),
            zoneinfo(profile.time_zone),
            viewer_zone,
            today,
            slot_minutes=presenters.STRIP_SLOT_MINUTES,
        )
        slots = len(strip)
        members.append(
            {
                "membership": membership,
                "person": membership.person,
                "profile": profile,
                "status": selectors.person_local_status(profile, at=now),
                "strip_html": render_rows.strip_cells_html(strip, now_slot),
            }
        )
    if not slots:
        slots = len(hours_math.day_strip([], viewer_zone, viewer_zone, today))
    context = {
        "team": team,
        "ancestors": selectors.team_ancestors(team),
        "children": selectors.team_children(team),
        "members": members,
        "axis": presenters.strip_axis(viewer_zone, today, slots),
        "slots": slots,
        "today": today,
        "can_manage": can_manage,
        "can_edit": request.user.has_perm("teams.change_team", team),
        "add_form": add_form or (MemberAddForm() if can_manage else None),
        "role_choices": MemberRoleForm.base_fields["role"].choices,
        "panels": panels.render("team", request, team=team),  # e.g. oncall's schedules
    }
    return render(request, "teams/team_detail.html", context, status=status)


def _get_team(slug: str) -> Team:
    team = selectors.team_by_slug(slug)
    if team is None:
        raise Http404("No such team.")
    return team


@require_safe
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team(slug)
    require(request.user, "teams.view_team", team)
    return _team_page(request, team)


@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team(slug)
    require(request.user, "teams.change_team", team)
    status = 200
    if request.method == "POST":
        form = TeamForm(request.POST, exclude_pk=team.pk)
        if form.is_valid():
            try:
                services.team_update(
                    actor=Actor.from_request(request),
                    team=team,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                team.refresh_from_db()
            else:
                messages.success(request, "Team saved.")
                return redirect("team-detail", slug=team.slug)
        status = 400
    else:
        form = TeamForm(
            initial={"name": team.name, "parent": team.parent, "description": team.description},
            exclude_pk=team.pk,
        )
    return render(request, "teams/team_edit.html", {"team": team, "form": form}, status=status)


@require_POST
def team_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    team = _get_team(slug)
    require(request.user, "teams.manage_memberships", team)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        person = selectors.person_by_username(form.cleaned_data["username"].strip())
        if person is None:
            form.add_error("username", "Nobody has this username.")
        else:
            try:
                services.membership_set(
                    actor=Actor.from_request(request),
                    team=team,
                    person=person,
                    role=form.cleaned_data["role"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"{person.profile.display_name} is now in {team.name}.")
                return redirect("team-detail", slug=team.slug)
    return _team_page(request, team, add_form=form, status=400)


def _member(team: Team, person_id: int):
    person = selectors.team_member(team, person_id)
    if person is None:
        raise Http404("This person is not a member of the team.")
    return person


@require_POST
def team_member_role(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    team = _get_team(slug)
    require(request.user, "teams.manage_memberships", team)
    person = _member(team, person_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid team role.")
    else:
        service_action(
            request,
            lambda: services.membership_set(
                actor=Actor.from_request(request),
                team=team,
                person=person,
                role=form.cleaned_data["role"],
            ),
            "Role changed.",
        )
    return redirect("team-detail", slug=team.slug)


@require_POST
def team_member_remove(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    team = _get_team(slug)
    require(request.user, "teams.manage_memberships", team)
    person = _member(team, person_id)
    service_action(
        request,
        lambda: services.membership_remove(
            actor=Actor.from_request(request), team=team, person=person
        ),
        f"{person.profile.display_name} was removed from {team.name}.",
    )
    return redirect("team-detail", slug=team.slug)


# --- org settings and audit ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def org_settings(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.change_org_settings")
    status = 200
    if request.method == "POST":
        form = OrgSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.org_settings_update(
                    actor=Actor.from_request(request),
                    mfa_required_for=form.cleaned_data["mfa_required_for"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Org settings saved.")
                return redirect("org-settings")
        status = 400
    else:
        form = OrgSettingsForm(
            initial={"mfa_required_for": selectors.org_settings().mfa_required_for}
        )
    return render(request, "teams/org_settings.html", {"form": form}, status=status)


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    require(request.user, "teams.view_audit")
    form = AuditFilterForm(request.GET or None)
    filters = _valid_filters(form)
    viewer_zone = _viewer_zone(request)
    # Dates are days in the viewer's zone, the last one included.
    date_from, date_to = filters.get("date_from"), filters.get("date_to")
    events = selectors.audit_events(
        action=(filters.get("action") or "").strip(),
        actor=(filters.get("actor") or "").strip(),
        target_type=(filters.get("target_type") or "").strip(),
        since=datetime.combine(date_from, time(0), tzinfo=viewer_zone) if date_from else None,
        until=datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=viewer_zone)
        if date_to
        else None,
    )
    page, links = paginate(request, events, PAGE_SIZE, _query_with(request))
    return render(request, "teams/audit_log.html", {"form": form, "page": page, "links": links})
