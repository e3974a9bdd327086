"""HTML forms of the urgent-update pages. They shape input only: escalations.services cleans
and writes (escalations.validation holds the rules and messages), and its ValidationError
dicts are mapped back onto the form (core.forms.apply_errors), so a page says what the API
says and a refused form writes nothing."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms

from core.forms import team_filter_field
from core.widgets import FastSelect, PlainChoices

from .models import MAX_STEPS, MAX_TARGETS_PER_STEP, MAX_WAIT_MINUTES, Severity, TargetKind
from .presenters import TARGET_SHORT
from .validation import KEY_NAME_MAX, NOTE_MAX, POLICY_NAME_MAX, TITLE_MAX

STATE_FILTERS = [
    ("", "Any state"),
    ("active", "Open or acknowledged"),
    ("open", "Open"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("cancelled", "Cancelled"),
]
SEVERITY_HELP = {
    Severity.HIGH: "High: pages whoever is responsible and awake; someone asleep is skipped "
    "unless they are on call.",
    Severity.CRITICAL: "Critical: wakes everyone the policy names, asleep or not.",
}


class UpdateFilterForm(forms.Form):
    """The list's filters (GET). A bad value is the field's error and that filter is left
    out."""

    team = team_filter_field()
    state = forms.ChoiceField(required=False, choices=STATE_FILTERS)

    def __init__(self, *args, teams: Iterable[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = PlainChoices([("", "All teams"), *teams])

    def valid(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def active(self) -> bool:
        data = self.valid()
        return bool(data.get("team") or data.get("state"))

    def filters(self) -> dict:
        data = self.valid()
        return {"team_id": data.get("team"), "state": data.get("state") or ""}

    def query(self, **extra) -> str:
        """The valid filters as a query string (page links keep them; junk is dropped)."""
        data = self.valid()
        pairs = {k: v for k, v in (("team", data.get("team")), ("state", data.get("state"))) if v}
        return urlencode({**pairs, **extra})


# --- raising ------------------------------------------------------------------------------------


def place_choices(teams: list[tuple[int, str]], projects: list[tuple[int, str, int]]) -> list:
    """The "On" picker: one group per team, the team itself first, then its open projects.
    Values "team-<id>" and "project-<id>"."""
    by_team: dict[int, list] = {}
    for pk, name, team_id in projects:
        by_team.setdefault(team_id, []).append((f"project-{pk}", name))
    choices: list = [("", "Choose a project or a team…")]
    for pk, name in teams:
        choices.append((name, [(f"team-{pk}", f"{name} (the whole team)"), *by_team.get(pk, [])]))
    return choices


class RaiseForm(forms.Form):
    place = forms.ChoiceField(
        label="On",
        widget=FastSelect,
        help_text="A project's update follows the project's policy (or its team's).",
    )
    title = forms.CharField(max_length=TITLE_MAX, label="Title")
    severity = forms.ChoiceField(
        choices=Severity.choices,
        widget=forms.RadioSelect,
        initial=Severity.HIGH,
        label="Severity",
    )
    body = forms.CharField(
        required=False,
        label="What is happening",
        help_text="Markdown. What is broken, since when, what you tried.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, places: list, **kwargs):
        kwargs.setdefault("auto_id", "raise-%s")
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = PlainChoices(places)

    def target(self) -> dict:
        """{'team': id} or {'project': id} from the picked place (after is_valid)."""
        kind, _, pk = self.cleaned_data["place"].partition("-")
        return {kind: int(pk)}


class NoteForm(forms.Form):
    """The optional note of a resolve or cancel (acknowledge is one click)."""

    note = forms.CharField(required=False, max_length=NOTE_MAX)


# --- the policy editor ----------------------------------------------------------------------------

BLANK_TARGETS = 1  # empty target rows offered under each step
KIND_CHOICES = [("", "—"), *((k, TARGET_SHORT[k]) for k in TargetKind.values)]


def _int_or_none(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class PolicyForm(forms.Form):
    """A policy's name, repeat count and ordered steps, each step's wait and targets (a kind,
    plus the schedule for "on call now" and the person for "named person").

    Steps are numbered fields (s<i>-wait, s<i>-order, s<i>-remove, s<i>-t<j>-kind, -schedule,
    -person), so the page needs no script: "Add a step" posts the form back with one more
    empty step and writes nothing. `steps()` gives what escalations.services.policy_set
    takes; it checks every rule (waits, kinds, who may be named) and writes nothing on an
    error, which is shown at the top of the form."""

    name = forms.CharField(
        required=False,
        max_length=POLICY_NAME_MAX,
        label="Name",
        help_text="Optional; Baton names it after the team or project.",
    )
    repeat_count = forms.IntegerField(
        min_value=0,
        max_value=9,
        initial=0,
        label="Repeats",
        help_text="How many more times the whole list runs when nobody acknowledges.",
    )

    def __init__(
        self,
        data=None,
        *,
        policy: dict | None = None,
        schedules: list[tuple[int, str]],
        people: list[tuple[int, str]],
        add_step: bool = False,
    ):
        initial = {}
        layout: list[int] = []  # targets per step
        if data is None and policy is not None:
            initial = {"name": policy.get("name", ""), "repeat_count": policy["repeat_count"]}
            for i, step in enumerate(policy["steps"]):
                initial[f"s{i}-wait"] = step["wait_minutes"]
                initial[f"s{i}-order"] = i + 1
                for j, t in enumerate(step["targets"]):
                    initial[f"s{i}-t{j}-kind"] = t["kind"]
                    initial[f"s{i}-t{j}-schedule"] = t.get("schedule_id")
                    initial[f"s{i}-t{j}-person"] = t.get("person_id")
                layout.append(min(len(step["targets"]) + BLANK_TARGETS, MAX_TARGETS_PER_STEP))
            if len(layout) < MAX_STEPS:
                layout.append(BLANK_TARGETS + 1)
        elif data is not None:
            layout = self._posted_layout(data)
            if add_step and len(layout) < MAX_STEPS:
                layout.append(BLANK_TARGETS + 1)
        if not layout:
            layout = [BLANK_TARGETS + 1]
        super().__init__(data, initial=initial, auto_id="policy-%s")
        self.layout = layout
        schedule_choices = PlainChoices([("", "—"), *schedules])
        people_choices = PlainChoices([("", "—"), *people])
        for i, targets in enumerate(layout):
            self.fields[f"s{i}-order"] = forms.IntegerField(
                required=False, min_value=1, max_value=MAX_STEPS, label="Position"
            )
            self.fields[f"s{i}-wait"] = forms.CharField(
                required=False,
                max_length=10,
                label="Then wait (minutes)",
                widget=forms.NumberInput(attrs={"min": 0, "max": MAX_WAIT_MINUTES}),
            )
            self.fields[f"s{i}-remove"] = forms.BooleanField(required=False, label="Remove")
            for j in range(targets):
                self.fields[f"s{i}-t{j}-kind"] = forms.ChoiceField(
                    required=False, choices=KIND_CHOICES, label="Who", widget=FastSelect
                )
                self.fields[f"s{i}-t{j}-schedule"] = forms.TypedChoiceField(
                    required=False,
                    coerce=int,
                    empty_value=None,
                    label="Schedule",
                    widget=FastSelect,
                )
                self.fields[f"s{i}-t{j}-schedule"].choices = schedule_choices
                self.fields[f"s{i}-t{j}-person"] = forms.TypedChoiceField(
                    required=False,
                    coerce=int,
                    empty_value=None,
                    label="Person",
                    widget=FastSelect,
                )
                self.fields[f"s{i}-t{j}-person"].choices = people_choices

    @staticmethod
    def _posted_layout(data) -> list[int]:
        """How many steps (and targets under each) the posted form had, within the limits."""
        layout = []
        for i in range(MAX_STEPS):
            if f"s{i}-wait" not in data and f"s{i}-t0-kind" not in data:
                break
            targets = 0
            while targets < MAX_TARGETS_PER_STEP and f"s{i}-t{targets}-kind" in data:
                targets += 1
            layout.append(max(targets, 1))
        return layout

    def step_groups(self) -> list[dict]:
        """The bound fields step by step, for the template."""
        groups = []
        for i, targets in enumerate(self.layout):
            groups.append(
                {
                    "number": i + 1,
                    "order": self[f"s{i}-order"],
                    "wait": self[f"s{i}-wait"],
                    "remove": self[f"s{i}-remove"],
                    "targets": [
                        {
                            "kind": self[f"s{i}-t{j}-kind"],
                            "schedule": self[f"s{i}-t{j}-schedule"],
                            "person": self[f"s{i}-t{j}-person"],
                        }
                        for j in range(targets)
                    ],
                }
            )
        return groups

    def steps(self) -> list[dict]:
        """The steps as escalations.services.policy_set takes them (after is_valid): removed
        and empty steps left out, the rest by position (then as listed); a target row
        without a kind is empty. A wait left blank is passed on as it is, so the service
        says what is wrong with it."""
        data = self.cleaned_data
        rows = []
        for i, targets in enumerate(self.layout):
            if data.get(f"s{i}-remove"):
                continue
            picked = []
            for j in range(targets):
                kind = data.get(f"s{i}-t{j}-kind")
                if not kind:
                    continue
                target = {"kind": kind}
                if kind == TargetKind.ONCALL:
                    target["schedule_id"] = data.get(f"s{i}-t{j}-schedule")
                elif kind == TargetKind.PERSON:
                    target["person_id"] = data.get(f"s{i}-t{j}-person")
                picked.append(target)
            wait = (data.get(f"s{i}-wait") or "").strip()
            if not picked and not wait:
                continue
            wait_value = _int_or_none(wait)
            order = data.get(f"s{i}-order") or (i + 1)
            rows.append(
                (
                    order,
                    i,
                    {"wait_minutes": wait if wait_value is None else wait_value, "targets": picked},
                )
            )
        rows.sort(key=lambda row: (row[0], row[1]))
        return [step for _, _, step in rows]


class IntegrationKeyForm(forms.Form):
    """A new integration key: its name says which system holds it ("Alertmanager prod")."""

    name = forms.CharField(
        max_length=KEY_NAME_MAX,
        help_text="Which monitoring system will hold it, e.g. “Alertmanager (production)”.",
    )
