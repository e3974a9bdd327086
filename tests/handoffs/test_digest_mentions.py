"""Mentions of me in chat, a source of the digest: where the writer was @-mentioned during the
window (a team's or a project's room, a private room, a direct message), each entry naming who
mentioned them (and their local time then), the room and the topic, with a plain-text snippet
of the message and a link to it; deleted messages, other people's mentions and mentions
outside the window are not there; ticked, a mention becomes an open item, and a mention that is
not the writer's is refused and writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from chat.models import Mention
from handoffs import selectors
from handoffs.models import HandoffNote
from tests.conftest import sign_in
from tests.handoffs.world import at, counts, utc

# Lou's shift: Friday 26 March 2027, 06:00-14:00 UTC (London, GMT; Sydney is UTC+11).
START, END = utc(2027, 3, 26, 6), utc(2027, 3, 26, 14)


def _mention(message, person) -> Mention:
    return Mention.objects.get(message=message, person=person)


@pytest.fixture
def posted(world, chat):
    """Sam's messages around and during Lou's shift."""
    w = world
    return {
        "early": chat.post(when=utc(2027, 3, 26, 0, 30), body="@lou before your shift"),
        "team": chat.post(
            when=utc(2027, 3, 26, 8, 30),
            body="@lou can you **check** the refund queue?\n\nSee what @sam wrote in `ops`.",
            topic="refunds",
        ),
        "deleted": chat.post(when=utc(2027, 3, 26, 9), body="@lou never mind", topic="oops"),
        "nia": chat.post(when=utc(2027, 3, 26, 9, 30), body="@nia the bank called", topic="bank"),
        "direct": chat.post(
            when=utc(2027, 3, 26, 10),
            body="@lou " + "a long story about the refunds " * 10,
            room=chat.direct(w.sam, w.lou),
            topic="refunds",
        ),
        "project": chat.post(
            when=utc(2027, 3, 26, 10, 30),
            body="@lou deploy is blocked",
            room=chat.project_room,
            topic="deploy",
        ),
        "private": chat.post(
            when=utc(2027, 3, 26, 11),
            body="@lou are you around?",
            room=chat.private("war-room", w.sam, [w.lou]),
            topic="incident",
        ),
        "late": chat.post(when=utc(2027, 3, 26, 14, 30), body="@lou after your shift"),
    }


@pytest.fixture
def deleted(posted, chat):
    chat.delete(posted["deleted"], when=utc(2027, 3, 26, 9, 5))
    return posted


def _mentions(world, start=START, end=END):
    entries = selectors.digest_for(world.lou, start=start, end=end)
    return [e for e in entries if e.kind == "mention"]


def test_mentions_of_me_in_the_window_show_newest_first(world, deleted):
    posted = deleted
    entries = _mentions(world)
    assert [e.key for e in entries] == [
        f"mention-{_mention(posted[name], world.lou).pk}"
        for name in ("private", "project", "direct", "team")
    ]
    team, direct, project, private = entries[3], entries[2], entries[1], entries[0]
    # Who mentioned me, with their own time then (08:30 UTC is 19:30 in Sydney), where, and a
    # plain-text snippet: no markup, people named rather than by username.
    assert team.text == (
        "Mentioned by Sam Sydney in #Support › refunds: "
        "“@Lou London can you check the refund queue? See what @Sam Sydney wrote in ops.”"
    )
    assert team.detail == "Sam Sydney (Fri 19:30 in Sydney) in #Support › refunds"
    message = posted["team"]
    assert team.url == f"/chat/{message.room_id}/#m{message.seq}"
    assert team.at == utc(2027, 3, 26, 8, 30)
    assert team.team_id == world.team.pk and team.project_id is None
    assert direct.text.startswith("Direct message from Sam Sydney › refunds: “@Lou London a long")
    assert direct.detail == "Direct message from Sam Sydney (Fri 21:00 in Sydney) › refunds"
    # Cut short after a word.
    snippet = direct.text.split("“", 1)[1].rstrip("”")
    whole = "@Lou London " + "a long story about the refunds " * 10
    assert len(snippet) <= selectors.MENTION_SNIPPET and snippet.endswith("…")
    assert whole.startswith(snippet[:-1]) and whole[len(snippet) - 1] == " "
    assert direct.team_id is None and direct.project_id is None
    assert (
        project.text
        == "Mentioned by Sam Sydney in #Payments API › deploy: “@Lou London deploy is blocked”"
    )
    assert (project.team_id, project.project_id) == (world.team.pk, world.project.pk)
    assert (
        private.text
        == "Mentioned by Sam Sydney in #war-room › incident: “@Lou London are you around?”"
    )
    for entry in entries:
        assert "@lou" not in entry.text and "@sam" not in entry.text
        assert "<" not in entry.text and "**" not in entry.text
        assert not entry.carries and entry.carried_from is None


def test_mentions_outside_the_window_deleted_or_of_someone_else_do_not_show(world, deleted):
    texts = " ".join(e.text for e in _mentions(world))
    assert "before your shift" not in texts and "after your shift" not in texts
    assert "never mind" not in texts  # deleted after it was sent
    assert "bank called" not in texts  # Nia's
    nia = [e for e in selectors.digest_for(world.nia, start=START, end=END) if e.kind == "mention"]
    assert [e.text for e in nia] == [
        "Mentioned by Sam Sydney in #Support › bank: “@Nia New York the bank called”"
    ]
    # The window's edges: from its start, up to (not including) its end.
    assert [e.text for e in _mentions(world, utc(2027, 3, 26, 0, 30), utc(2027, 3, 26, 8, 30))] == [
        "Mentioned by Sam Sydney in #Support › general: “@Lou London before your shift”"
    ]


def _errors(response) -> str:
    """What a refused form says (its error lists), to read a failure by."""
    import re

    html = response.content.decode()
    found = re.findall(r'<[^>]*class="errorlist[^"]*"[^>]*>.*?</(?:ul|div)>', html, re.S)
    return f"{response.status_code}: {found or html[-1500:]}"


def _compose(client, **fields):
    data = {
        "team": fields.pop("team"),
        "title": "Friday handover",
        "recipients": "people",
        "urgency": "normal",
        "summary": "Quiet.",
        "i0-text": "",
    }
    data.update(fields)
    return client.post("/handoffs/new/", data)


def test_the_composer_shows_my_mentions_and_a_ticked_one_becomes_an_open_item(world, deleted):
    posted = deleted
    mine = _mention(posted["project"], world.lou)
    with at(utc(2027, 3, 26, 13, 10)):
        lou = sign_in(Client(), world.lou)
        page = lou.get("/handoffs/new/").content.decode()
        assert f'value="mention-{mine.pk}"' in page
        assert "Chat mention · Sam Sydney (Fri 21:30 in Sydney) in #Payments API › deploy" in page
        message = posted["project"]
        assert f'href="/chat/{message.room_id}/#m{message.seq}"' in page
        assert "never mind" not in page and "bank called" not in page
        assert "before your shift" not in page  # 00:30: before the last 12 hours
        response = _compose(
            lou, team=world.team.pk, people=[world.nia.pk], digest=[f"mention-{mine.pk}"]
        )
    assert response.status_code == 302, _errors(response)
    note = HandoffNote.objects.get()
    (item,) = note.items.all()
    assert item.text == (
        "Mentioned by Sam Sydney in #Payments API › deploy: “@Lou London deploy is blocked”"
    )
    assert item.carried_from is None
    # A mention in the project's room, of the note's team: the project joins the note.
    assert list(note.projects.all()) == [world.project]


@pytest.mark.parametrize("which", ["nia", "deleted", "early", "unknown"])
def test_a_mention_that_is_not_mine_in_the_window_is_refused_and_writes_nothing(
    world, deleted, which
):
    posted = deleted
    if which == "unknown":
        key = "mention-999999"
    else:
        person = world.nia if which == "nia" else world.lou
        key = f"mention-{_mention(posted[which], person).pk}"
    with at(utc(2027, 3, 26, 13, 10)):
        lou = sign_in(Client(), world.lou)
        before = counts()
        response = _compose(lou, team=world.team.pk, people=[world.nia.pk], digest=[key])
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert counts() == before
    assert not HandoffNote.objects.exists()
