"""HTML forms of the handoff pages. They shape input only: handoffs.services cleans and writes
(handoffs.validation holds the rules and messages), and its ValidationError dicts are mapped
back onto the form (core.forms.apply_errors), so a page says what the API says and a refused
form writes nothing.

The composer's open items are numbered rows (i<n>-text, -next_action, -owner, -due), so the
page needs no script: "Add an item" posts the form back with one more row and writes nothing.
A due time is typed in the writer's own zone (a datetime-local field) and becomes an instant
here."""

from __future__ import annotations

from datetime import datetime, tzinfo

from django import forms

from core.widgets import FastSelect, PlainChoices

from .models import MAX_ITEMS, MAX_PROMPT_MINUTES, RecipientsKind, Urgency
from .validation import (
    FOLLOW_UP_MAX,
    ITEM_TEXT_MAX,
    NEXT_ACTION_MAX,
    REASON_MAX,
    TITLE_MAX,
)

BLANK_ITEMS = 3
RECIPIENT_CHOICES = [
    (RecipientsKind.PEOPLE, "People I name"),
    (RecipientsKind.NEXT_ONCALL, "Whoever is on call next for a schedule"),
    (RecipientsKind.TEAM_NEXT_DAY, "A team's people whose working day starts next"),
]


class ComposeForm(forms.Form):
    team = forms.TypedChoiceField(coerce=int, label="For the team", widget=FastSelect)
    title = forms.CharField(max_length=TITLE_MAX, label="Title")
    recipients = forms.ChoiceField(
        choices=RECIPIENT_CHOICES,
        initial=RecipientsKind.PEOPLE,
        widget=forms.RadioSelect,
        label="Who takes over",
        help_text="“On call next” and “next working day” are worked out when you send.",
    )
    people = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="People", widget=forms.SelectMultiple(attrs={"size": 6})
    )
    recipients_schedule = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Schedule (for “on call next”)",
        widget=FastSelect,
    )
    recipients_team = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="Team (for “next working day”)",
        widget=FastSelect,
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        label="Urgency",
        help_text="Normal notes reach each person when their working day starts; urgent ones "
        "at once, and raise an urgent update if nobody acknowledges.",
    )
    summary = forms.CharField(
        required=False,
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown. What happened, where things stand.",
    )
    ruled_out = forms.CharField(
        required=False,
        label="Ruled out",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked and excluded, so nobody checks it again.",
    )
    links = forms.CharField(
        required=False,
        label="Links",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: a title, then the URL.",
    )
    schedule = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="About the schedule",
        widget=FastSelect,
        help_text="Its open items carry into the next note about it.",
    )
    projects = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label="About the projects",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    # The prompt the composer was opened from (its shift and digest window), and the digest's
    # ticked entries (each becomes an open item).
    prompt = forms.IntegerField(required=False, widget=forms.HiddenInput)
    digest = forms.MultipleChoiceField(
        required=False, label="Add to the note", widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self,
        data=None,
        *,
        teams: list[tuple[int, str]],
        people: list[tuple[int, str]],
        schedules: list[tuple[int, str]],
        all_teams: list[tuple[int, str]],
        projects: list[tuple[int, str]],
        zone: tzinfo,
        initial=None,
        add_item: bool = False,
        digest=(),
    ):
        super().__init__(data, initial=initial, auto_id="handoff-%s")
        self.zone = zone
        # Entries the note carries anyway (open items of its schedule) are not choices.
        self.digest_entries = list(digest)
        self.fields["digest"].choices = [
            (e.key, e.text) for e in self.digest_entries if not e.carries
        ]
        self.fields["team"].choices = PlainChoices(teams)
        self.fields["people"].choices = PlainChoices(people)
        self.fields["recipients_schedule"].choices = PlainChoices([("", "—"), *schedules])
        self.fields["recipients_team"].choices = PlainChoices([("", "The note's team"), *all_teams])
        self.fields["schedule"].choices = PlainChoices([("", "—"), *schedules])
        self.fields["projects"].choices = PlainChoices(projects)
        rows = self._posted_rows(data) if data is not None else BLANK_ITEMS
        if add_item:
            rows += 1
        self.item_count = max(1, min(rows, MAX_ITEMS))
        owners = PlainChoices([("", "Whoever takes it"), *people])
        for n in range(self.item_count):
            self.fields[f"i{n}-text"] = forms.CharField(
                required=False, max_length=ITEM_TEXT_MAX, label="Open item"
            )
            self.fields[f"i{n}-next_action"] = forms.CharField(
                required=False, max_length=NEXT_ACTION_MAX, label="Next action"
            )
            self.fields[f"i{n}-owner"] = forms.TypedChoiceField(
                coerce=int,
                required=False,
                empty_value=None,
                choices=owners,
                label="Owner",
                widget=FastSelect,
            )
            self.fields[f"i{n}-due"] = forms.DateTimeField(
                required=False,
                label="Due (your time)",
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                widget=forms.DateTimeInput(
                    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
                ),
            )

    @staticmethod
    def _posted_rows(data) -> int:
        rows = 0
        for key in data:
            if key.startswith("i") and key.endswith("-text"):
                index = key[1:-5]
                if index.isdigit():
                    rows = max(rows, int(index) + 1)
        return rows or BLANK_ITEMS

    def item_rows(self) -> list[dict]:
        """The fields of each item row, for the template."""
        return [
            {
                "n": n + 1,
                "text": self[f"i{n}-text"],
                "next_action": self[f"i{n}-next_action"],
                "owner": self[f"i{n}-owner"],
                "due": self[f"i{n}-due"],
            }
            for n in range(self.item_count)
        ]

    def _due(self, value) -> datetime | None:
        """A due time typed in the writer's zone, as an instant (Django's field keeps it
        naive: USE_TZ reads it in the server's zone, which is not the writer's)."""
        if value is None:
            return None
        naive = value.replace(tzinfo=None)
        return naive.replace(tzinfo=self.zone)

    def items(self) -> list[dict]:
        """Rows with text, as handoffs.services.handoff_send takes them."""
        out = []
        for n in range(self.item_count):
            text = self.cleaned_data.get(f"i{n}-text", "")
            if not text.strip():
                continue
            due = self._due(self.cleaned_data.get(f"i{n}-due"))
            out.append(
                {
                    "text": text,
                    "next_action": self.cleaned_data.get(f"i{n}-next_action", ""),
                    "owner": self.cleaned_data.get(f"i{n}-owner"),
                    "due_at": due.isoformat() if due else None,
                }
            )
        return out

    def picked(self) -> list:
        """The ticked digest entries, in the digest's order."""
        keys = set(self.cleaned_data.get("digest") or ())
        return [e for e in self.digest_entries if e.key in keys]

    def digest_rows(self) -> list[dict]:
        """Each digest entry with its checkbox state, for the template."""
        ticked = set(self["digest"].value() or ())
        return [
            {"entry": e, "id": f"digest-{e.key}", "checked": e.key in ticked}
            for e in self.digest_entries
        ]

    def service_fields(self) -> dict:
        """handoff_send's arguments: the typed items, then the ticked digest entries as items
        (an earlier note's item carried when it is of the note's team), whose projects and
        urgent updates of the note's team join its context."""
        data = self.cleaned_data
        team = data["team"]
        items = self.items()
        projects = list(data.get("projects") or [])
        updates = []
        for entry in self.picked():
            same_team = entry.team_id == team
            items.append(
                {
                    "text": entry.text,
                    "next_action": "",
                    "owner": None,
                    "due_at": None,
                    "carried_from": entry.carried_from if same_team else None,
                }
            )
            if same_team and entry.project_id and entry.project_id not in projects:
                projects.append(entry.project_id)
            if same_team and entry.update_id and entry.update_id not in updates:
                updates.append(entry.update_id)
        return {
            "team": data["team"],
            "title": data["title"],
            "recipients": data["recipients"],
            "people": data.get("people") or [],
            "recipients_schedule": data.get("recipients_schedule"),
            "recipients_team": data.get("recipients_team"),
            "urgency": data["urgency"],
            "summary": data.get("summary", ""),
            "ruled_out": data.get("ruled_out", ""),
            "links": data.get("links", ""),
            "schedule": data.get("schedule"),
            "projects": projects,
            "urgent_updates": updates,
            "items": items,
        }


class EditForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label="Title")
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    ruled_out = forms.CharField(
        required=False, label="Ruled out", widget=forms.Textarea(attrs={"rows": 3})
    )
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: a title, then the URL.",
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        max_length=FOLLOW_UP_MAX,
        label="Add a follow-up",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HandBackForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX, label="Why you hand it back")


class PreferencesForm(forms.Form):
    prompt_minutes = forms.IntegerField(
        min_value=0,
        max_value=MAX_PROMPT_MINUTES,
        label="Ask me to write a handoff this many minutes before my shift or working day ends",
        help_text="0: never ask.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "narrow"}),
    )
