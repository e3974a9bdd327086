"""The handoffs REST API (issue 13, part 6): every operation's happy path, answers exactly as
the OpenAPI schema documents them, token scopes, who may do what (404 for a note one may not
read, 403 for one one may read but not act on), bad input a 400 naming the field with nothing
written, and fixed query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.services import api_token_create
from escalations import services as escalation_services
from handoffs import api_urls, engine
from handoffs.models import HandoffNote, HandoffPrompt, ItemStatus
from tests.conftest import sign_in
from tests.handoffs.world import FRIDAY_SYDNEY_EVENING, SYSTEM, actor, at, counts, utc
from tests.schema_check import Checker, operations

MORNING = utc(2027, 3, 26, 9, 30)


def api(user) -> Client:
    return sign_in(Client(), user)


def token_client(user, scopes) -> Client:
    name = "t-" + "-".join(scopes)
    _, raw = api_token_create(actor=SYSTEM, user=user, name=name[:60], scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def body(world, **extra) -> dict:
    return {
        "team": world.team.pk,
        "title": "Friday handover",
        "recipients": "people",
        "people": [world.lou.pk],
        "summary": "Queue quiet.",
        "items": [
            {"text": "Refund #42", "owner": world.lou.pk, "due_at": "2027-03-26T12:00:00Z"},
            {"text": "Flaky test", "next_action": "Re-run"},
        ],
        **extra,
    }


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_send_read_acknowledge_act_follow_up(world):
    with at(FRIDAY_SYDNEY_EVENING):
        sam = api(world.sam)
        created = sam.post("/api/v1/handoffs/", body(world), content_type="application/json")
        assert created.status_code == 201, created.content
        note = created.json()
        assert note["recipients"][0]["person"]["display_name"] == "Lou London"
        assert note["recipients"][0]["deliver_at"] == "2027-03-26T09:00:00Z"
        assert [i["status"] for i in note["items"]] == ["open", "open"]
        assert note["url"] == f"/handoffs/{note['id']}/"
    with at(MORNING):
        lou = api(world.lou)
        waiting = lou.get("/api/v1/handoffs/").json()["results"]
        assert [n["id"] for n in waiting] == [note["id"]]
        acked = lou.post(f"/api/v1/handoffs/{note['id']}/acknowledge/")
        assert acked.status_code == 200
        assert acked.json()["first_acknowledged_at"] == "2027-03-26T09:30:00Z"
        refund, flaky = note["items"]
        done = lou.post(
            f"/api/v1/handoffs/{note['id']}/items/{refund['id']}/",
            {"action": "done"},
            content_type="application/json",
        )
        assert done.json()["items"][0]["status"] == ItemStatus.DONE
        back = lou.post(
            f"/api/v1/handoffs/{note['id']}/items/{flaky['id']}/",
            {"action": "hand_back", "reason": "Not ours"},
            content_type="application/json",
        )
        assert back.json()["items"][1]["hand_back_reason"] == "Not ours"
        assert lou.get("/api/v1/handoffs/").json()["results"] == []
        follow = sam.post(
            f"/api/v1/handoffs/{note['id']}/follow-ups/",
            {"text": "Thanks"},
            content_type="application/json",
        )
        assert follow.status_code == 201 and follow.json()["follow_ups"][0]["text"] == "Thanks"
        refused = sam.patch(
            f"/api/v1/handoffs/{note['id']}/", {"title": "x"}, content_type="application/json"
        )
        assert refused.status_code == 400
        assert "follow-up" in str(refused.json())
        sent = sam.get("/api/v1/handoffs/?box=sent").json()["results"]
        assert [n["id"] for n in sent] == [note["id"]]
        team = api(world.nia).get("/api/v1/handoffs/?box=team").json()["results"]
        assert [n["id"] for n in team] == [note["id"]]
        other = api(world.nia).get(f"/api/v1/handoffs/?box=team&team={world.other_team.pk}")
        assert other.json()["results"] == []


def test_tokens_need_the_handoffs_scopes(world):
    with at(FRIDAY_SYDNEY_EVENING):
        reader = token_client(world.sam, ["handoffs:read"])
        writer = token_client(world.sam, ["handoffs:read", "handoffs:write"])
        other = token_client(world.sam, ["projects:read", "projects:write"])
        assert reader.get("/api/v1/handoffs/?box=sent").status_code == 200
        assert other.get("/api/v1/handoffs/?box=sent").status_code == 403
        before = counts()
        refused = reader.post("/api/v1/handoffs/", body(world), content_type="application/json")
        assert refused.status_code == 403
        assert counts() == before
        assert (
            writer.post("/api/v1/handoffs/", body(world), content_type="application/json")
        ).status_code == 201


def test_who_may_do_what(world):
    note = world.send(people=[world.lou.pk], items=[{"text": "Mine", "owner": world.lou.pk}])
    item = note.items.get()
    url = f"/api/v1/handoffs/{note.pk}/"
    with at(MORNING):
        outsider, manager, nia = api(world.outsider), api(world.manager), api(world.nia)
        lou = api(world.lou)
        before = counts()
        for client in (outsider, manager):
            assert client.get(url).status_code == 404  # not theirs to see
            assert client.post(url + "acknowledge/").status_code == 404
        assert nia.get(url).status_code == 200  # a member of the team reads it
        assert nia.post(url + "acknowledge/").status_code == 403
        assert (
            nia.post(
                f"{url}items/{item.pk}/", {"action": "done"}, content_type="application/json"
            ).status_code
            == 403
        )
        assert nia.patch(url, {"title": "x"}, content_type="application/json").status_code == 403
        assert (
            outsider.post(
                "/api/v1/handoffs/", body(world), content_type="application/json"
            ).status_code
            == 403
        )
        assert (
            lou.post(
                f"{url}items/999999/", {"action": "done"}, content_type="application/json"
            ).status_code
            == 404
        )
        assert counts() == before


BAD = [
    ("float team", {"team": 1.5}, "team"),
    ("unknown field", {"colour": "red"}, "colour"),
    ("float person", {"people": [1.5]}, "people"),
    ("string person", {"people": ["lou"]}, "people"),
    ("bad kind", {"recipients": "all"}, "recipients"),
    ("items not a list", {"items": "x"}, "items"),
    ("item due in the past", {"items": [{"text": "x", "due_at": "2027-03-20T00:00Z"}]}, "items"),
    ("item unknown field", {"items": [{"text": "x", "colour": 1}]}, "items"),
    ("empty", {"summary": "", "items": []}, "summary"),
    ("without access", {"people": [0]}, "people"),
    ("huge id", {"people": [2**70]}, "people"),
    ("boolean carry", {"carry_over": "yes"}, "carry_over"),
    ("bad link", {"links": [{"url": "ftp://x"}]}, "links"),
]


@pytest.mark.parametrize("extra, field", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_bodies_are_400_naming_the_field_and_write_nothing(world, extra, field):
    with at(FRIDAY_SYDNEY_EVENING):
        sam = api(world.sam)
        before = counts()
        response = sam.post(
            "/api/v1/handoffs/", body(world, **extra), content_type="application/json"
        )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert counts() == before


def test_not_json_object_and_item_action_junk(world):
    note = world.send(people=[world.lou.pk], items=[{"text": "x", "owner": world.lou.pk}])
    item = note.items.get()
    with at(MORNING):
        lou = api(world.lou)
        before = counts()
        for junk in ([], "x", 1, None):
            response = lou.post(
                f"/api/v1/handoffs/{note.pk}/items/{item.pk}/",
                junk,
                content_type="application/json",
            )
            assert response.status_code == 400
        for data in ({"action": "delete"}, {"action": "hand_back"}, {"action": 1}):
            response = lou.post(
                f"/api/v1/handoffs/{note.pk}/items/{item.pk}/",
                data,
                content_type="application/json",
            )
            assert response.status_code == 400, data
        assert counts() == before


def test_every_operation_answers_as_the_schema_says(schema, world):
    note = world.send(
        people=[world.lou.pk],
        schedule=world.schedule.pk,
        shift_start="2027-03-25T22:00:00Z",
        shift_end="2027-03-26T06:00:00Z",
        items=[{"text": "x"}, {"text": "y"}],
    )
    items = list(note.items.order_by("position"))
    base = f"/api/v1/handoffs/{note.pk}/"
    N = "/api/v1/handoffs/{note_id}/"
    with at(utc(2027, 3, 26, 13)), world.on_commit():
        engine.prompt_due()  # Lou's shift ends at 14:00: she is asked
    (prompt,) = HandoffPrompt.objects.filter(person=world.lou)
    with at(utc(2027, 3, 26, 9)):
        escalation_services.update_raise(
            actor=actor(world.sam),
            team=world.team,
            project=world.project,
            title="Refunds fail",
            severity="high",
        )
    with at(MORNING):
        sam, lou = api(world.sam), api(world.lou)
        calls = [
            ("get", "/api/v1/handoffs/prompts/", lou, "/api/v1/handoffs/prompts/", None),
            (
                "get",
                "/api/v1/handoffs/digest/",
                lou,
                f"/api/v1/handoffs/digest/?prompt={prompt.pk}",
                None,
            ),
            ("get", "/api/v1/handoffs/preferences/", lou, "/api/v1/handoffs/preferences/", None),
            (
                "patch",
                "/api/v1/handoffs/preferences/",
                lou,
                "/api/v1/handoffs/preferences/",
                {"prompt_minutes": 45},
            ),
            ("get", "/api/v1/handoffs/", lou, "/api/v1/handoffs/", None),
            ("patch", N, sam, base, {"summary": "More", "links": [{"url": "https://e.org"}]}),
            ("post", N + "acknowledge/", lou, base + "acknowledge/", None),
            (
                "post",
                N + "items/{item_id}/",
                lou,
                f"{base}items/{items[0].pk}/",
                {"action": "hand_back", "reason": "No"},
            ),
            (
                "post",
                N + "items/{item_id}/",
                lou,
                f"{base}items/{items[1].pk}/",
                {"action": "acknowledge"},
            ),
            ("post", N + "follow-ups/", lou, base + "follow-ups/", {"text": "ok"}),
            ("get", N, sam, base, None),
            (
                "post",
                "/api/v1/handoffs/",
                sam,
                "/api/v1/handoffs/",
                body(
                    world,
                    schedule=world.schedule.pk,
                    shift_start="2027-03-26T06:00:00Z",
                    shift_end="2027-03-26T14:00:00Z",
                    projects=[world.project.pk],
                ),
            ),
            ("get", "/api/v1/handoffs/", sam, "/api/v1/handoffs/?box=sent", None),
        ]
        checker = Checker(schema)
        checker.walk(schema, calls)
    assert {(m, p) for m, p, *_ in calls} == operations(schema, api_urls.urlpatterns)
    assert checker.never_seen() == {}


def test_list_and_read_keep_their_query_counts(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world.send(people=[world.lou.pk], items=[{"text": "x"}])
    with at(MORNING):
        lou = api(world.lou)
        lou.get("/api/v1/handoffs/?box=received")
        with CaptureQueriesContext(connection) as captured:
            lou.get("/api/v1/handoffs/?box=received")
        # Counted now: the next request empties the connection's log the capture reads.
        few = len(captured)
    for n in range(10):
        world.send(
            people=[world.lou.pk, world.nia.pk],
            title=f"n{n}",
            items=[{"text": f"i{i}"} for i in range(4)],
        )
    with at(MORNING):
        lou = api(world.lou)
        lou.get("/api/v1/handoffs/?box=received")
        assert few > 0
        with django_assert_max_num_queries(few):
            answer = lou.get("/api/v1/handoffs/?box=received")
    assert len(answer.json()["results"]) == 11
    assert HandoffNote.objects.count() == 11
