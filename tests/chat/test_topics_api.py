"""The API's topics (list with unread counts, resolve, rename, move, mark read), held messages
(send at their morning: 202, list, cancel) and search, with their refusals."""

from __future__ import annotations

import pytest

from chat.models import HeldMessage, Message, Topic
from teams.models import Profile


def _api(world, who):
    return world.client(who)


def test_topics_list_and_mark_read(world):
    world.post(world.lou, "a", topic="alerts")
    world.post(world.lou, "b", topic="deploys")
    sam = _api(world, world.sam)
    topics = sam.get(f"/api/v1/rooms/{world.room.pk}/topics/").json()
    assert {t["name"]: t["unread"] for t in topics} == {"alerts": 1, "deploys": 1}
    alerts = next(t for t in topics if t["name"] == "alerts")
    read = sam.post(f"/api/v1/rooms/{world.room.pk}/topics/{alerts['id']}/read/")
    assert read.status_code == 200 and read.json()["unread"] == 0
    rooms = sam.get("/api/v1/rooms/").json()["results"]
    assert next(r for r in rooms if r["id"] == world.room.pk)["unread"] == 1


def test_only_leads_change_topics_and_outsiders_see_nothing(world):
    world.post(world.lou, "a", topic="alerts")
    topic = Topic.objects.get(room=world.room)
    url = f"/api/v1/rooms/{world.room.pk}/topics/{topic.pk}/"
    body = {"resolved": True}
    assert (
        _api(world, world.sam).patch(url, body, content_type="application/json").status_code == 403
    )
    assert (
        _api(world, world.otto).patch(url, body, content_type="application/json").status_code == 404
    )
    done = _api(world, world.lead).patch(url, body, content_type="application/json")
    assert done.status_code == 200 and done.json()["resolved_at"]
    renamed = _api(world, world.lead).patch(
        url, {"name": "db alerts"}, content_type="application/json"
    )
    assert renamed.json()["name"] == "db alerts"
    moved = _api(world, world.lead).patch(
        url, {"room": world.project_room.pk}, content_type="application/json"
    )
    assert moved.status_code == 200
    assert Message.objects.get(body="a").room_id == world.project_room.pk


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"resolved": "yes"},
        {"resolved": True, "name": "x"},
        {"name": ""},
        {"name": "x" * 61},
        {"name": 5},
        {"room": 1.5},
        {"room": True},
        {"room": "1"},
        {"unknown": 1},
        [],
    ],
)
def test_bad_topic_changes_are_400s_and_change_nothing(world, body):
    world.post(world.lou, "a", topic="alerts")
    topic = Topic.objects.get(room=world.room)
    response = _api(world, world.lead).patch(
        f"/api/v1/rooms/{world.room.pk}/topics/{topic.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    topic.refresh_from_db()
    assert topic.name == "alerts" and topic.resolved_at is None
    assert Message.objects.get(body="a").room_id == world.room.pk


def test_moving_to_a_room_one_does_not_moderate_is_refused(world):
    from chat import services
    from tests.clock import actor

    world.post(world.lou, "a", topic="alerts")
    topic = Topic.objects.get(room=world.room)
    private = services.private_room_create(
        actor=actor(world.sam), name="Sam's", people=[world.lead]
    )
    response = _api(world, world.lead).patch(
        f"/api/v1/rooms/{world.room.pk}/topics/{topic.pk}/",
        {"room": private.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Message.objects.get(body="a").room_id == world.room.pk


def test_held_messages_over_the_api(world):
    Profile.objects.filter(user=world.nia).update(working_hours={"sun": ["00:00-00:01"]})
    url = f"/api/v1/rooms/{world.room.pk}/messages/"
    sam = _api(world, world.sam)
    held = sam.post(
        url,
        {"body": "@nia tomorrow", "send_at_their_morning": True},
        content_type="application/json",
    )
    assert held.status_code == 202
    assert held.json()["recipient"]["id"] == world.nia.pk
    listed = sam.get(f"/api/v1/rooms/{world.room.pk}/held/").json()
    assert [h["id"] for h in listed] == [held.json()["id"]]
    assert _api(world, world.lou).get(f"/api/v1/rooms/{world.room.pk}/held/").json() == []
    other = _api(world, world.lou).delete(f"/api/v1/rooms/{world.room.pk}/held/{listed[0]['id']}/")
    assert other.status_code == 404
    gone = sam.delete(f"/api/v1/rooms/{world.room.pk}/held/{listed[0]['id']}/")
    assert gone.status_code == 204
    assert HeldMessage.objects.get().cancelled_at is not None
    # Lou keeps no hours: never "off", so it goes now.
    Profile.objects.filter(user=world.lou).update(working_hours={})
    now = sam.post(
        url, {"body": "@lou now", "send_at_their_morning": True}, content_type="application/json"
    )
    assert now.status_code == 201
    for bad in (
        {"body": "nobody named", "send_at_their_morning": True},
        {"body": "@nia x", "send_at_their_morning": "yes"},
        {"body": "@nia x", "send_at_their_morning": True, "urgent": True},
    ):
        assert sam.post(url, bad, content_type="application/json").status_code == 400
    assert HeldMessage.objects.count() == 1


def test_search_api_reads_only_my_rooms(world):
    from chat import services
    from tests.clock import actor

    world.post(world.sam, "the frobnicator restarted")
    secret = services.private_room_create(actor=actor(world.otto), name="Secret")
    world.post(world.otto, "frobnicator plans", room=secret)
    lou = _api(world, world.lou)
    hits = lou.get("/api/v1/chat/search/?q=frobnicator").json()
    assert [h["body"] for h in hits] == ["the frobnicator restarted"]
    assert hits[0]["room_title"] == "Support"
    assert lou.get(f"/api/v1/chat/search/?q=frobnicator&room={secret.pk}").status_code == 400
    for query in ("", "q=", "q=" + "x" * 201, "q=a&room=1.5", "q=a&room=-1"):
        assert lou.get(f"/api/v1/chat/search/?{query}").status_code == 400
