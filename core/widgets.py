"""A <select> rendered in Python: Django's widget templates render each <option> through the
template engine, which made the directory's team and country pickers (400 options) the
slowest part of the page."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        final_attrs["name"] = name
        values = value if isinstance(value, list | tuple) else [value]
        selected = {"" if v is None else str(v) for v in values}
        parts = [f"<select{flatatt(final_attrs)}>"]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an <optgroup>
                parts.append(f'<optgroup label="{escape(str(option_value))}">')
                parts.extend(_option(v, text, selected) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(_option(option_value, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # every piece above is escaped


def _option(value, label, selected: set[str]) -> str:
    value = "" if value is None else str(value)
    mark = " selected" if value in selected else ""
    return f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>'


class PlainChoices(BaseChoiceIterator):
    """Choices already in (value, label) form. Django normalises a plain list item by item
    (slow for 1,500 teams) but passes a BaseChoiceIterator through unchanged."""

    def __init__(self, choices: Iterable[tuple[object, str]]):
        self._choices = list(choices)

    def __iter__(self):
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)


class MemoSelect(FastSelect):
    """FastSelect with its <option> list memoised by the choices themselves: the team list
    and the time-zone picker's 400 zones in their country groups rarely change, so each is
    built once per process; a renamed or added team makes a different key, so an old list is
    never served. Single-valued selects only."""

    _cache: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        if isinstance(value, list | tuple):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        final_attrs["name"] = name
        key = tuple(self.choices)
        try:
            options = self._cache.get(key)
        except TypeError:  # option groups given as lists: make them hashable
            key = tuple(
                (v, tuple(label)) if isinstance(label, list) else (v, label) for v, label in key
            )
            options = self._cache.get(key)
        if options is None:
            options = "".join(_options_html(v, label) for v, label in key)
            if len(self._cache) >= 16:
                self._cache.clear()
            self._cache[key] = options
        selected = "" if value is None else str(value)
        marker = f'<option value="{escape(selected)}">'
        options = options.replace(marker, marker[:-1] + " selected>", 1)
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")


def _options_html(value, label) -> str:
    if isinstance(label, tuple):  # an <optgroup>
        inner = "".join(_option(v, text, set()) for v, text in label)
        return f'<optgroup label="{escape(str(value))}">{inner}</optgroup>'
    return _option(value, label, set())
