"""Prompts to write a handoff, by time travel across Sydney, London and New York in the week
London's clocks go forward (and the next, when Sydney's go back): the outgoing on-call person is
asked their lead time before the shift ends (60 minutes unless they chose otherwise), a person
with open items near the end of their working day; each exactly once however many beats run,
and a restarted beat catches up instead of dropping one. "On call next" resolves to what an
independent oracle of the rotation rule says at the moment of sending."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handoffs import engine, services
from handoffs.models import HandoffPrompt, HandoffRecipient, PromptKind
from oncall import services as oncall_services
from tests.factories import PersonFactory, add_member
from tests.handoffs.world import SYSTEM, actor, at, received, utc


def beat(world, when: datetime) -> int:
    with at(when), world.on_commit():
        return engine.prompt_due()


def prompts_of(person, kind=None) -> list[HandoffPrompt]:
    rows = HandoffPrompt.objects.filter(person=person).order_by("period_end", "id")
    return list(rows.filter(kind=kind) if kind else rows)


# --- the outgoing on-call person ------------------------------------------------------------


def test_each_outgoing_person_is_asked_an_hour_before_their_shift_ends_once(world):
    # Friday 26 March 2027 (UTC shifts: Sam 22-06, Lou 06-14, Nia 14-22).
    assert beat(world, utc(2027, 3, 26, 12, 59)) == 0
    for _ in range(2):  # two beats in the same minute
        beat(world, utc(2027, 3, 26, 13))
    beat(world, utc(2027, 3, 26, 13, 30))
    (prompt,) = prompts_of(world.lou)
    assert (prompt.kind, prompt.schedule_id) == (PromptKind.SHIFT_END, world.schedule.pk)
    assert (prompt.period_start, prompt.period_end) == (utc(2027, 3, 26, 6), utc(2027, 3, 26, 14))
    (note,) = received(world.lou, "handoffs.prompt")
    assert note.title == "Your shift on Follow the sun ends in 1 hour: write the handoff"
    # In Lou's zone, named with its offset (the text is stored).
    assert note.body.startswith(
        "Your shift ends Fri 26 Mar 14:00 your time, Europe/London (UTC+00:00)."
    )
    assert note.url == f"/handoffs/new/?prompt={prompt.pk}"
    assert note.urgency == "normal"  # 13:00 in London: at work
    assert prompts_of(world.nia) == []


def test_the_prompt_follows_each_zone_and_is_urgent_outside_working_hours(world):
    # Sam's shift ends 06:00 UTC = 17:00 in Sydney (AEDT): asked at 16:00, at work.
    beat(world, utc(2027, 3, 26, 5))
    (sam,) = received(world.sam, "handoffs.prompt")
    assert "Fri 26 Mar 17:00 your time, Australia/Sydney (UTC+11:00)" in sam.body
    assert sam.urgency == "normal"
    # Nia's ends 22:00 UTC = 18:00 in New York (EDT): asked at 17:00, her day is over; she is
    # on call, so the prompt must not wait for her morning.
    beat(world, utc(2027, 3, 26, 21))
    (nia,) = received(world.nia, "handoffs.prompt")
    assert "Fri 26 Mar 18:00 your time, America/New_York (UTC−04:00)" in nia.body
    assert nia.urgency == "urgent"


def test_the_lead_time_is_each_persons_and_zero_asks_nothing(world):
    with at(utc(2027, 3, 26, 8)):
        services.preferences_update(actor=actor(world.nia), user=world.nia, prompt_minutes=30)
        services.preferences_update(actor=actor(world.lou), user=world.lou, prompt_minutes=0)
    assert beat(world, utc(2027, 3, 26, 13)) == 0  # Lou: never
    assert beat(world, utc(2027, 3, 26, 21)) == 0  # Nia: not yet
    assert beat(world, utc(2027, 3, 26, 21, 30)) == 1
    (nia,) = received(world.nia, "handoffs.prompt")
    assert nia.title == "Your shift on Follow the sun ends in 30 minutes: write the handoff"
    assert received(world.lou, "handoffs.prompt") == []


def test_a_long_lead_reaches_past_the_default_window(world):
    with at(utc(2027, 3, 26, 8)):
        services.preferences_update(actor=actor(world.lou), user=world.lou, prompt_minutes=180)
    assert beat(world, utc(2027, 3, 26, 10, 59)) == 0
    assert beat(world, utc(2027, 3, 26, 11)) == 1
    (prompt,) = received(world.lou, "handoffs.prompt")
    assert "ends in 3 hours" in prompt.title


def test_a_beat_that_was_down_catches_up_within_half_an_hour_of_the_end(world):
    # No beat from 12:00 to 14:20: Lou's shift ended at 14:00; she is still asked.
    assert beat(world, utc(2027, 3, 26, 14, 20)) == 1
    (prompt,) = received(world.lou, "handoffs.prompt")
    assert prompt.title == "Your shift on Follow the sun has ended: write the handoff"
    # Nia's shift (ends 22:00) is not within her hour yet; Sam's (ended 06:00) is long over.
    assert prompts_of(world.sam) == []
    # Later than the catch-up: that end is never prompted.
    assert beat(world, utc(2027, 3, 27, 6, 31)) == 0
    assert prompts_of(world.sam) == []


def test_after_the_clocks_go_forward_the_same_utc_shift_ends_an_hour_later_locally(world):
    # Monday 29 March: London is on BST; Lou's shift still ends 14:00 UTC = 15:00 BST.
    beat(world, utc(2027, 3, 29, 13))
    (prompt,) = received(world.lou, "handoffs.prompt")
    assert "Mon 29 Mar 15:00 your time, Europe/London (UTC+01:00)" in prompt.body


def test_no_prompt_once_the_shift_has_its_note(world):
    world.send(
        by=world.lou,
        when=utc(2027, 3, 26, 12),
        people=[world.nia.pk],
        schedule=world.schedule.pk,
        shift_start=utc(2027, 3, 26, 6),
        shift_end=utc(2027, 3, 26, 14),
    )
    assert beat(world, utc(2027, 3, 26, 13)) == 0
    assert received(world.lou, "handoffs.prompt") == []


def test_an_override_moves_the_prompt_to_whoever_really_goes_off_call(world):
    oncall_services.override_create(
        actor=SYSTEM,
        schedule=world.schedule,
        person=world.lead,
        start="2027-03-26T10:00:00Z",
        end="2027-03-26T14:00:00Z",
    )
    # Lou goes off call at 10:00 (the override starts), Lena at 14:00.
    assert beat(world, utc(2027, 3, 26, 9)) == 1
    assert [p.period_end for p in prompts_of(world.lou)] == [utc(2027, 3, 26, 10)]
    assert beat(world, utc(2027, 3, 26, 13)) == 1
    assert [p.period_end for p in prompts_of(world.lead)] == [utc(2027, 3, 26, 14)]


def test_a_deactivated_person_is_not_asked(world):
    world.lou.is_active = False
    world.lou.save()
    assert beat(world, utc(2027, 3, 26, 13)) == 0


# --- the end of a working day with open items ---------------------------------------------------


def _give_item(world, person, when):
    """A note from Sam with one open item owned by `person`, delivered to them."""
    note = world.send(
        when=when,
        urgency="urgent",
        people=[person.pk],
        items=[{"text": f"Refund for {person.username}", "owner": person.pk}],
    )
    return note.items.get()


@pytest.fixture
def sydney(world):
    """Sid, in Sydney, on the team but not on call."""
    sid = PersonFactory(
        username="sid", display_name="Sid Sydney", time_zone="Australia/Sydney", country="AU"
    )
    add_member(world.team, sid)
    return sid


def test_open_items_are_asked_for_an_hour_before_the_working_day_ends(world, sydney):
    for person in (world.lead, sydney):
        _give_item(world, person, utc(2027, 3, 25, 23))
    # Sid, Sydney (AEDT): his Friday ends 06:00 UTC; asked at 05:00 UTC.
    assert beat(world, utc(2027, 3, 26, 4, 59)) == 0
    assert beat(world, utc(2027, 3, 26, 5)) == 2  # and Sam, whose shift ends then
    # Lena, London, Friday 26 March (GMT): her day ends 17:00 UTC; asked from 16:00.
    assert beat(world, utc(2027, 3, 26, 15, 59)) == 0
    for _ in range(2):
        beat(world, utc(2027, 3, 26, 16))
    (lena,) = prompts_of(world.lead, PromptKind.DAY_END)
    assert (lena.period_start, lena.period_end) == (utc(2027, 3, 26, 9), utc(2027, 3, 26, 17))
    (told,) = received(world.lead, "handoffs.prompt")
    assert told.title == "Your working day ends in 1 hour: hand over your 1 open item"
    assert "Fri 26 Mar 17:00 your time, Europe/London (UTC+00:00)" in told.body
    (sid,) = prompts_of(sydney)
    assert sid.period_end == utc(2027, 3, 26, 6)
    # The weekend asks nobody; Monday in London is BST: 17:00 is 16:00 UTC, asked at 15:00.
    for hour in range(0, 24, 2):
        beat(world, utc(2027, 3, 27, hour))
        beat(world, utc(2027, 3, 28, hour))
    assert len(prompts_of(world.lead)) == 1
    beat(world, utc(2027, 3, 29, 15))
    monday = prompts_of(world.lead)[-1]
    assert monday.period_end == utc(2027, 3, 29, 16)
    assert "Mon 29 Mar 17:00 your time, Europe/London (UTC+01:00)" in (
        received(world.lead, "handoffs.prompt")[-1].body
    )


def test_sydney_ends_its_day_an_hour_later_in_utc_after_its_clocks_go_back(world, sydney):
    oncall_services.schedule_delete(actor=SYSTEM, schedule=world.schedule)  # no shift prompts
    _give_item(world, sydney, utc(2027, 3, 31, 23))
    # Friday 2 April (AEDT, UTC+11): 17:00 = 06:00 UTC. Monday 5 April (AEST, UTC+10): 07:00.
    beat(world, utc(2027, 4, 2, 5))
    assert [p.period_end for p in prompts_of(sydney)] == [utc(2027, 4, 2, 6)]
    assert beat(world, utc(2027, 4, 5, 5)) == 0
    beat(world, utc(2027, 4, 5, 6))
    assert [p.period_end for p in prompts_of(sydney)][-1] == utc(2027, 4, 5, 7)
    assert "(UTC+10:00)" in received(sydney, "handoffs.prompt")[-1].body


def test_new_york_is_asked_in_its_own_afternoon(world):
    oncall_services.schedule_delete(actor=SYSTEM, schedule=world.schedule)  # no shift prompts
    _give_item(world, world.nia, utc(2027, 3, 26, 12))
    # New York (EDT, UTC-4): 17:00 is 21:00 UTC; asked at 20:00.
    assert beat(world, utc(2027, 3, 26, 19, 59)) == 0
    assert beat(world, utc(2027, 3, 26, 20)) == 1
    assert "Fri 26 Mar 17:00 your time, America/New_York (UTC−04:00)" in (
        received(world.nia, "handoffs.prompt")[0].body
    )


def test_no_day_prompt_without_open_items_or_after_a_note(world, sydney):
    oncall_services.schedule_delete(actor=SYSTEM, schedule=world.schedule)  # no shift prompts
    item = _give_item(world, world.lead, utc(2027, 3, 25, 23))
    with at(utc(2027, 3, 26, 10)):
        services.item_act(actor=actor(world.lead), item=item, action="done")
    _give_item(world, sydney, utc(2027, 3, 25, 23))
    # Sid wrote a note during his Friday: he handed over already.
    world.send(by=sydney, when=utc(2027, 3, 26, 2), people=[world.lou.pk])
    assert beat(world, utc(2027, 3, 26, 5)) == 0
    assert beat(world, utc(2027, 3, 26, 16)) == 0


def test_a_shift_prompt_stands_for_the_day_prompt(world):
    # Lou owns an open item and is on call until 14:00: the shift's prompt (13:00) is the
    # day's; she is not asked again at 16:00.
    _give_item(world, world.lou, utc(2027, 3, 26, 9))
    beat(world, utc(2027, 3, 26, 13))
    beat(world, utc(2027, 3, 26, 16))
    assert [p.kind for p in prompts_of(world.lou)] == [PromptKind.SHIFT_END]


# --- a note written from a prompt -----------------------------------------------------------------


def test_the_note_written_from_a_prompt_answers_it_and_is_about_its_shift(world):
    beat(world, utc(2027, 3, 26, 13))
    (prompt,) = prompts_of(world.lou)
    note = world.send(
        by=world.lou,
        when=utc(2027, 3, 26, 13, 20),
        recipients="next_oncall",
        recipients_schedule=world.schedule.pk,
        schedule=world.schedule.pk,
        shift_start=prompt.period_start,
        shift_end=prompt.period_end,
        prompt=prompt.pk,
    )
    prompt.refresh_from_db()
    assert prompt.note_id == note.pk
    # "Next on call" after the shift the note is about: Nia from 14:00.
    assert list(HandoffRecipient.objects.filter(note=note).values_list("person_id", flat=True)) == [
        world.nia.pk
    ]


def test_someone_elses_prompt_is_refused(world):
    from django.core.exceptions import ValidationError

    beat(world, utc(2027, 3, 26, 13))
    (prompt,) = prompts_of(world.lou)
    with pytest.raises(ValidationError) as refused:
        world.send(by=world.nia, when=utc(2027, 3, 26, 13, 5), prompt=prompt.pk)
    assert refused.value.message_dict["prompt"] == ["No such prompt of yours."]
    prompt.refresh_from_db()
    assert prompt.note_id is None


# --- "on call next" against an oracle of the rotation rule --------------------------------------


LONDON = ZoneInfo("Europe/London")


def _oracle_next(order, first_day: date, instant: datetime):
    """Who is on call after the daily 09:00 London handoff following `instant`, by DESIGN.md's
    rule worked out by hand: handoff k at 09:00 local wall time on first_day + k days,
    participants[k mod n]."""
    local = instant.astimezone(LONDON)
    day = local.date()
    if local.time() >= time(9):
        day += timedelta(days=1)
    k = (day - first_day).days
    return order[k % len(order)], datetime.combine(day, time(9), tzinfo=LONDON)


def test_on_call_next_matches_the_oracle_through_the_clock_change(world):
    schedule = oncall_services.schedule_create(
        actor=SYSTEM, team=world.team, name="London days", time_zone="Europe/London"
    )
    order = [world.lou, world.lead, world.nia]
    oncall_services.layer_create(
        actor=SYSTEM,
        schedule=schedule,
        name="Daily",
        time_zone="Europe/London",
        start="2027-03-22T09:00",
        shift_length={"count": 1, "unit": "days"},
        participants=[p.pk for p in order],
    )
    instant = utc(2027, 3, 26, 0, 30)
    checked = 0
    while instant < utc(2027, 3, 31):
        expected, handoff = _oracle_next(order, date(2027, 3, 22), instant)
        note = world.send(
            by=world.sam,
            when=instant,
            recipients="next_oncall",
            recipients_schedule=schedule.pk,
        )
        rows = list(HandoffRecipient.objects.filter(note=note))
        assert [r.person_id for r in rows] == [expected.pk], instant
        # The recipient row says from when, in the recipient's own clock.
        local = handoff.astimezone(ZoneInfo(expected.profile.time_zone))
        assert f"{local:%H:%M}" in rows[0].resolved_as, (instant, rows[0].resolved_as)
        checked += 1
        instant += timedelta(hours=5, minutes=17)
    assert checked >= 20
