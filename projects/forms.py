"""HTML forms of the project pages. They shape input only (a picked person or a typed
username becomes a person, lines of text become links); projects.services cleans and writes,
and its ValidationError dicts are mapped back onto the form (core.forms.apply_errors), so a
page says what the API says."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms

from core.forms import team_filter_field
from core.widgets import FastSelect, MemoSelect, PlainChoices
from core.zones import country_choices

from . import selectors, validation
from .models import Health, Priority, ProjectStatus
from .presenters import END_ACTING  # noqa: F401  (the handover's hand-back choice)

SLUG_EDIT_HELP = "Its address is /projects/ followed by this; old links stop working if it changes."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(required=False, label=label, widget=DateInput(), **kwargs)


class PrefixedForm(forms.Form):
    """A form whose fields' ids start with `prefix_id` (the class's, or one given per form):
    several forms share the project page, and their ids must not collide."""

    prefix_id = ""

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id or self.prefix_id}-%s")
        super().__init__(*args, **kwargs)


# --- picking a person ------------------------------------------------------------------------


class PersonPickMixin:
    """A person picked from a list (the team's people) or, for someone outside it, typed by
    username. `pick_person(field)` puts the person (or their id) in cleaned_data[field], in
    place of the picker's two fields, or adds the field's error; the services say whether
    that person may own (active, not the owner, not yourself)."""

    def pick_person(self, field: str, *, required: bool) -> None:
        self.cleaned_data[field] = self._picked(field, required=required)
        self.cleaned_data.pop(f"{field}_username", None)

    def _picked(self, field: str, *, required: bool):
        data = self.cleaned_data
        chosen = data.get(field)
        username = (data.get(f"{field}_username") or "").strip()
        if username:
            person = selectors.person_for_username(username)
            if person is None:
                self.add_error(f"{field}_username", f"Nobody has the username '{username}'.")
            return person
        if chosen:
            return chosen
        if required:
            self.add_error(field, "Choose a person, or type a username.")
        return None


def _people_field(label: str, choices, *, blank: str) -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=label, widget=FastSelect
    )
    field.choices = PlainChoices([("", blank), *choices])
    return field


def _username_field(label: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=150,
        label=label,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


# --- the list's filters -------------------------------------------------------------------------


class ProjectFilterForm(forms.Form):
    """The projects list's filters (GET). A bad value is shown as the field's error and that
    filter is left out; `filters()` gives the valid ones."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    team = team_filter_field()
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), ("open", "Open (not done)"), *ProjectStatus.choices],
    )
    health = forms.ChoiceField(
        required=False, choices=[("", "Any health"), *Health.choices, ("none", "No update yet")]
    )
    owner = forms.CharField(
        required=False,
        max_length=150,
        label="Owner",
        help_text="A username, or “me”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "username or me"}),
    )
    country = forms.ChoiceField(required=False, widget=MemoSelect)
    critical = forms.BooleanField(required=False, label="Critical")
    orphaned = forms.BooleanField(required=False, label="Orphaned")
    stale = forms.BooleanField(required=False, label="Stale")

    def __init__(self, *args, teams: Iterable[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = PlainChoices([("", "All teams"), *teams])
        self.fields["country"].choices = PlainChoices([("", "Any country"), *country_choices()])

    def valid(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data  # only the fields that passed

    def filters(self) -> dict:
        """The valid filters as selectors.listed_projects keywords (the owner still a
        username: the view looks it up)."""
        data = self.valid()
        status = data.get("status") or ""
        return {
            "q": data.get("q") or "",
            "team_id": data.get("team"),
            "status": "" if status == "open" else status,
            "open_only": status == "open",
            "health": data.get("health") or "",
            "country": data.get("country") or "",
            "critical": True if data.get("critical") else None,
            "orphaned": True if data.get("orphaned") else None,
            "stale": True if data.get("stale") else None,
        }

    def owner_username(self) -> str:
        return (self.valid().get("owner") or "").strip()

    def query(self, **extra) -> str:
        """The valid filters as a query string (page links keep them; junk is dropped)."""
        data = self.valid()
        pairs = {
            name: ("on" if value is True else value)
            for name, value in data.items()
            if value not in (None, "", False)
        }
        pairs.update(extra)
        return urlencode({k: v for k, v in pairs.items() if v not in (None, "")})

    @property
    def active(self) -> bool:
        return any(value not in (None, "", False) for value in self.valid().values())


# --- projects ----------------------------------------------------------------------------------


class ProjectForm(PersonPickMixin, forms.Form):
    """A project's fields. Creating: `teams` (where the viewer may create) and, for leads and
    admins, `owners`; editing: neither (the owner changes by a transfer)."""

    name = forms.CharField(max_length=validation.NAME_MAX)
    team = forms.TypedChoiceField(coerce=int, empty_value=None, widget=MemoSelect)
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    backup_owner = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Backup owner",
        help_text="Someone who can act while the owner is away or asleep (optional).",
    )
    slug = forms.CharField(
        required=False,
        max_length=validation.SLUG_MAX,
        help_text="Its address is /projects/ followed by this. Made from the name when left empty.",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown: **bold**, lists, links. Raw HTML is removed.",
    )
    status = forms.ChoiceField(choices=ProjectStatus.choices, initial=ProjectStatus.PLANNED)
    priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, initial=Priority.NONE, widget=FastSelect
    )
    critical = forms.BooleanField(
        required=False, help_text="Counts towards owner load and bus-factor findings."
    )
    start_date = _date_field("Start date")
    target_date = _date_field("Target date")
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One a line: a title, then the address (https://...).",
    )
    update_cadence_days = forms.IntegerField(
        initial=7,
        label="Status update every (days)",
        help_text="The owner is reminded at the start of their working day when one is due.",
    )

    def __init__(self, *args, teams=None, owners=None, backups=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = PlainChoices([("", "Choose a team…"), *teams])
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = PlainChoices(owners)
            self.fields["owner"].help_text = (
                "The one person accountable for it; they are told. Someone else takes it over "
                "later by a transfer they accept."
            )
        self.fields["backup_owner"].choices = PlainChoices([("", "No backup"), *backups])
        if editing:
            self.fields["slug"].required = True
            self.fields["slug"].help_text = SLUG_EDIT_HELP
        # Creating: the fields people fill first; the rest keep their defaults.
        order = ["name", "team", "owner", "backup_owner", "description", "status", "priority"]
        self.order_fields([f for f in order if f in self.fields])

    def service_fields(self) -> dict:
        """The cleaned values as the services' keyword arguments (team and owner apart)."""
        data = dict(self.cleaned_data)
        data.pop("team", None)
        data.pop("owner", None)
        if not data.get("slug"):
            data.pop("slug", None)
        return data


# --- goals -------------------------------------------------------------------------------------


class GoalForm(PrefixedForm):
    prefix_id = "goal"  # "goal-<id>" for a goal being edited, "new-goal" for the one added

    title = forms.CharField(max_length=validation.GOAL_TITLE_MAX)
    target_date = _date_field("Target date")
    current_value = forms.CharField(
        required=False,
        max_length=20,
        label="Now",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    target_value = forms.CharField(
        required=False,
        max_length=20,
        label="Target",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.CharField(required=False, max_length=validation.GOAL_UNIT_MAX)
    done = forms.BooleanField(required=False)


# --- status updates ----------------------------------------------------------------------------


class UpdateForm(PrefixedForm):
    prefix_id = "update"

    health = forms.ChoiceField(choices=Health.choices, widget=forms.RadioSelect)
    body = forms.CharField(
        required=False,
        label="What happened, what is next",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. Watchers get it; goals and dates that changed are listed with it.",
    )


# --- transfers and acting owners ---------------------------------------------------------------


class _PersonFirstForm(PersonPickMixin, PrefixedForm):
    """A form that names one person first (`person_field`, required): picked among `people`
    (the team's) or typed by username; its declared fields follow."""

    person_field = ""
    person_label = ""

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        name = self.person_field
        self.fields[name] = _people_field(self.person_label, people, blank="Choose a person…")
        self.fields[f"{name}_username"] = _username_field("Or someone outside the team (username)")
        self.order_fields([name, f"{name}_username"])  # the others keep their order after

    def clean(self):
        data = super().clean()
        self.pick_person(self.person_field, required=True)
        return data


class TransferForm(_PersonFirstForm):
    prefix_id = "transfer"
    person_field = "to_person"
    person_label = "New owner"

    reason = forms.CharField(max_length=validation.REASON_MAX)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for them",
        help_text="What they need to know to take it over.",
    )


class AnswerForm(PrefixedForm):
    prefix_id = "answer"

    answer = forms.CharField(
        required=False,
        max_length=validation.ANSWER_MAX,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ActingForm(_PersonFirstForm):
    prefix_id = "acting"
    person_field = "acting_owner"
    person_label = "Acting owner"

    until = forms.DateField(
        label="The owner is back on",
        widget=DateInput(),
        help_text="Their local date; it hands back by itself that morning.",
    )
    note = forms.CharField(required=False, max_length=validation.ACTING_NOTE_MAX)


class HandoverForm(PrefixedForm):
    """On a person's page, for admins: a new owner for each project they own or act for, with
    one reason for all. `rows` are (project, choices) pairs; a row left blank is skipped."""

    prefix_id = "handover"

    reason = forms.CharField(
        max_length=validation.REASON_MAX,
        initial="Handing over the projects of someone who is leaving.",
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for project, choices in self.rows:
            field = forms.ChoiceField(required=False, label=project.name, widget=FastSelect)
            field.choices = PlainChoices([("", "Leave for now"), *choices])
            self.fields[f"to_{project.pk}"] = field
        self.order_fields([f"to_{p.pk}" for p, _ in self.rows] + ["reason"])

    @classmethod
    def for_rows(cls, rows, data=None) -> HandoverForm:
        """The form for presenters.handover_rows: a picker for each project that has choices
        and no transfer waiting."""
        return cls(
            data,
            rows=[
                (r["project"], r["choices"]) for r in rows if r["waiting"] is None and r["choices"]
            ],
        )

    def choices_made(self) -> list[tuple[object, str]]:
        """(project, value) for every row given a new owner (a person id, or END_ACTING)."""
        return [
            (project, self.cleaned_data[f"to_{project.pk}"])
            for project, _ in self.rows
            if self.cleaned_data.get(f"to_{project.pk}")
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.choices_made():
            raise forms.ValidationError("Choose a new owner for at least one project.")
        return data
