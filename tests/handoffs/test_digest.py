"""The digest a handoff note starts from (issue 13, part 3): what happened during the shift or
working day (urgent updates of my teams, status changes and updates of the projects I own or
watch, open items to carry), each a checkbox in the composer that becomes an open item; the
composer opened from a prompt is about that shift; forged or foreign choices write nothing; the
digest's reads stay fixed with 10 or 1,000 notes and with 1 or 40 mentions of me in chat (that
source's own tests: test_digest_mentions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from escalations import services as escalation_services
from handoffs import engine, selectors
from handoffs.models import HandoffItem, HandoffNote, HandoffPreferences, HandoffPrompt
from projects import services as project_services
from tests.conftest import sign_in
from tests.factories import TeamFactory
from tests.handoffs.world import actor, at, counts, utc

# Lou's shift: Friday 26 March 2027, 06:00-14:00 UTC (London, GMT); asked at 13:00.
ASKED = utc(2027, 3, 26, 13)


@pytest.fixture
def shift(world):
    """During Lou's shift: an urgent update of the team, a status change and an update of her
    project, an open item of an earlier note about the schedule (carries anyway) and one she
    owns from a note about nothing; and things she must not see or that fall outside."""
    other_team = TeamFactory(name="Elsewhere")
    with at(utc(2027, 3, 26, 5)):  # before the shift
        escalation_services.update_raise(
            actor=actor(world.sam), team=world.team, title="Before the shift", severity="high"
        )
    world.send(
        when=utc(2027, 3, 26, 6, 10),
        people=[world.lou.pk],
        schedule=world.schedule.pk,
        shift_start=utc(2027, 3, 25, 22),
        shift_end=utc(2027, 3, 26, 6),
        items=[{"text": "Watch the refund queue", "owner": world.lou.pk}],
    )
    world.send(
        by=world.nia,
        when=utc(2027, 3, 26, 6, 20),
        people=[world.lou.pk],
        items=[{"text": "Call the bank back", "owner": world.lou.pk}],
    )
    with at(utc(2027, 3, 26, 8)):
        update = escalation_services.update_raise(
            actor=actor(world.sam),
            team=world.team,
            project=world.project,
            title="Refunds fail",
            severity="high",
        )
        escalation_services.update_raise(
            actor=actor(world.sam), team=other_team, title="Not ours", severity="high"
        )
    with at(utc(2027, 3, 26, 9)):
        project_services.project_update(
            actor=actor(world.lou), project=world.project, status="paused"
        )
    with at(utc(2027, 3, 26, 10)):
        project_services.update_post(
            actor=actor(world.lou), project=world.project, health="at_risk", body="Bank down."
        )
    with at(ASKED), world.on_commit():
        engine.prompt_due()
    prompt = HandoffPrompt.objects.get(person=world.lou)
    return {"prompt": prompt, "update": update}


def test_the_digest_of_a_shift(world, shift):
    prompt = shift["prompt"]
    entries = selectors.digest_for(
        world.lou, start=prompt.period_start, end=ASKED, schedule_id=world.schedule.pk
    )
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    (urgent,) = by_kind["urgent"]
    assert urgent.text == "Urgent update “Refunds fail” (Payments API): open, nobody has it yet"
    assert (urgent.update_id, urgent.project_id) == (shift["update"].pk, world.project.pk)
    assert [e.text for e in by_kind["project"]] == [
        "Payments API: planned → paused",
        "Payments API: at risk (update by Lou London)",
    ]
    items = {e.text: e for e in by_kind["item"]}
    assert items["Watch the refund queue"].carries  # the schedule's: carried anyway
    assert not items["Call the bank back"].carries
    assert (
        items["Call the bank back"].carried_from
        == HandoffItem.objects.get(text="Call the bank back").pk
    )
    # Nia sees nothing of Lou's project (she neither owns nor watches it) but the team's update.
    nia = selectors.digest_for(world.nia, start=prompt.period_start, end=ASKED)
    assert {e.kind for e in nia} == {"urgent"}


def test_the_composer_opens_from_the_prompt_and_ticked_entries_become_items(world, shift):
    prompt = shift["prompt"]
    with at(utc(2027, 3, 26, 13, 10)):
        lou = sign_in(Client(), world.lou)
        page = lou.get(f"/handoffs/new/?prompt={prompt.pk}").content.decode()
        assert 'value="Follow the sun: handover Fri 14:00"' in page
        assert 'id="handoff-recipients_1" checked' in page or (
            'value="next_oncall"' in page and "checked" in page
        )
        assert "Urgent update “Refunds fail”" in page
        assert "Carries over: still open on this schedule." in page
        call = HandoffItem.objects.get(text="Call the bank back")
        response = lou.post(
            "/handoffs/new/",
            {
                "prompt": prompt.pk,
                "team": world.team.pk,
                "title": "Follow the sun: handover Fri 14:00",
                "recipients": "next_oncall",
                "recipients_schedule": world.schedule.pk,
                "schedule": world.schedule.pk,
                "urgency": "normal",
                "summary": "",
                "i0-text": "",
                "digest": [f"update-{shift['update'].pk}", f"item-{call.pk}"],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = HandoffNote.objects.order_by("-id").first()
    assert [(i.text, i.carried_from_id) for i in note.items.order_by("position")] == [
        ("Urgent update “Refunds fail” (Payments API): open, nobody has it yet", None),
        ("Call the bank back", call.pk),
        # The schedule's open item carried anyway.
        (
            "Watch the refund queue",
            HandoffItem.objects.get(text="Watch the refund queue", carried_from=None).pk,
        ),
    ]
    assert list(note.urgent_updates.all()) == [shift["update"]]
    assert list(note.projects.all()) == [world.project]
    assert (note.shift_start, note.shift_end) == (utc(2027, 3, 26, 6), utc(2027, 3, 26, 14))
    assert [r.person for r in note.recipients.all()] == [world.nia]
    prompt.refresh_from_db()
    assert prompt.note == note
    # The inbox no longer asks for it.
    with at(utc(2027, 3, 26, 13, 20)):
        assert 'id="handoff-prompt"' not in lou.get("/handoffs/").content.decode()


def test_the_inbox_asks_for_an_open_prompt(world, shift):
    with at(utc(2027, 3, 26, 13, 5)):
        page = sign_in(Client(), world.lou).get("/handoffs/").content.decode()
    assert "Your shift on Follow the sun ends Fri 26 Mar 2027 14:00" in page or (
        "Your shift on Follow the sun ends Fri 26 Mar 14:00" in page
    )
    assert f'href="/handoffs/new/?prompt={shift["prompt"].pk}"' in page


@pytest.mark.parametrize("value", ["999999", "1.5", "-1", "x", "9" * 40, ""])
def test_a_prompt_that_is_not_mine_is_not_found(world, shift, value):
    value = value or str(shift["prompt"].pk)  # "": the real prompt, opened by someone else
    with at(utc(2027, 3, 26, 13, 5)):
        nia = sign_in(Client(), world.nia)
        assert nia.get(f"/handoffs/new/?prompt={value}").status_code == 404


def test_a_forged_digest_choice_writes_nothing(world, shift):
    foreign = world.send(
        by=world.outsider,
        team=world.other_team,
        when=utc(2027, 3, 26, 7),
        people=[world.manager.pk],
        items=[{"text": "Not yours"}],
    ).items.get()
    with at(utc(2027, 3, 26, 13, 10)):
        lou = sign_in(Client(), world.lou)
        before = counts()
        response = lou.post(
            "/handoffs/new/",
            {
                "prompt": shift["prompt"].pk,
                "team": world.team.pk,
                "title": "Forged",
                "recipients": "people",
                "people": [world.nia.pk],
                "urgency": "normal",
                "summary": "x",
                "digest": [f"item-{foreign.pk}"],
            },
        )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert counts() == before


def _digest_queries(world, prompt) -> int:
    with CaptureQueriesContext(connection) as queries:
        selectors.digest_for(
            world.lou, start=prompt.period_start, end=ASKED, schedule_id=world.schedule.pk
        )
    return len(queries)


def test_the_digest_and_the_composer_keep_their_query_counts(
    world, shift, chat, django_assert_max_num_queries
):
    prompt = shift["prompt"]
    chat.post(when=utc(2027, 3, 26, 7), body="@lou one mention")
    few = _digest_queries(world, prompt)
    url = f"/handoffs/new/?prompt={prompt.pk}"
    with at(utc(2027, 3, 26, 13, 10)):
        lou = sign_in(Client(), world.lou)
        lou.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert lou.get(url).status_code == 200
        page = len(captured)
    # 1,000 more notes about the schedule, each with an open item of Lou's.
    template = HandoffNote.objects.filter(schedule=world.schedule).first()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in HandoffNote._meta.concrete_fields
        if f.name != "id"
    }
    notes = HandoffNote.objects.bulk_create([HandoffNote(**fields) for _ in range(1000)])
    HandoffItem.objects.bulk_create(
        [HandoffItem(note=n, position=1, text=f"open {n.pk}", owner=world.lou) for n in notes]
    )
    # And 40 more mentions of Lou, in the team's room, the project's and a direct message.
    rooms = [chat.team_room, chat.project_room, chat.direct(world.sam, world.lou)]
    for n in range(40):
        chat.post(
            when=utc(2027, 3, 26, 8) + n * timedelta(minutes=5),
            body=f"@lou mention {n}",
            room=rooms[n % 3],
            topic=f"topic {n % 4}",
        )
    with django_assert_max_num_queries(few):
        entries = selectors.digest_for(
            world.lou, start=prompt.period_start, end=ASKED, schedule_id=world.schedule.pk
        )
    assert len([e for e in entries if e.kind == "item"]) == selectors.DIGEST_LIMIT
    assert len([e for e in entries if e.kind == "mention"]) == selectors.DIGEST_LIMIT
    with at(utc(2027, 3, 26, 13, 10)), django_assert_max_num_queries(page):
        assert lou.get(url).status_code == 200


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "100000", ""])
def test_bad_prompt_minutes_say_why_and_write_nothing(world, value):
    with at(utc(2027, 3, 26, 9)):
        lou = sign_in(Client(), world.lou)
        before = counts()
        response = lou.post("/handoffs/preferences/", {"prompt_minutes": value})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert counts() == before and not HandoffPreferences.objects.exists()


def test_prompt_minutes_are_saved_and_audited(world):
    with at(utc(2027, 3, 26, 9)):
        lou = sign_in(Client(), world.lou)
        response = lou.post("/handoffs/preferences/", {"prompt_minutes": "90"})
        assert response.status_code == 302
        assert 'value="90"' in lou.get("/handoffs/").content.decode()
    assert HandoffPreferences.objects.get(user=world.lou).prompt_minutes == 90
