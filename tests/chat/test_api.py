"""The chat REST API (issue 14, part 7): every operation answers as the OpenAPI schema says;
only people in a room see it (404 otherwise); resync over HTTP; bad input is a 400 with
nothing written; fixed query counts for the room list and the message page (10 or 1,000)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from chat import api_urls
from chat.models import HeldMessage, Room, Topic
from teams.models import Profile
from tests.chat.test_messages import rows
from tests.schema_check import Checker, operations

J = "application/json"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_answers_as_the_schema_says(schema, world):
    world.post(world.lou, "first @nia")
    base = f"/api/v1/rooms/{world.room.pk}/"
    R = "/api/v1/rooms/{room_id}/"
    sam, lou = world.client(world.sam), world.client(world.lou)
    lead = world.client(world.lead)
    # Nia works one minute a week: a message for her morning is held (202).
    Profile.objects.filter(user=world.nia).update(working_hours={"sun": ["00:00-00:01"]})

    def _topic():
        return Topic.objects.filter(room=world.room).order_by("pk").first().pk

    def _held():
        return HeldMessage.objects.get(author=world.sam).pk

    calls = [
        ("get", "/api/v1/rooms/", sam, "/api/v1/rooms/", None),
        ("post", "/api/v1/rooms/", sam, "/api/v1/rooms/", {"name": "Incident", "people": []}),
        ("post", "/api/v1/rooms/direct/", sam, "/api/v1/rooms/direct/", {"person": world.lou.pk}),
        ("get", R, sam, base, None),
        ("post", R + "messages/", sam, base + "messages/", {"body": "hi", "topic": "t"}),
        ("get", R + "messages/", sam, base + "messages/?after=0", None),
        ("get", R + "messages/{seq}/", sam, base + "messages/2/", None),
        ("patch", R + "messages/{seq}/", sam, base + "messages/2/", {"body": "hello"}),
        ("delete", R + "messages/{seq}/", sam, base + "messages/2/", None),
        ("post", R + "read/", lou, base + "read/", {"seq": 2}),
        ("get", R + "topics/", sam, base + "topics/", None),
        (
            "post",
            R + "topics/{topic_id}/read/",
            lou,
            lambda: f"{base}topics/{_topic()}/read/",
            None,
        ),
        (
            "patch",
            R + "topics/{topic_id}/",
            lead,
            lambda: f"{base}topics/{_topic()}/",
            {"resolved": True},
        ),
        (
            "post",
            R + "messages/",
            sam,
            base + "messages/",
            {"body": "@nia later", "send_at_their_morning": True},
        ),
        ("get", R + "held/", sam, base + "held/", None),
        ("delete", R + "held/{held_id}/", sam, lambda: f"{base}held/{_held()}/", None),
        ("get", "/api/v1/chat/search/", sam, "/api/v1/chat/search/?q=hello", None),
        (
            "post",
            R + "leave/",
            sam,
            lambda: f"/api/v1/rooms/{Room.objects.get(name='Incident').pk}/leave/",
            None,
        ),
    ]
    checker = Checker(schema)
    checker.walk(schema, calls)
    assert {(m, p) for m, p, *_ in calls} == operations(schema, api_urls.urlpatterns)
    assert checker.never_seen() == {}


def test_resync_over_http_and_scrolling_back(world):
    world.post(world.sam, "seen")
    for n in range(50):
        world.post(world.lou, f"m{n}")
    sam = world.client(world.sam)
    page = sam.get(f"/api/v1/rooms/{world.room.pk}/messages/?after=1&limit=200").json()
    assert [m["seq"] for m in page["results"]] == list(range(2, 52))
    assert page["last_seq"] == 51
    newest = sam.get(f"/api/v1/rooms/{world.room.pk}/messages/?limit=10").json()
    assert [m["seq"] for m in newest["results"]] == list(range(42, 52))
    older = sam.get(f"/api/v1/rooms/{world.room.pk}/messages/?before=42&limit=10").json()
    assert [m["seq"] for m in older["results"]] == list(range(32, 42))


def test_outsiders_see_no_room(world):
    world.post(world.sam, "inside")
    otto = world.client(world.otto)
    before = rows()
    for method, url, body in [
        ("get", f"/api/v1/rooms/{world.room.pk}/", None),
        ("get", f"/api/v1/rooms/{world.room.pk}/messages/", None),
        ("post", f"/api/v1/rooms/{world.room.pk}/messages/", {"body": "hi"}),
        ("get", f"/api/v1/rooms/{world.room.pk}/messages/1/", None),
        ("delete", f"/api/v1/rooms/{world.room.pk}/messages/1/", None),
        ("post", f"/api/v1/rooms/{world.room.pk}/read/", {"seq": 1}),
        ("get", "/api/v1/rooms/999999/", None),
    ]:
        response = (
            getattr(otto, method)(url, body, content_type=J) if body else getattr(otto, method)(url)
        )
        assert response.status_code == 404, (method, url, response.status_code)
    assert world.room.pk not in {r["id"] for r in otto.get("/api/v1/rooms/").json()["results"]}
    assert rows() == before


def test_members_cannot_change_others_messages(world):
    world.post(world.sam, "mine")
    lou = world.client(world.lou)
    url = f"/api/v1/rooms/{world.room.pk}/messages/1/"
    assert lou.patch(url, {"body": "x"}, content_type=J).status_code == 403
    assert lou.delete(url).status_code == 403
    lead = world.client(world.lead)
    assert lead.delete(url).json()["deleted"] is True


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"body": ""},
        {"body": 5},
        {"body": "x" * 4001},
        {"body": "ok", "urgent": "yes"},
        {"body": "ok", "topic": ["a"]},
        {"body": "ok", "extra": 1},
        [1, 2],
    ],
)
def test_bad_posts_are_400_and_write_nothing(world, body):
    sam = world.client(world.sam)
    before = rows()
    response = sam.post(f"/api/v1/rooms/{world.room.pk}/messages/", body, content_type=J)
    assert response.status_code == 400, response.content
    assert rows() == before


@pytest.mark.parametrize("query", ["after=-1", "after=x", "before=0", "limit=0", "limit=1.5"])
def test_bad_queries_are_400(world, query):
    sam = world.client(world.sam)
    response = sam.get(f"/api/v1/rooms/{world.room.pk}/messages/?{query}")
    assert response.status_code == 400


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_room_list_and_message_page_keep_their_query_counts(world, django_assert_max_num_queries):

    world.post(world.sam, "one")
    sam = world.client(world.sam)
    urls = ["/api/v1/rooms/", f"/api/v1/rooms/{world.room.pk}/messages/?limit=200"]
    for url in urls:
        sam.get(url)
    few = {url: _count(sam, url) for url in urls}
    world.grow()
    for url in urls:
        with django_assert_max_num_queries(few[url]):
            sam.get(url)
    assert len(sam.get("/api/v1/rooms/").json()["results"]) == 500
