"""Secret-token iCal feeds (RFC 5545): a person's shifts, or one schedule's final answer.

GET /ical/<token>.ics needs no session (accounts/middleware.py lets /ical/ through); the token
is the credential. Only its SHA-256 is stored. A revoked or unknown token, or a feed whose
owner may no longer read what it shows, answers 404. Read-only: only GET/HEAD.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from . import selectors
from .models import IcalFeed
from .services import hash_token

PAST = timedelta(days=30)
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


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "baton"


def feed_calendar(feed: IcalFeed, *, now=None) -> Calendar | None:
    """The feed's calendar, or None when the owner may no longer read it."""
    now = now or timezone.now()
    owner = feed.owner
    if not owner.is_active:
        return None
    a, b = now - PAST, now + FUTURE
    site = settings.SITE_URL.rstrip("/")
    host = _host()
    if feed.schedule is None:
        cal = _calendar(f"My on-call shifts ({owner.get_username()})")
        # my_shifts limits each call to what a page shows; a feed is a fixed 120 days.
        for shift in selectors.my_shifts(owner, a, b):
            cal.add_component(
                _event(
                    f"shift-{shift.schedule.pk}-{owner.pk}-{int(shift.start.timestamp())}@{host}",
                    f"On call: {shift.schedule.name}",
                    shift.start,
                    shift.end,
                    now,
                    f"{site}/schedules/{shift.schedule.pk}/",
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
                f"final-{schedule.pk}-{int(seg.start.timestamp())}-{seg.person or 0}@{host}",
                f"{who} on call ({schedule.name})",
                seg.start,
                seg.end,
                now,
                f"{site}/schedules/{schedule.pk}/",
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
