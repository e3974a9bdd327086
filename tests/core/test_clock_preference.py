"""Times are on the 24-hour clock unless the person chose the 12-hour one: pages for the
viewer, and stored texts (notifications) for their reader."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from core import timefmt
from teams.models import Clock
from teams.services import person_update
from tests.conftest import sign_in
from tests.factories import SYSTEM, PersonFactory

AFTERNOON = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "hour, minute, expected",
    [(14, 5, "2:05 pm"), (0, 30, "12:30 am"), (12, 0, "12:00 pm"), (9, 0, "9:00 am")],
)
def test_twelve_hour_clock(hour, minute, expected):
    moment = datetime(2026, 12, 2, hour, minute, tzinfo=UTC)
    assert timefmt.fmt_time(moment, "UTC") == f"{moment:%H:%M}"
    with timefmt.clock(hour12=True):
        assert timefmt.fmt_time(moment, "UTC") == expected
        assert timefmt.fmt_day_time(moment, "UTC") == f"Wed 02 Dec {expected}"
    assert timefmt.fmt_time(moment, "UTC") == f"{moment:%H:%M}"  # back to 24 h


def test_spans_on_the_twelve_hour_clock():
    start = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    end = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    assert timefmt.fmt_span(start, end, "UTC") == "Wed 02 Dec 16:00–24:00"
    with timefmt.clock(hour12=True):
        assert timefmt.fmt_span(start, end, "UTC") == "Wed 02 Dec 4:00 pm–midnight"


@pytest.mark.django_db
def test_pages_follow_the_viewers_choice():
    person = PersonFactory(username="twelve", time_zone="UTC")
    client = sign_in(Client(), person)
    with time_machine.travel(AFTERNOON, tick=False):
        assert "Wed 14:05" in client.get("/").content.decode()
        person_update(actor=SYSTEM, person=person, clock=Clock.H12)
        page = client.get("/").content.decode()
    assert ">Wed 2:05 pm<" in page and "data-hour12" in page
    assert ">Wed 14:05<" not in page


@pytest.mark.django_db
def test_the_choice_is_on_the_profile_page(client):
    person = PersonFactory(username="chooser")
    sign_in(client, person)
    page = client.get("/me/").content.decode()
    assert 'name="clock"' in page and "12-hour (2:05 pm)" in page


@pytest.mark.django_db
def test_a_notification_text_is_on_its_readers_clock():
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.services import mfa_reset
    from core.audit import Actor
    from notifications.models import Notification

    admin = PersonFactory(username="root", org_role="admin")
    reader = PersonFactory(username="reader", time_zone="UTC")
    person_update(actor=SYSTEM, person=reader, clock=Clock.H12)
    reader.refresh_from_db()
    TOTP.activate(reader, generate_totp_secret())
    with time_machine.travel(AFTERNOON, tick=False):
        mfa_reset(actor=Actor.system(user=admin), person=reader)
    body = Notification.objects.get(recipient=reader, kind="accounts.mfa_reset").body
    assert "2:05 pm" in body and "14:05" not in body


@pytest.mark.django_db
def test_a_clock_chosen_when_adding_a_person_is_kept(admin_client):
    response = admin_client.post(
        "/people/new/",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "display_name": "New Bie",
            "org_role": "member",
            "time_zone": "Asia/Manila",
            "country": "PH",
            "working_hours": "mon-fri 09:00-17:00",
            "clock": "12h",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    from teams.models import Profile

    assert Profile.objects.get(user__username="newbie").clock == Clock.H12
