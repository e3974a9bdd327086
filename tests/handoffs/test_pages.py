"""The handoff pages: who sees what, composing (items added without a script, due times in the
writer's zone), a note's page with the acknowledgement trail in the viewer's zone and each
person's own, acting on items, follow-ups, editing only before the first acknowledgement,
bad forms writing nothing, and fixed query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from handoffs.models import HandoffNote, HandoffRecipient, ItemStatus
from tests.conftest import sign_in
from tests.csp import assert_csp_clean
from tests.handoffs.world import at, counts, utc

MORNING = utc(2027, 3, 26, 9, 30)  # 09:30 in London, 20:30 in Sydney, 05:30 in New York


def client_for(user) -> Client:
    return sign_in(Client(), user)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def note(world):
    note = world.send(
        people=[world.lou.pk],
        items=[
            {"text": "Refund #42 stuck", "owner": world.lou.pk, "due_at": "2027-03-26T12:00Z"},
            {"text": "Flaky test"},
        ],
    )
    world.sweep(utc(2027, 3, 26, 9))
    return note


ROLES = ("author", "recipient", "member", "lead", "manager", "outsider")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_note(world, note, role):
    user = {
        "author": world.sam,
        "recipient": world.lou,
        "member": world.nia,
        "lead": world.lead,
        "manager": world.manager,
        "outsider": world.outsider,
    }[role]
    readers = {"author", "recipient", "member", "lead"}
    with at(MORNING):
        client = client_for(user)
        for url in ("/handoffs/", f"/handoffs/{note.pk}/"):
            response = client.get(url)
            expected = 200 if url == "/handoffs/" or role in readers else 404
            assert response.status_code == expected, (role, url)
            if expected == 200:
                assert_csp_clean(html(response), url)
        compose = client.get("/handoffs/new/")
        assert compose.status_code == (200 if role != "manager" else 403), role
        page = html(client.get(f"/handoffs/{note.pk}/")) if role in readers else ""
    assert ('id="acknowledge"' in page) is (role == "recipient")
    assert ('id="edit-note"' in page) is (role == "author")


def test_the_recipient_sees_it_in_their_inbox_and_acts(world, note):
    with at(MORNING):
        lou = client_for(world.lou)
        inbox = html(lou.get("/handoffs/"))
        assert f'data-note="{note.pk}"' in inbox.split('id="sent"')[0]
        page = html(lou.get(f"/handoffs/{note.pk}/"))
        # Times: Lou's zone (London, GMT), Sam's own beside them.
        assert "Fri 26 Mar 2027 06:30" in page and "Fri 17:30 in Sydney" in page
        assert HandoffRecipient.objects.get(note=note).read_at == MORNING
        refund, flaky = note.items.order_by("position")
        assert lou.post(f"/handoffs/{note.pk}/acknowledge/").status_code == 302
        lou.post(f"/handoffs/{note.pk}/items/{refund.pk}/acknowledge/")
        response = lou.post(
            f"/handoffs/{note.pk}/items/{flaky.pk}/hand-back/", {"reason": "Not ours"}, follow=True
        )
        assert "Item handed back" in html(response)
        sam_page = html(client_for(world.sam).get(f"/handoffs/{note.pk}/"))
    refund.refresh_from_db(), flaky.refresh_from_db()
    assert refund.status == ItemStatus.ACKNOWLEDGED and flaky.status == ItemStatus.HANDED_BACK
    # The author sees both, each with Lou's own time.
    assert "“Not ours”" in sam_page and "09:30 in London" in sam_page
    assert 'id="edit-note"' not in sam_page  # acknowledged: follow-ups only


def test_refused_actions_write_nothing(world, note):
    refund, _flaky = note.items.order_by("position")
    with at(MORNING):
        nia = client_for(world.nia)  # a member: reads, but the item is Lou's
        lou = client_for(world.lou)
        outsider = client_for(world.outsider)
        before = counts()
        response = nia.post(f"/handoffs/{note.pk}/items/{refund.pk}/done/", follow=True)
        assert "This item is Lou London" in html(response)
        response = nia.post(f"/handoffs/{note.pk}/acknowledge/", follow=True)
        assert "Only the note" in html(response)
        response = lou.post(f"/handoffs/{note.pk}/items/{refund.pk}/hand-back/", {}, follow=True)
        assert "Say why you hand it back" in html(response)
        assert lou.post(f"/handoffs/{note.pk}/items/999999/done/").status_code == 404
        assert lou.get(f"/handoffs/{note.pk}/acknowledge/").status_code == 405
        assert outsider.post(f"/handoffs/{note.pk}/acknowledge/").status_code == 404
        assert counts() == before


def _compose_post(world, **extra) -> dict:
    data = {
        "team": world.team.pk,
        "title": "Night shift",
        "recipients": "people",
        "people": [world.lou.pk],
        "urgency": "normal",
        "summary": "All quiet.",
        "i0-text": "Check the backup",
        "i0-owner": world.lou.pk,
        "i0-due": "2027-03-27T08:00",
        "i1-text": "",
        "i2-text": "",
    }
    data.update(extra)
    return data


def test_composing_a_note(world):
    with at(utc(2027, 3, 26, 6, 30)):
        sam = client_for(world.sam)
        form = html(sam.get("/handoffs/new/"))
        assert 'id="handoff-i2-text"' in form and 'id="handoff-i3-text"' not in form
        # More room: posted back with one more row, nothing written.
        before = counts()
        more = sam.post("/handoffs/new/", {**_compose_post(world), "add_item": "1"})
        assert more.status_code == 200 and 'id="handoff-i3-text"' in html(more)
        # Half filled in is not an error; with htmx, only the item rows come back.
        half = sam.post("/handoffs/new/", {"title": "", "i0-text": "Half", "add_item": "1"})
        assert "This field is required" not in html(half) and 'value="Half"' in html(half)
        rows = sam.post(
            "/handoffs/new/",
            {**_compose_post(world), "add_item": "1"},
            headers={"HX-Request": "true"},
        )
        assert 'id="items"' in html(rows) and "<html" not in html(rows)
        assert 'id="handoff-i3-text"' in html(rows) and 'value="Check the backup"' in html(rows)
        assert counts() == before
        response = sam.post("/handoffs/new/", _compose_post(world))
        assert response.status_code == 302
    note = HandoffNote.objects.get()
    assert response["Location"] == f"/handoffs/{note.pk}/"
    (item,) = note.items.all()
    # 08:00 typed by Sam is 08:00 in Sydney (AEDT): Friday 21:00 UTC.
    assert item.due_at == utc(2027, 3, 26, 21) and item.owner == world.lou


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"summary": "", "i0-text": ""}, "an empty note hands over nothing"),
        ({"i0-due": "2027-03-20T08:00"}, "in the future"),
        ({"people": [9999]}, "Select a valid choice"),
        ({"recipients": "next_oncall"}, "No such on-call schedule"),
        ({"title": ""}, "This field is required"),
        ({"i0-owner": "abc"}, "Select a valid choice"),
    ],
)
def test_a_bad_form_says_why_and_writes_nothing(world, extra, message):
    with at(utc(2027, 3, 26, 6, 30)):
        sam = client_for(world.sam)
        before = counts()
        response = sam.post("/handoffs/new/", _compose_post(world, **extra))
    assert response.status_code == 400
    assert message in html(response)
    assert counts() == before


def test_editing_before_the_first_acknowledgement_only(world, note):
    with at(MORNING):
        sam = client_for(world.sam)
        assert sam.get(f"/handoffs/{note.pk}/edit/").status_code == 200
        response = sam.post(
            f"/handoffs/{note.pk}/edit/", {"title": "Friday handover (v2)", "summary": "More."}
        )
        assert response.status_code == 302
        assert client_for(world.lou).get(f"/handoffs/{note.pk}/edit/").status_code == 403
        client_for(world.lou).post(f"/handoffs/{note.pk}/acknowledge/")
        response = sam.get(f"/handoffs/{note.pk}/edit/", follow=True)
        assert "add a follow-up instead" in html(response)
        sam.post(f"/handoffs/{note.pk}/follow-up/", {"text": "Bank **fixed** it."})
        page = html(sam.get(f"/handoffs/{note.pk}/"))
    assert "<strong>fixed</strong>" in page
    note.refresh_from_db()
    assert note.title == "Friday handover (v2)"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pages_keep_their_query_counts(world, django_assert_max_num_queries):
    first = world.send(people=[world.lou.pk], items=[{"text": "a"}], schedule=world.schedule.pk)
    with at(MORNING):
        lou = client_for(world.lou)
        urls = [
            "/handoffs/",
            f"/handoffs/{first.pk}/",
            "/handoffs/new/",
            "/",
            "/oncall/",
            f"/schedules/{world.schedule.pk}/",
            f"/handoffs/schedule/{world.schedule.pk}/",
        ]
        for url in urls:
            lou.get(url)
        small = {url: _queries(lou, url) for url in urls}
    for n in range(12):
        world.send(
            people=[world.lou.pk, world.nia.pk],
            items=[{"text": f"item {i}"} for i in range(5)],
            title=f"note {n}",
            schedule=world.schedule.pk,
        )
    big = world.send(
        people=[world.lou.pk, world.nia.pk, world.lead.pk],
        items=[{"text": f"item {i}"} for i in range(20)],
    )
    with at(utc(2027, 3, 26, 14)):
        lou = client_for(world.lou)
        for url in urls:
            lou.get(url)
        with django_assert_max_num_queries(small["/handoffs/"]):
            lou.get("/handoffs/")
        with django_assert_max_num_queries(small[f"/handoffs/{first.pk}/"]):
            lou.get(f"/handoffs/{big.pk}/")
        for url in urls:
            if url != f"/handoffs/{first.pk}/":
                with django_assert_max_num_queries(small[url]):
                    lou.get(url)


def test_the_menu_has_handoffs(world):
    with at(MORNING):
        page = html(client_for(world.lou).get("/"))
    assert re.search(r'<a[^>]+href="/handoffs/"[^>]*>Handoffs</a>', page)


def test_cards_on_the_dashboard_schedule_project_and_on_call_pages(world):
    note = world.send(
        people=[world.lou.pk],
        schedule=world.schedule.pk,
        projects=[world.project.pk],
        items=[{"text": "x"}],
    )
    world.sweep(utc(2027, 3, 26, 9))
    with at(MORNING):
        lou = client_for(world.lou)
        dashboard = html(lou.get("/"))
        assert 'id="handoff-card"' in dashboard and f'data-note="{note.pk}"' in dashboard
        schedule_page = html(lou.get(f"/schedules/{world.schedule.pk}/"))
        assert 'id="schedule-handoffs"' in schedule_page
        assert f'data-note="{note.pk}"' in schedule_page
        project_page = html(lou.get(f"/projects/{world.project.slug}/"))
        assert 'id="project-handoffs"' in project_page
        oncall = html(lou.get("/oncall/"))
        assert 'id="oncall-handoffs"' in oncall and "Follow the sun" in oncall
        sam_dashboard = html(client_for(world.sam).get("/"))
        assert "Your notes not yet acknowledged" in sam_dashboard
        # Outside the team: no card, no note.
        otto = client_for(world.outsider)
        for url in (f"/schedules/{world.schedule.pk}/", f"/projects/{world.project.slug}/", "/"):
            page = html(otto.get(url))
            assert f'data-note="{note.pk}"' not in page, url


def test_history_pages(world):
    note = world.send(
        people=[world.lou.pk], schedule=world.schedule.pk, projects=[world.project.pk]
    )
    with at(MORNING):
        nia, otto = client_for(world.nia), client_for(world.outsider)
        for url in (
            f"/handoffs/schedule/{world.schedule.pk}/",
            f"/handoffs/project/{world.project.slug}/",
        ):
            page = nia.get(url)
            assert page.status_code == 200 and f'data-note="{note.pk}"' in html(page)
            assert otto.get(url).status_code == 403
        assert nia.get("/handoffs/schedule/999999/").status_code == 404
        assert nia.get("/handoffs/project/nope/").status_code == 404
