"""Secret-token iCal feeds: public by token only, valid RFC 5545, revocable, regenerable."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from icalendar import Calendar

from oncall import services
from oncall.models import IcalFeed
from tests.factories import SYSTEM
from tests.oncall.world import utc

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/ical/")  # the public address
    return urlsplit(url).path


def test_person_feed_parses_and_lists_my_shifts(world):
    world.daily_layer(people=[world.ana, world.bo])
    with time_machine.travel(utc(2026, 11, 3), tick=False):
        created = world.client(world.ana).post("/api/v1/me/ical/")
        assert created.status_code == 201
        url = _path(created.json()["url"])
        assert url.startswith("/ical/") and url.endswith(".ics")
        response = Client().get(url)  # no session
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and "PRODID" in cal
    events = cal.walk("VEVENT")
    assert events, "Ana has shifts in the next 90 days"
    first = events[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert prop in first
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert b"DTSTART:20261102T090000Z" in response.content
    assert len({e["UID"] for e in events}) == len(events)
    # Stored hashed only.
    raw = url[len("/ical/") : -len(".ics")]
    assert not IcalFeed.objects.filter(token_hash=raw).exists()
    assert IcalFeed.objects.filter(token_hash=services.hash_token(raw)).exists()


def test_schedule_feed_shows_gaps_and_people(world):
    world.daily_layer(
        people=[world.ana],
        restrictions=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
    )
    with time_machine.travel(utc(2026, 11, 3), tick=False):
        feed, raw = services.ical_token_regenerate(
            actor=SYSTEM, owner=world.bo, schedule=world.schedule
        )
        response = Client().get(f"/ical/{raw}.ics")
    assert response.status_code == 200
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert any(s.startswith("Ana on call") for s in summaries)
    assert any(s.startswith("Nobody (gap)") for s in summaries)


def test_revoked_and_regenerated_tokens(world):
    feed, raw = services.ical_token_regenerate(actor=SYSTEM, owner=world.ana)
    assert Client().get(f"/ical/{raw}.ics").status_code == 200
    _, new_raw = services.ical_token_regenerate(actor=SYSTEM, owner=world.ana)
    assert Client().get(f"/ical/{raw}.ics").status_code == 404
    assert Client().get(f"/ical/{new_raw}.ics").status_code == 200
    services.ical_token_revoke(actor=SYSTEM, owner=world.ana)
    assert Client().get(f"/ical/{new_raw}.ics").status_code == 404
    assert Client().get("/ical/not-a-token.ics").status_code == 404
    assert Client().post(f"/ical/{new_raw}.ics").status_code in (403, 405)


def test_schedule_feed_dies_when_owner_leaves_the_team(world):
    from teams.services import membership_remove

    _, raw = services.ical_token_regenerate(actor=SYSTEM, owner=world.cy, schedule=world.schedule)
    assert Client().get(f"/ical/{raw}.ics").status_code == 200
    membership_remove(actor=SYSTEM, team=world.team, person=world.cy)
    assert Client().get(f"/ical/{raw}.ics").status_code == 404


def test_schedule_feed_via_api_needs_read_access(world):
    sid = world.schedule.pk
    assert world.client(world.outsider).post(f"/api/v1/schedules/{sid}/ical/").status_code == 404
    response = world.client(world.ana).post(f"/api/v1/schedules/{sid}/ical/")
    assert response.status_code == 201
    assert Client().get(_path(response.json()["url"])).status_code == 200
    assert world.client(world.ana).delete(f"/api/v1/schedules/{sid}/ical/").status_code == 204
    assert Client().get(_path(response.json()["url"])).status_code == 404


def test_feed_uids_survive_a_new_site_address_and_links_follow_it(world, settings):
    """A calendar client keys events by UID: a new BATON_SITE_URL must not duplicate them,
    while the events' links move to the new address."""
    world.daily_layer(people=[world.ana, world.bo])
    feed, _raw = services.ical_token_regenerate(actor=SYSTEM, owner=world.ana)
    feed = IcalFeed.objects.select_related("owner__profile").get(pk=feed.pk)
    from oncall.ical import feed_calendar

    def events():
        with time_machine.travel(utc(2026, 11, 3), tick=False):
            return list(feed_calendar(feed).walk("VEVENT"))

    settings.SITE_URL = "http://127.0.0.1:8000"
    before = events()
    settings.SITE_URL = "https://baton.example.com:8100"
    after = events()
    assert before and [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert all(str(e["UID"]).endswith("@baton.oncall") for e in before)
    links = [str(e["URL"]) for e in after]
    assert all(link.startswith("https://baton.example.com:8100/schedules/") for link in links)
