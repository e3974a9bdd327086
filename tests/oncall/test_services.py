"""Layer history (edits never rewrite the past), overrides, swaps, preferences, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from oncall import selectors, services, specs
from oncall.models import LayerVersion, Override, SwapRequest, SwapStatus
from tests.factories import SYSTEM
from tests.oncall.world import utc

pytestmark = pytest.mark.django_db


def who(schedule, a, b):
    return [(s.start, s.end, s.person) for s in selectors.schedule_final_segments(schedule, a, b)]


def test_layer_edit_keeps_the_past_and_the_phase(world):
    layer = world.daily_layer(people=[world.ana, world.bo])
    a, b = utc(2026, 11, 2), utc(2026, 11, 9)
    before = who(world.schedule, a, b)
    with time_machine.travel(utc(2026, 11, 5, 12), tick=False):
        services.layer_update(
            actor=SYSTEM, layer=layer, participants=[world.ana.pk, world.bo.pk, world.cy.pk]
        )
    after = who(world.schedule, a, b)
    cut = utc(2026, 11, 5, 12)
    # Everything before the edit is exactly as it was.
    assert who(world.schedule, a, cut) == [s for s in before if s[1] <= cut] + [
        (utc(2026, 11, 5, 9), cut, world.bo.pk)
    ]
    assert (utc(2026, 11, 5, 9), utc(2026, 11, 6, 9), world.bo.pk) in before
    # The rotation keeps its phase (handoff 3 on 5 Nov 09:00 is still index 3): from the edit
    # on, shift k belongs to [ana, bo, cy][k % 3]; shift 3 (5 Nov) -> ana, 4 -> bo, 5 -> cy.
    assert (utc(2026, 11, 5, 12), utc(2026, 11, 6, 9), world.ana.pk) in after
    assert (utc(2026, 11, 6, 9), utc(2026, 11, 7, 9), world.bo.pk) in after
    assert (utc(2026, 11, 7, 9), utc(2026, 11, 8, 9), world.cy.pk) in after
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("effective_from"))
    assert [v.effective_to for v in versions] == [cut, None]
    assert AuditEvent.objects.filter(action="schedule.layer_update").exists()


def test_layer_edit_with_restrictions_does_not_leak_before_effective_from(world):
    layer = world.daily_layer(
        restrictions=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}]
    )
    with time_machine.travel(utc(2026, 11, 10), tick=False):
        services.layer_update(actor=SYSTEM, layer=layer, restrictions=[])
    # The weekend before the edit stays a gap; after it the layer covers all day.
    segs = who(world.schedule, utc(2026, 11, 7), utc(2026, 11, 8))
    assert segs == [(utc(2026, 11, 7), utc(2026, 11, 8), None)]
    segs = who(world.schedule, utc(2026, 11, 14), utc(2026, 11, 15))
    assert all(person is not None for _, _, person in segs)


def test_layer_edit_in_the_future_then_again_at_the_same_instant(world):
    layer = world.daily_layer()
    with time_machine.travel(utc(2026, 11, 3), tick=False):
        later = utc(2026, 11, 20)
        services.layer_update(
            actor=SYSTEM, layer=layer, effective_from=later, participants=[world.cy.pk]
        )
        services.layer_update(
            actor=SYSTEM, layer=layer, effective_from=later, participants=[world.bo.pk]
        )
        assert LayerVersion.objects.filter(layer=layer).count() == 2
        # Editing "from 10 Nov" while a change is scheduled for 20 Nov edits that change.
        services.layer_update(
            actor=SYSTEM, layer=layer, effective_from=utc(2026, 11, 10), priority=3
        )
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("effective_from"))
    assert [(v.effective_from, v.priority) for v in versions] == [
        (versions[0].effective_from, 0),
        (utc(2026, 11, 20), 3),
    ]
    assert who(world.schedule, utc(2026, 11, 21), utc(2026, 11, 22))[0][2] == world.bo.pk


def test_layer_delete_keeps_past_shifts(world):
    layer = world.daily_layer()
    with time_machine.travel(utc(2026, 11, 4, 12), tick=False):
        services.layer_delete(actor=SYSTEM, layer=layer)
    assert who(world.schedule, utc(2026, 11, 3, 10), utc(2026, 11, 3, 11))[0][2] == world.bo.pk
    assert who(world.schedule, utc(2026, 11, 5), utc(2026, 11, 6)) == [
        (utc(2026, 11, 5), utc(2026, 11, 6), None)
    ]
    with pytest.raises(ValidationError):
        services.layer_update(actor=SYSTEM, layer=layer, priority=1)


def test_priority_and_creation_order(world):
    world.daily_layer(people=[world.ana], name="low")
    world.daily_layer(people=[world.bo], name="high", priority=5)
    world.daily_layer(people=[world.cy], name="high too", priority=5)
    assert who(world.schedule, utc(2026, 11, 3), utc(2026, 11, 3, 1))[0][2] == world.bo.pk


def test_newest_override_wins(world):
    world.daily_layer(people=[world.ana])
    world.override(world.bo, utc(2026, 11, 3, 10), utc(2026, 11, 3, 14))
    world.override(world.cy, "2026-11-03T12:00:00Z", "2026-11-03T13:00:00Z")
    assert who(world.schedule, utc(2026, 11, 3, 10), utc(2026, 11, 3, 15)) == [
        (utc(2026, 11, 3, 10), utc(2026, 11, 3, 12), world.bo.pk),
        (utc(2026, 11, 3, 12), utc(2026, 11, 3, 13), world.cy.pk),
        (utc(2026, 11, 3, 13), utc(2026, 11, 3, 14), world.bo.pk),
        (utc(2026, 11, 3, 14), utc(2026, 11, 3, 15), world.ana.pk),
    ]
    answer = selectors.oncall_at(world.schedule, utc(2026, 11, 3, 12, 30))
    assert (answer.person, answer.start, answer.end) == (
        world.cy.pk,
        utc(2026, 11, 3, 12),
        utc(2026, 11, 3, 13),
    )


def _swap_setup(world, approval=False):
    world.daily_layer(people=[world.ana, world.bo])
    if approval:
        services.schedule_update(
            actor=SYSTEM, schedule=world.schedule, requires_lead_approval_for_swaps=True
        )
    return world.client  # noqa: B018


def test_swap_flow_without_approval(world):
    from core.audit import Actor

    _swap_setup(world)
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        # Ana is on call 2 Nov 09:00 - 3 Nov 09:00; Bo is not, so Bo cannot give it away.
        with pytest.raises(ValidationError) as err:
            world.swap(world.bo, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        assert "start" in err.value.message_dict
        swap = world.swap(world.ana, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        with pytest.raises(ValidationError):
            services.swap_request_accept(actor=Actor(user=world.ana), swap=swap)
        with pytest.raises(ValidationError):
            services.swap_request_accept(actor=Actor(user=world.outsider), swap=swap)
        swap = services.swap_request_accept(actor=Actor(user=world.cy), swap=swap)
    assert swap.status == SwapStatus.ACCEPTED and swap.override is not None
    assert who(world.schedule, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18)) == [
        (utc(2026, 11, 2, 12), utc(2026, 11, 2, 18), world.cy.pk)
    ]


def test_swap_flow_with_lead_approval_and_decline_kept(world):
    from core.audit import Actor

    _swap_setup(world, approval=True)
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        swap = world.swap(world.ana, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        swap = services.swap_request_accept(actor=Actor(user=world.cy), swap=swap)
        assert swap.awaiting_approval and Override.objects.count() == 0
        swap = services.swap_request_approve(actor=Actor(user=world.lead), swap=swap)
        assert swap.status == SwapStatus.APPROVED and Override.objects.count() == 1

        other = world.swap(world.bo, utc(2026, 11, 3, 12), utc(2026, 11, 3, 18))
        other = services.swap_request_accept(actor=Actor(user=world.cy), swap=other)
        other = services.swap_request_decline(actor=Actor(user=world.lead), swap=other)
        assert other.status == SwapStatus.DECLINED
        with pytest.raises(ValidationError):
            services.swap_request_approve(actor=Actor(user=world.lead), swap=other)
    assert SwapRequest.objects.filter(status=SwapStatus.DECLINED).count() == 1
    assert Override.objects.count() == 1


def test_swaps_expire_and_are_kept(world):
    from core.audit import Actor

    _swap_setup(world)
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        swap = world.swap(world.ana, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        cancelled = world.swap(world.ana, utc(2026, 11, 2, 10), utc(2026, 11, 2, 11))
        services.swap_request_cancel(actor=Actor(user=world.ana), swap=cancelled)
    assert services.swap_requests_expire(now=utc(2026, 11, 2, 11)) == 0
    assert services.swap_requests_expire(now=utc(2026, 11, 2, 12)) == 1
    assert services.swap_requests_expire(now=utc(2026, 11, 2, 13)) == 0
    swap.refresh_from_db()
    assert swap.status == SwapStatus.EXPIRED
    with pytest.raises(ValidationError):
        services.swap_request_accept(actor=Actor(user=world.cy), swap=swap)
    assert SwapRequest.objects.count() == 2


def test_swap_notifies_both_parties(world, django_capture_on_commit_callbacks):
    from core.audit import Actor
    from notifications.models import Notification

    _swap_setup(world)
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        swap = world.swap(world.ana, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        with django_capture_on_commit_callbacks(execute=True):
            services.swap_request_accept(actor=Actor(user=world.cy), swap=swap)
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {world.ana.pk, world.cy.pk}


def test_preferences_update(world):
    prefs = services.preferences_update(actor=SYSTEM, user=world.ana, shift_notice_minutes=15)
    assert prefs.shift_notice_minutes == 15
    with pytest.raises(ValidationError) as err:
        services.preferences_update(actor=SYSTEM, user=world.ana, shift_notice_minutes=-1)
    assert "shift_notice_minutes" in err.value.message_dict


def test_coverage_preview_finds_gaps(world):
    from datetime import date

    layer_specs = [
        specs.clean_layer_spec(
            {
                "name": region,
                "time_zone": zone,
                "start": "2026-11-02T00:00",
                "shift_length": {"count": 1, "unit": "weeks"},
                "participants": [i + 1],
                "restrictions": [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
            },
            team_id=None,
        )
        for i, (region, zone) in enumerate(
            [("APAC", "Asia/Manila"), ("EMEA", "Europe/London"), ("AMER", "America/New_York")]
        )
    ]
    coverage = selectors.coverage_preview(
        layer_specs, week_start=date(2026, 11, 2), time_zone="UTC"
    )
    assert coverage.gaps, "weekends and the hours between regions are gaps"
    assert coverage.segments[0].start == utc(2026, 11, 2)
    assert coverage.segments[-1].end == utc(2026, 11, 9)
    assert 0.4 < coverage.covered_fraction < 0.8
    assert set(coverage.layer_segments) == {0, 1, 2}
    assert sum((g.end - g.start for g in coverage.gaps), timedelta()) > timedelta(days=2)


def test_lanes(world):
    world.daily_layer(people=[world.ana], name="A")
    world.daily_layer(people=[world.bo], name="B", priority=-1)
    world.override(world.cy, utc(2026, 11, 3, 10), utc(2026, 11, 3, 14))
    lanes = selectors.layer_lanes(world.schedule, utc(2026, 11, 3), utc(2026, 11, 4))
    assert [lane.title for lane in lanes.layers] == ["A", "B"]
    assert [s.person for s in lanes.overrides.segments] == [world.cy.pk]
    assert [s.person for s in lanes.final.segments] == [world.ana.pk, world.cy.pk, world.ana.pk]
    assert set(lanes.people) == {world.ana.pk, world.bo.pk, world.cy.pk}


def test_rename_or_same_rules_make_no_new_version(world):
    layer = world.daily_layer()
    with time_machine.travel(utc(2026, 11, 10), tick=False):
        services.layer_update(actor=SYSTEM, layer=layer, name="Daily (EU)")
        services.layer_update(
            actor=SYSTEM, layer=layer, participants=[world.ana.pk, world.bo.pk], priority=0
        )
    assert LayerVersion.objects.filter(layer=layer).count() == 1
    layer.refresh_from_db()
    assert layer.name == "Daily (EU)"


def test_edit_that_moves_the_start_changes_the_phase_from_then_on(world):
    layer = world.daily_layer()
    with time_machine.travel(utc(2026, 11, 10, 12), tick=False):
        services.layer_update(actor=SYSTEM, layer=layer, start="2026-11-11T21:00")
    # Before the new start nobody from this layer (the new version starts there), after it
    # handoffs are at 21:00 London.
    assert who(world.schedule, utc(2026, 11, 10, 13), utc(2026, 11, 11, 21)) == [
        (utc(2026, 11, 10, 13), utc(2026, 11, 11, 21), None)
    ]
    segs = who(world.schedule, utc(2026, 11, 11, 21), utc(2026, 11, 13, 21))
    assert [s[0] for s in segs] == [utc(2026, 11, 11, 21), utc(2026, 11, 12, 21)]
    assert segs[0][2] == world.ana.pk


def test_page_selectors_for_swaps_feeds_and_preferences(world):
    from core.audit import Actor

    world.daily_layer(people=[world.ana, world.bo])
    services.schedule_update(
        actor=SYSTEM, schedule=world.schedule, requires_lead_approval_for_swaps=True
    )
    with time_machine.travel(utc(2026, 11, 1), tick=False):
        swap = world.swap(world.ana, utc(2026, 11, 2, 12), utc(2026, 11, 2, 18))
        assert list(selectors.swaps_i_can_take(world.cy)) == [swap]
        assert list(selectors.swaps_i_can_take(world.ana)) == []
        assert list(selectors.swaps_i_can_take(world.outsider)) == []
        services.swap_request_accept(actor=Actor(user=world.cy), swap=swap)
    assert list(selectors.swaps_awaiting_approval(world.lead)) == [swap]
    assert list(selectors.swaps_awaiting_approval(world.admin)) == [swap]
    assert list(selectors.swaps_awaiting_approval(world.bo)) == []
    feed, _raw = services.ical_token_regenerate(actor=SYSTEM, owner=world.ana)
    assert list(selectors.ical_feeds(world.ana)) == [feed]
    assert selectors.shift_notice_minutes(world.ana) == 60
    services.preferences_update(actor=SYSTEM, user=world.ana, shift_notice_minutes=5)
    assert selectors.shift_notice_minutes(world.ana) == 5


def test_layer_that_starts_later_is_edited_in_place(world):
    with time_machine.travel(utc(2026, 10, 1), tick=False):
        layer = world.daily_layer()  # starts 2 Nov
        services.layer_update(actor=SYSTEM, layer=layer, participants=[world.cy.pk])
    version = LayerVersion.objects.get(layer=layer)
    assert version.participants == [world.cy.pk]
    assert version.effective_from == utc(2026, 11, 2, 9)
