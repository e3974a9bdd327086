"""A <select> rendered in Python: Django's widget templates render each <option> through the
template engine, which made the directory's team and country pickers (400 options) the
slowest part of the page."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
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
