"""The chat pages: who sees what, the no-JavaScript composer and its refusals, the fragments
that scroll back and catch up, topics (read, resolve, rename, move), held messages, mentions,
search, the unread counts in the sidebar and the navigation, and fixed query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import selectors, services
from chat.models import HeldMessage, Message, Room, RoomKind, RoomMember, Topic, TopicRead
from tests.clock import actor, at, utc


def _url(world, suffix=""):
    return f"/chat/{world.room.pk}/{suffix}"


def test_a_member_sees_the_room_with_times_and_people(world):
    world.post(world.sam, "Morning from Sydney", topic="deploys")
    page = world.client(world.nia).get(_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Morning from Sydney" in html
    assert "deploys" in html
    # Sam wrote it: his own local time is beside the viewer's (Nia is in New York).
    assert "in Sydney" in html
    # The people list: each with local time and working or off.
    assert "Lou London" in html and "in London" in html
    assert "America/New_York" in html  # "times in your zone"
    assert 'id="chat-unread-line"' in html  # Nia has not read it


@pytest.mark.parametrize("path", ["", "messages/?before=5", "messages/?after=0"])
def test_someone_outside_the_room_gets_a_404(world, path):
    world.post(world.sam, "private to support")
    response = world.client(world.otto).get(_url(world, path))
    assert response.status_code == 404
    assert b"private to support" not in response.content


def test_signed_out_is_sent_to_sign_in(world, client):
    response = client.get(_url(world))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_posting_without_javascript_and_its_refusals(world):
    lou = world.client(world.lou)
    done = lou.post(_url(world, "post/"), {"body": "Plain form post", "topic": "forms"})
    assert done.status_code == 302
    assert Message.objects.filter(body="Plain form post", topic__name="forms").exists()
    before = Message.objects.count()
    for bad in ({"body": ""}, {"body": "x" * 4001}, {"body": "ok", "topic": "t" * 61}):
        refused = lou.post(_url(world, "post/"), bad)
        assert refused.status_code == 400
    assert Message.objects.count() == before
    # Markup is shown as text, never run.
    lou.post(_url(world, "post/"), {"body": "<script>alert(1)</script>\n\n**bold**"})
    html = world.client(world.sam).get(_url(world)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<strong>bold</strong>" in html


def test_posting_to_a_room_one_left_is_refused(world):
    room = services.private_room_create(actor=actor(world.sam), name="Launch", people=[world.lou])
    services.room_leave(actor=actor(world.lou), room=room)
    response = world.client(world.lou).post(f"/chat/{room.pk}/post/", {"body": "still here?"})
    assert response.status_code == 404
    assert not Message.objects.filter(body="still here?").exists()


@pytest.mark.parametrize(
    "query", ["before=abc", "after=-1", "after=1.5", "topic=x", "before=9" * 30]
)
def test_junk_in_the_fragment_query_is_a_400(world, query):
    response = world.client(world.sam).get(_url(world, f"messages/?{query}"))
    assert response.status_code == 400


def test_fragments_scroll_back_and_catch_up(world):
    for n in range(1, 61):
        world.post(world.lou, f"message {n}")
    sam = world.client(world.sam)
    html = sam.get(_url(world)).content.decode()
    assert "message 60" in html and "message 10<" not in html
    assert 'data-before="11"' in html
    older = sam.get(_url(world, "messages/?before=11")).content.decode()
    assert 'data-first-seq="1"' in older and "message 10<" in older and "message 11<" not in older
    later = sam.get(_url(world, "messages/?after=58")).content.decode()
    assert 'data-last-seq="60"' in later and "message 59" in later and "message 58<" not in later


def test_unread_counts_in_sidebar_and_nav_and_reading_clears_them(world):
    for n in range(3):
        world.post(world.lou, f"note {n}")
    sam = world.client(world.sam)
    home = sam.get("/chat/").content.decode()
    assert 'data-chat-unread="3"' in home  # the navigation
    assert f'data-room-id="{world.room.pk}"' in home
    assert sam.post(_url(world, "read/"), {"seq": "3"}).status_code == 302
    home = sam.get("/chat/").content.decode()
    assert 'data-chat-unread="0"' in home
    assert sam.post(_url(world, "read/"), {"seq": "nope"}).status_code == 302  # message shown
    assert RoomMember.objects.get(room=world.room, person=world.sam).last_read_seq == 3


def test_mark_topic_read_leaves_the_other_topics_unread(world):
    world.post(world.lou, "a", topic="alerts")
    world.post(world.lou, "b", topic="deploys")
    world.post(world.lou, "c", topic="alerts")
    alerts = Topic.objects.get(room=world.room, name="alerts")
    sam = world.client(world.sam)
    assert sam.post(_url(world, f"topics/{alerts.pk}/read/")).status_code == 302
    assert TopicRead.objects.get(topic=alerts, person=world.sam).last_read_seq == 3
    room = {r.pk: r for r in selectors.rooms_of(world.sam)}[world.room.pk]
    assert room.unread == 1
    topics = {t.name: t.unread for t in selectors.topics_of(world.room, world.sam)}
    assert topics == {"alerts": 0, "deploys": 1}


def test_leads_resolve_rename_and_move_topics_others_may_not(world):
    world.post(world.lou, "first", topic="alerts")
    world.post(world.sam, "second", topic="alerts")
    alerts = Topic.objects.get(room=world.room, name="alerts")
    sam = world.client(world.sam)
    for action in ("resolve", "rename", "move"):
        assert (
            sam.post(_url(world, f"topics/{alerts.pk}/{action}/"), {"name": "x"}).status_code == 403
        )
    lena = world.client(world.lead)
    lena.post(_url(world, f"topics/{alerts.pk}/resolve/"))
    alerts.refresh_from_db()
    assert alerts.resolved_at is not None and alerts.resolved_by == world.lead
    world.post(world.lou, "it broke again", topic="alerts")
    alerts.refresh_from_db()
    assert alerts.resolved_at is None  # a new message reopens it
    lena.post(_url(world, f"topics/{alerts.pk}/rename/"), {"name": "db alerts"})
    assert Topic.objects.filter(room=world.room, name="db alerts").exists()
    # Renaming onto an existing name joins the two topics.
    world.post(world.lou, "other", topic="general")
    lena.post(_url(world, f"topics/{alerts.pk}/rename/"), {"name": "general"})
    assert set(Topic.objects.filter(room=world.room).values_list("name", flat=True)) == {"general"}
    assert Message.objects.filter(room=world.room, topic__name="general").count() == 4
    # Move to the project room: the messages take its next seqs, in order.
    general = Topic.objects.get(room=world.room, name="general")
    world.post(world.lou, "in project", room=world.project_room)
    response = lena.post(
        _url(world, f"topics/{general.pk}/move/"),
        {"to_room": str(world.project_room.pk), "name": "moved"},
    )
    assert response.status_code == 302
    moved = list(
        Message.objects.filter(room=world.project_room, topic__name="moved").order_by("seq")
    )
    assert [m.seq for m in moved] == [2, 3, 4, 5]
    assert [m.body for m in moved] == ["first", "second", "it broke again", "other"]
    assert not Message.objects.filter(room=world.room).exists()
    # Junk: an unknown room to move to, a blank name.
    world.post(world.lou, "again", topic="t2")
    t2 = Topic.objects.get(room=world.room, name="t2")
    lena.post(_url(world, f"topics/{t2.pk}/move/"), {"to_room": "999999"})
    lena.post(_url(world, f"topics/{t2.pk}/rename/"), {"name": "   "})
    assert Topic.objects.get(pk=t2.pk).name == "t2"
    assert Message.objects.get(body="again").room_id == world.room.pk


def test_send_at_their_morning_holds_a_direct_message_until_then(world):
    from chat.tasks import sweep
    from teams.models import Profile

    Profile.objects.filter(user=world.nia).update(
        working_hours={d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    )
    world.nia.profile.refresh_from_db()
    room = services.direct_room_open(actor=actor(world.sam), person=world.nia)
    sam = world.client(world.sam)
    night = utc(2026, 12, 3, 4, 0)  # Wed 23:00 in New York
    with at(night):
        response = sam.post(
            f"/chat/{room.pk}/post/", {"body": "When you are up: logs?", "later": "on"}
        )
        assert response.status_code == 302
        held = HeldMessage.objects.get()
        assert held.recipient == world.nia
        assert held.send_at == utc(2026, 12, 3, 14, 0)  # Thu 09:00 in New York
        assert not Message.objects.filter(room=room).exists()
        page = sam.get(f"/chat/{room.pk}/").content.decode()
        assert "Waiting for their morning" in page and "09:00 in New York" in page
        assert sweep()["held_sent"] == 0  # not yet
    with at(night + timedelta(hours=10)):
        assert sweep()["held_sent"] == 1
        assert sweep()["held_sent"] == 0  # once
        assert Message.objects.get(room=room).body == "When you are up: logs?"
        # A room message needs an @mention of someone in the room to know whose morning.
        # (Still on the test's clock: the session's idle expiry counts from its last use.)
        refused = sam.post(_url(world, "post/"), {"body": "no one named", "later": "on"})
        assert refused.status_code == 400
        assert "mentions someone" in refused.content.decode()


def test_a_held_message_can_be_cancelled_by_its_author_only(world):
    from teams.models import Profile

    Profile.objects.filter(user=world.lou).update(working_hours={"sun": ["00:00-00:01"]})
    world.lou.profile.refresh_from_db()
    held = services.message_send_at_their_morning(
        actor=actor(world.sam), room=world.room, body="@lou later please"
    )
    assert isinstance(held, HeldMessage)
    other = world.client(world.nia).post(_url(world, f"held/{held.pk}/cancel/"))
    assert other.status_code == 404
    world.client(world.sam).post(_url(world, f"held/{held.pk}/cancel/"))
    held.refresh_from_db()
    assert held.cancelled_at is not None


def test_mentions_page_lists_mine_only(world):
    world.post(world.sam, "@lou have a look at this", topic="deploys")
    world.post(world.sam, "@nia and this")
    html = world.client(world.lou).get("/chat/mentions/").content.decode()
    assert "have a look at this" in html and "and this" not in html
    assert "Sam Sydney" in html and "#Support" in html


def test_search_finds_only_messages_of_my_rooms(world):
    world.post(world.sam, "the frobnicator restarted", topic="ops")
    secret = services.private_room_create(actor=actor(world.otto), name="Secret")
    world.post(world.otto, "frobnicator secret plans", room=secret)
    html = world.client(world.lou).get("/chat/search/?q=frobnicator").content.decode()
    assert "the frobnicator restarted" in html
    assert "secret plans" not in html
    assert world.client(world.lou).get("/chat/search/?q=" + "x" * 300).status_code == 400


def test_direct_and_private_room_forms(world):
    sam = world.client(world.sam)
    response = sam.post("/chat/direct/", {"person": "@Lou"})
    room = Room.objects.get(kind=RoomKind.DIRECT)
    assert response["Location"] == f"/chat/{room.pk}/"
    assert "Lou London" in sam.get(f"/chat/{room.pk}/").content.decode()
    sam.post("/chat/direct/", {"person": "nobody"})
    sam.post("/chat/direct/", {"person": "sam"})  # oneself
    assert Room.objects.filter(kind=RoomKind.DIRECT).count() == 1
    sam.post("/chat/new/", {"name": "Launch", "people": "lou, nia"})
    launch = Room.objects.get(kind=RoomKind.PRIVATE)
    assert selectors.member_ids(launch) == {world.sam.pk, world.lou.pk, world.nia.pk}
    sam.post("/chat/new/", {"name": "Bad", "people": "lou, ghost"})
    assert Room.objects.filter(kind=RoomKind.PRIVATE).count() == 1


def test_bulk_imported_teams_get_their_room(world):
    from teams.models import Membership, Team

    team = Team.objects.bulk_create([Team(name="Imported", slug="imported")])[0]
    Membership.objects.create(team=team, person=world.sam, role="member")
    assert selectors.team_room(team.pk) is None
    world.client(world.sam).get("/chat/")
    assert selectors.team_room(team.pk) is not None


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_room_page_and_home_keep_their_query_counts(world, django_assert_max_num_queries):
    world.post(world.sam, "one @lou")
    sam = world.client(world.sam)
    urls = ["/chat/", _url(world), _url(world, "messages/?before=1000"), "/chat/mentions/"]
    for url in urls:
        sam.get(url)
    few = {url: _count(sam, url) for url in urls}
    world.grow(mention=world.sam)
    for url in urls:
        with django_assert_max_num_queries(few[url]):
            assert sam.get(url).status_code == 200
