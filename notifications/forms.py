"""HTML forms of the notification pages; they shape input, the services validate and write."""

from __future__ import annotations

from django import forms

from teams.models import Team

from . import kinds as kinds_registry
from .models import Channel


class InboxFilterForm(forms.Form):
    unread = forms.BooleanField(required=False, label="Unread only")
    kind = forms.ChoiceField(required=False, label="Type")

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All types"), *kinds]


class RulesForm(forms.Form):
    """One checkbox per channel and urgency: the grid on the settings page."""

    def __init__(self, *args, rules: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for rule in rules:
            for urgency in ("normal", "urgent"):
                label = f"{rule['label']}: {urgency}"
                self.fields[f"{rule['channel']}__{urgency}"] = forms.BooleanField(
                    required=False,
                    initial=rule[urgency],
                    label=label,
                    # The grid shows no label next to each box; screen readers need one.
                    widget=forms.CheckboxInput(attrs={"aria-label": label}),
                )

    def rules(self) -> dict[str, dict[str, bool]]:
        out: dict[str, dict[str, bool]] = {}
        for name, value in self.cleaned_data.items():
            channel, urgency = name.split("__")
            out.setdefault(channel, {})[urgency] = bool(value)
        return out


class MuteForm(forms.Form):
    """Pick a kind by its label. The list offers the mutable kinds not muted yet; any
    registered kind passes the choice check so that clean_kind can say why an unmutable one
    is refused (muting twice is harmless)."""

    kind = forms.ChoiceField(
        label="Mute",
        error_messages={
            "required": "Choose a kind of notification to mute.",
            "invalid_choice": "Choose a kind of notification from the list.",
        },
    )

    def __init__(self, *args, muted: frozenset[str] | set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        field.choices = [("", "Choose…"), *kinds_registry.choices()]
        offered = [c for c in kinds_registry.mutable_choices() if c[0] not in muted]
        field.widget.choices = [("", "Choose…"), *offered]
        self.offers_any = len(field.widget.choices) > 1

    def clean_kind(self) -> str:
        return kinds_registry.clean_mutable_kind(self.cleaned_data["kind"])


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. “Slack #oncall”.")
    url = forms.CharField(
        max_length=500,
        label="URL",
        help_text="http:// or https://; it must be reachable on the public internet.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="Just me",
        help_text="A team webhook gets its members' notifications once per event, at once.",
    )
    urgent_only = forms.BooleanField(required=False, label="Urgent notifications only")

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class WebhookEditForm(forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.CharField(max_length=500, label="URL")
    urgent_only = forms.BooleanField(required=False, label="Urgent notifications only")


CHANNEL_CHOICES = Channel.choices
