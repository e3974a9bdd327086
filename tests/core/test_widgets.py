"""core.widgets: the <select>s rendered in Python give Django's markup, and MemoSelect's
memoised option lists (flat, or grouped like the time-zone picker) give FastSelect's."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from core.forms import zone_choices
from core.widgets import FastSelect, MemoSelect, PlainChoices


def _both(choices, value):
    fast, memo = FastSelect(), MemoSelect()
    fast.choices = memo.choices = choices
    return fast.render("time_zone", value), memo.render("time_zone", value)


@pytest.mark.parametrize("value", ["", None, "Europe/Lisbon", "UTC", "Asia/Calcutta", "x<y"])
def test_memo_select_renders_the_zone_picker_as_fast_select_does(value):
    fast, memo = _both(zone_choices(value or ""), value)
    assert memo == fast
    assert '<optgroup label="Portugal">' in memo
    if value:
        assert memo.count(" selected>") == 1
        assert f'value="{value}" selected>'.replace("<", "&lt;") in memo


def test_an_old_alias_stays_selectable_and_is_not_served_to_the_next_form():
    old = MemoSelect()
    old.choices = zone_choices("Asia/Calcutta")
    assert '<optgroup label="Current"><option value="Asia/Calcutta" selected>' in old.render(
        "time_zone", "Asia/Calcutta"
    )
    plain = MemoSelect()
    plain.choices = zone_choices("Europe/Lisbon")
    assert "Asia/Calcutta" not in plain.render("time_zone", "Europe/Lisbon")


def test_fast_select_gives_django_markup_for_flat_and_grouped_choices():
    choices = [("", "Choose…"), ("Portugal", [("Europe/Lisbon", "Europe/Lisbon")]), (3, "A&B")]
    django_select = forms.Select(choices=choices).render("f", "3")
    fast = FastSelect()
    fast.choices = PlainChoices(choices)
    assert parse_html(fast.render("f", "3")) == parse_html(django_select)


def test_zone_choices_are_not_normalised_again_by_the_widget():
    widget = MemoSelect()
    choices = zone_choices("")
    widget.choices = choices
    assert widget.choices is choices  # PlainChoices pass through normalize_choices
