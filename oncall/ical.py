"""Secret-token iCal feeds (RFC 5545): a person's shifts, or one schedule's final answer.

GET /ical/<token>.ics needs no session (accounts/middleware.py lets /ical/ through); the token
is the credential. Only its SHA-256 is stored. A revoked or unknown token, or a feed whose
owner may no longer read what it shows, answers 404. Read-only: only GET/HEAD.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from core.links import absolute_url

from . import selectors
from .models import IcalFeed
from .services import hash_token

PAST = timedelta(days=30)
# UIDs name the event, not the site: a calendar client keys events by UID, so a UID that
# changed with BATON_SITE_URL (a new port, a new domain) would show every shift twice.
UID_DOMAIN = "baton.oncall"
FUTURE = timedelta(days=90)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Baton//On-call//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", "PT1H")  # clients poll hourly
    return cal


def _event(uid: str, summary: str, start, end, stamp, url: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)  # aware UTC datetimes are written as ...Z
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    if url:
        event.add("url", url)
    return event


def feed_url(raw_token: str) -> str:
    """The address a calendar client subscribes to (the public one, not this request's)."""
    return absolute_url(reverse("oncall-ical", kwargs={"token": raw_token}))


def _schedule_url(schedule_id: int) -> str:
    return absolute_url(reverse("oncall-schedule", args=[schedule_id]))


def feed_calendar(feed: IcalFeed, *, now=None) -> Calendar | None:
    """The feed's calendar, or None when the owner may no longer read it."""
    now = now or timezone.now()
    owner = feed.owner
    if not owner.is_active:
        return None
    a, b = now - PAST, now + FUTURE
    if feed.schedule is None:
        cal = _calendar(f"My on-call shifts ({owner.profile.display_name})")
        # my_shifts limits each call to what a page shows; a feed is a fixed 120 days.
        for shift in selectors.my_shifts(owner, a, b):
            cal.add_component(
                _event(
                    f"shift-{shift.schedule.pk}-{owner.pk}-{int(shift.start.timestamp())}@{UID_DOMAIN}",
                    f"On call: {shift.schedule.name}",
                    shift.start,
                    shift.end,
                    now,
                    _schedule_url(shift.schedule.pk),
                )
            )
        return cal
    schedule = feed.schedule
    if not owner.has_perm("oncall.view_schedule", schedule):
        return None
    cal = _calendar(f"On call: {schedule.name}")
    segments = selectors.schedule_final_segments(schedule, a, b)
    people = selectors.people_by_id(s.person for s in segments)
    for seg in segments:
        person = people.get(seg.person)
        who = person.profile.display_name if person is not None else "Nobody (gap)"
        cal.add_component(
            _event(
                f"final-{schedule.pk}-{int(seg.start.timestamp())}-{seg.person or 0}@{UID_DOMAIN}",
                f"{who} on call ({schedule.name})",
                seg.start,
                seg.end,
                now,
                _schedule_url(schedule.pk),
            )
        )
    return cal


@require_safe
def feed_view(request, token: str):
    feed = (
        IcalFeed.objects.select_related("owner__profile", "schedule__team")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise Http404("No such feed.")
    cal = feed_calendar(feed)
    if cal is None:
        raise Http404("No such feed.")
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="baton-oncall.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
