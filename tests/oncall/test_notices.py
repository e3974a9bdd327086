"""Shift notices: "you go on call in N minutes" and "you are now off call", exactly once."""

from __future__ import annotations

import pytest
import time_machine

from notifications.models import Notification
from oncall import services
from oncall.tasks import send_shift_notices, shift_notices
from tests.factories import SYSTEM
from tests.oncall.world import utc

pytestmark = pytest.mark.django_db


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_start_notice_at_lead_time_exactly_once(world):
    world.daily_layer(people=[world.ana, world.bo])  # Ana from 2 Nov 09:00 UTC
    send_shift_notices(now=utc(2026, 11, 2, 7, 59))
    assert _kinds(world.ana) == []
    with time_machine.travel(utc(2026, 11, 2, 8, 0, 30), tick=False):
        shift_notices()  # through the Celery task (eager)
        shift_notices()  # beat fires again / a worker restarts: nothing new
    send_shift_notices(now=utc(2026, 11, 2, 8, 30))
    assert _kinds(world.ana) == ["oncall.shift_starting"]
    notice = Notification.objects.get(recipient=world.ana)
    assert "in 59 minutes" in notice.title or "in 1 hour" in notice.title


def test_off_call_notice_exactly_once(world):
    world.daily_layer(people=[world.ana, world.bo])
    for minute in (0, 1, 2):
        send_shift_notices(now=utc(2026, 11, 3, 9, minute))
    assert "oncall.shift_ending" in _kinds(world.ana)
    assert _kinds(world.ana).count("oncall.shift_ending") == 1
    # No run fell in Bo's lead time, but the run at his start instant still tells him, once.
    assert _kinds(world.bo) == ["oncall.shift_starting"]
    assert Notification.objects.get(recipient=world.bo).title.startswith("You are on call now")
    send_shift_notices(now=utc(2026, 11, 4, 8, 10))
    send_shift_notices(now=utc(2026, 11, 4, 8, 11))
    assert _kinds(world.ana).count("oncall.shift_starting") == 1


def test_lead_time_is_a_person_setting(world):
    world.daily_layer(people=[world.ana])
    # Ana's single-person layer is one long segment: start notice only.
    services.preferences_update(actor=SYSTEM, user=world.ana, shift_notice_minutes=15)
    send_shift_notices(now=utc(2026, 11, 2, 8, 30))
    assert _kinds(world.ana) == []
    send_shift_notices(now=utc(2026, 11, 2, 8, 45))
    assert _kinds(world.ana) == ["oncall.shift_starting"]
    assert "15 minutes" in Notification.objects.get(recipient=world.ana).title


def test_override_shift_gets_notices(world):
    world.override(world.cy, utc(2026, 11, 5, 20), utc(2026, 11, 5, 22))
    send_shift_notices(now=utc(2026, 11, 5, 19, 30))
    send_shift_notices(now=utc(2026, 11, 5, 22, 5))
    send_shift_notices(now=utc(2026, 11, 5, 22, 6))
    assert _kinds(world.cy) == ["oncall.shift_ending", "oncall.shift_starting"]
