"""chat.mentions: finding @-mentions in a body (pure)."""

from __future__ import annotations

from chat.mentions import MAX_MENTIONS, replace_names, tokens


def test_tokens_in_order_once_each():
    found = tokens("@lou can you and @Support look? cc @oncall and @oncall:12, @lou again.")
    assert [t.text for t in found] == ["@lou", "@support", "@oncall", "@oncall:12"]
    assert found[3].schedule_id == 12


def test_what_is_not_a_mention():
    assert tokens("mail a@b.org or x@lou") == []
    assert [t.name for t in tokens("(@lou) “@nia” @kai.far.")] == ["lou", "nia", "kai.far"]
    assert tokens("") == [] and tokens(None) == []


def test_at_most_twenty():
    body = " ".join(f"@p{n}" for n in range(50))
    assert len(tokens(body)) == MAX_MENTIONS


def test_names_replace_usernames():
    assert replace_names("@lou and @nia: hi @who.", {"lou": "Lou London", "nia": "Nia NY"}) == (
        "@Lou London and @Nia NY: hi @who."
    )
