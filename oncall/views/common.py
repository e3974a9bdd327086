"""What the on-call pages share: the viewer's zone, the schedule lookups with their
permission checks, feed actions, the lists' filters and pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page
from django.http import Http404, HttpRequest

from core import pages
from core.audit import Actor
from core.permissions import require
from teams.selectors import team_choices

from .. import presenters, selectors, services
from ..forms import ScheduleFilterForm
from ..ical import feed_url
from ..models import Schedule

FEED_SESSION_KEY = "oncall_new_feed_url"
MY_SHIFTS_DAYS = 30
LIST_PAGE_SIZE = 50  # rows a page on "on call now" and the schedules list


def viewer_zone_name(request: HttpRequest) -> str:
    profile = getattr(request.user, "profile", None)
    return profile.time_zone if profile is not None else "UTC"


def get_schedule(request: HttpRequest, pk: int) -> Schedule:
    schedule = selectors.schedule_for_page(pk)
    if schedule is None or not request.user.has_perm("oncall.view_schedule", schedule):
        raise Http404("No such schedule.")  # not yours to see: as if it did not exist
    return schedule


def editable_schedule(request: HttpRequest, pk: int) -> Schedule:
    schedule = get_schedule(request, pk)
    require(request.user, "oncall.change_schedule", schedule)
    return schedule


def pop_feed_url(request: HttpRequest) -> str | None:
    return request.session.pop(FEED_SESSION_KEY, None)


def feed_action(request: HttpRequest, schedule: Schedule | None) -> None:
    actor = Actor.from_request(request)
    if request.POST.get("action") == "revoke":
        count = services.ical_token_revoke(actor=actor, owner=request.user, schedule=schedule)
        messages.success(request, "Feed revoked." if count else "There was no feed to revoke.")
        return
    _feed, raw = services.ical_token_regenerate(actor=actor, owner=request.user, schedule=schedule)
    # The raw token is shown once (only its hash is kept): carried to the next page.
    request.session[FEED_SESSION_KEY] = feed_url(raw)
    messages.success(request, "A new feed URL was made; any older one no longer works.")


def schedule_people_choices(schedule: Schedule) -> list[tuple[int, str]]:
    """(id, label) of the schedule's team members and participants, by name: one query."""
    return presenters.person_choices(selectors.schedule_people(schedule))


def override_people(request: HttpRequest, schedule: Schedule) -> list[tuple[int, str]]:
    """Whom the viewer may put on an override: anyone of the schedule when they may change
    it, else only themselves."""
    if request.user.has_perm("oncall.change_schedule", schedule):
        return schedule_people_choices(schedule)
    return [(request.user.pk, f"{presenters.display_name(request.user)} (me)")]


def filter_form(request: HttpRequest) -> ScheduleFilterForm:
    """The lists' filters from the query string; the team picker lists every team (all are
    visible to everyone signed in), from the cached choices."""
    return ScheduleFilterForm(request.GET or None, teams=team_choices())


def paginate(request: HttpRequest, items, form: ScheduleFilterForm) -> tuple[Page, dict]:
    """A page of `items` and its links, each keeping the valid filters (core.pages)."""
    return pages.paginate(request, items, LIST_PAGE_SIZE, form.query)
