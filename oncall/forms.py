"""HTML forms of the on-call pages. They shape input only: times typed in the viewer's zone
become instants here, usernames become person ids; the services validate and write, and their
ValidationError dicts are mapped back onto the form (core.forms.apply_errors)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.forms import team_filter_field, zone_choices
from core.widgets import MemoSelect, PlainChoices

from . import services, specs
from .models import ShiftUnit
from .presenters import LOCAL_FORMAT
from .selectors import ScheduleFilter

User = get_user_model()

WINDOW_ROWS_MIN = 3
WINDOW_ROWS_MAX = specs.MAX_WINDOWS


class LocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_FORMAT)


def parse_local(value: str) -> datetime | None:
    """'2026-11-02T09:00' (datetime-local, seconds optional) as a naive datetime, or None."""
    text = (value or "").strip()
    for fmt in (LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)  # noqa: DTZ007 (a wall time; zone added later)
        except ValueError:
            continue
    return None


def local_to_utc(value: datetime, zone: ZoneInfo) -> datetime:
    """A wall time in `zone` as a UTC instant, fold=0 like the rotation rules (a time in a
    DST gap moves forward by the gap, an ambiguous time is its first occurrence)."""
    aware = value.replace(tzinfo=zone)
    # Round-trip to apply the gap rule: 02:30 on a spring-forward night becomes 03:30.
    return aware.astimezone(UTC)


def usernames_to_ids(text: str) -> tuple[list[int], list[str]]:
    """Ordered usernames (one per line or separated by commas/spaces, repeats allowed) as
    person ids; the unknown names are returned too. One query."""
    names = [n for n in text.replace(",", " ").split() if n]
    if not names:
        return [], []
    found = {
        u.username.lower(): u.pk
        for u in User.objects.filter(username__in=set(names) | {n.lower() for n in names})
        .filter(is_active=True, profile__isnull=False)
        .only("pk", "username")
    }
    ids, unknown = [], []
    for name in names:
        pk = found.get(name.lower())
        if pk is None:
            unknown.append(name)
        else:
            ids.append(pk)
    return ids, unknown


def ids_to_usernames(ids: list[int]) -> str:
    names = dict(User.objects.filter(pk__in=set(ids)).values_list("pk", "username"))
    return "\n".join(names.get(pk, str(pk)) for pk in ids)


# --- schedules ---------------------------------------------------------------------------------


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=120)
    team = forms.TypedChoiceField(coerce=int, empty_value=None)
    time_zone = forms.CharField(max_length=64, widget=MemoSelect, label="Time zone")
    requires_lead_approval_for_swaps = forms.BooleanField(
        required=False, label="Swaps need the team lead's approval"
    )
    follow_the_sun = forms.BooleanField(
        required=False, label="Set up follow-the-sun layers next", initial=True
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Choose a team…"), *((t.pk, t.name) for t in teams)]
        current = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        self.fields["time_zone"].widget.choices = zone_choices(current or "")


class ScheduleSettingsForm(forms.Form):
    """Editing a schedule: its team never changes (create a new schedule instead)."""

    name = forms.CharField(max_length=120)
    time_zone = forms.CharField(max_length=64, widget=MemoSelect, label="Time zone")
    requires_lead_approval_for_swaps = forms.BooleanField(
        required=False, label="Swaps need the team lead's approval"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        self.fields["time_zone"].widget.choices = zone_choices(current or "")


# --- layers ------------------------------------------------------------------------------------


class LayerForm(forms.Form):
    """A layer's fields. Everything optional here: clean_layer_spec gives the messages (the
    same as the API's), so a page and the API never disagree about what is valid."""

    name = forms.CharField(max_length=200, required=False)
    priority = forms.IntegerField(required=False, initial=0)
    time_zone = forms.CharField(max_length=64, widget=MemoSelect, label="Time zone")
    start = forms.CharField(
        widget=LocalInput(),
        required=False,
        label="First handoff (local wall time in the layer's zone)",
    )
    shift_count = forms.IntegerField(required=False, initial=1, label="Shift length")
    shift_unit = forms.ChoiceField(choices=ShiftUnit.choices, initial=ShiftUnit.DAYS, label="Unit")
    participants = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="Usernames in rotation order, one per line (repeats allowed).",
    )
    end = forms.CharField(
        widget=LocalInput(), required=False, label="End (optional, in your time zone)"
    )
    fair = forms.BooleanField(
        required=False,
        label="Fair: advance the rotation only on shifts that overlap a window",
    )
    effective_from = forms.CharField(
        widget=LocalInput(),
        required=False,
        label="Takes effect from (your time zone; empty = now)",
    )

    def __init__(self, *args, viewer_zone: ZoneInfo, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer_zone = viewer_zone
        self.editing = editing
        if not editing:
            del self.fields["effective_from"]
        current = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        self.fields["time_zone"].widget.choices = zone_choices(current or "")
        self.windows: list[dict] = []
        self.window_errors: list[str] = []

    # The restriction windows are plain inputs w<i>_days / w<i>_start / w<i>_end (a fixed
    # number of rows; empty rows are ignored) so the page needs no JavaScript formset.
    def window_rows(self) -> list[dict]:
        if self.is_bound:
            rows = []
            count = _row_count(self.data.get("window_rows"))
            for i in range(count):
                rows.append(
                    {
                        "i": i,
                        "days": [str(d) for d in self.data.getlist(f"w{i}_days")],
                        "start": self.data.get(f"w{i}_start", ""),
                        "end": self.data.get(f"w{i}_end", ""),
                    }
                )
        else:
            rows = [
                {
                    "i": i,
                    "days": [str(d) for d in w["days"]],
                    "start": w["start"],
                    "end": w["end"],
                }
                for i, w in enumerate(self.initial.get("restrictions") or [])
            ]
            target = min(max(WINDOW_ROWS_MIN, len(rows) + 1), WINDOW_ROWS_MAX)
            while len(rows) < target:  # blank rows to add windows in
                rows.append({"i": len(rows), "days": [], "start": "", "end": ""})
        return rows

    def _restrictions(self) -> list[dict]:
        out = []
        for row in self.window_rows():
            if not (row["days"] or row["start"] or row["end"]):
                continue  # an empty row
            days = [int(d) for d in row["days"] if str(d).isdigit()]
            out.append({"days": days, "start": row["start"].strip(), "end": row["end"].strip()})
        return out

    def spec(self) -> dict | None:
        """The input as a layer spec for specs.clean_layer_spec (None: the form has errors
        of its own, e.g. a number that is not a number)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        ids, unknown = usernames_to_ids(data.get("participants") or "")
        if unknown:
            self.add_error("participants", "Unknown usernames: " + ", ".join(unknown) + ".")
            return None
        end = None
        if (data.get("end") or "").strip():
            naive = parse_local(data["end"])
            if naive is None:
                self.add_error("end", "Give a date and time, e.g. 2027-01-31T18:00.")
                return None
            end = local_to_utc(naive, self.viewer_zone)
        return {
            "name": data.get("name") or "",
            "priority": data.get("priority") if data.get("priority") is not None else 0,
            "time_zone": data.get("time_zone") or "",
            "start": (data.get("start") or "").strip(),
            "shift_length": {"count": data.get("shift_count"), "unit": data.get("shift_unit")},
            "participants": ids,
            "end": end,
            "restrictions": self._restrictions(),
            "fair": bool(data.get("fair")),
        }

    def effective_from_instant(self) -> datetime | None:
        text = (self.cleaned_data.get("effective_from") or "").strip()
        if not text:
            return None
        naive = parse_local(text)
        if naive is None:
            self.add_error("effective_from", "Give a date and time, e.g. 2027-01-31T18:00.")
            raise ValidationError({})
        return local_to_utc(naive, self.viewer_zone)

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Map clean_layer_spec's fields onto the form's."""
        mapping = {"shift_length": "shift_count"}
        for field, messages in exc.message_dict.items():
            target = mapping.get(field, field)
            if target == "restrictions":
                self.window_errors.extend(messages)
                continue
            for message in messages:
                self.add_error(target if target in self.fields else None, message)

    @staticmethod
    def initial_for(layer, version, viewer_zone: ZoneInfo) -> dict:
        end = version.end.astimezone(viewer_zone).strftime(LOCAL_FORMAT) if version.end else ""
        return {
            "name": layer.name,
            "priority": version.priority,
            "time_zone": version.time_zone,
            "start": datetime.combine(version.start_date, version.start_time).strftime(
                LOCAL_FORMAT
            ),
            "shift_count": version.shift_count,
            "shift_unit": version.shift_unit,
            "participants": ids_to_usernames(list(version.participants)),
            "end": end,
            "restrictions": list(version.restrictions),
            "fair": version.fair,
        }


def _row_count(value) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = WINDOW_ROWS_MIN
    return max(0, min(count, WINDOW_ROWS_MAX))


# --- overrides, swaps, preferences -------------------------------------------------------------


class OverrideForm(forms.Form):
    person = forms.TypedChoiceField(coerce=int, empty_value=None)
    start = forms.CharField(widget=LocalInput(), label="Start (your time zone)")
    end = forms.CharField(widget=LocalInput(), label="End (your time zone)")

    def __init__(self, *args, people=(), viewer_zone: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer_zone = viewer_zone
        self.fields["person"].choices = [("", "Choose a person…"), *people]

    def _instant(self, name: str) -> datetime:
        naive = parse_local(self.cleaned_data.get(name) or "")
        if naive is None:
            raise ValidationError("Give a date and time, e.g. 2027-01-31T18:00.")
        return local_to_utc(naive, self.viewer_zone)

    def clean_start(self):
        return self._instant("start")

    def clean_end(self):
        return self._instant("end")


class SwapForm(forms.Form):
    shift = forms.TypedChoiceField(coerce=int, empty_value=None, label="Shift to give away")
    asked = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Ask someone (optional)"
    )
    note = forms.CharField(max_length=500, required=False, widget=forms.TextInput())

    def __init__(self, *args, shifts=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = [("", "Choose one of your shifts…"), *shifts]
        self.fields["asked"].choices = [("", "Anyone eligible"), *people]


class NoticeForm(forms.Form):
    shift_notice_minutes = forms.IntegerField(
        label="Tell me this many minutes before my shift starts",
        min_value=0,
        max_value=services.MAX_NOTICE_MINUTES,
    )


# --- follow the sun ----------------------------------------------------------------------------

FTS_ROWS_EXTRA = 2  # blank rows where a zone can be typed


def fts_rows(data, candidates: list[dict]) -> list[dict]:
    """The region rows of the follow-the-sun form: one per candidate region (its zone, people
    and, unbound, its default window and days; see presenters.default_regions) plus blank
    rows; from POST data when bound."""
    rows = []
    total = len(candidates) + FTS_ROWS_EXTRA
    if data is not None:
        total = max(0, min(_int(data.get("region_rows"), total), 60))
    for i in range(total):
        base = candidates[i] if i < len(candidates) else {"zone": "", "count": 0, "usernames": ""}
        if data is None:
            rows.append(
                {
                    "i": i,
                    "on": bool(base["zone"]) and base.get("on", True),
                    "zone": base["zone"],
                    "count": base["count"],
                    "region": base.get("region", ""),
                    "zones": base.get("zones", ""),
                    "start": base.get("start", "09:00"),
                    "end": base.get("end", "17:00"),
                    "days": list(base.get("days", ["0", "1", "2", "3", "4"])),
                    "participants": base["usernames"],
                }
            )
        else:
            rows.append(
                {
                    "i": i,
                    "on": bool(data.get(f"r{i}_on")),
                    "zone": (data.get(f"r{i}_zone") or "").strip(),
                    "count": base["count"],
                    "region": base.get("region", ""),
                    "zones": base.get("zones", ""),
                    "start": (data.get(f"r{i}_start") or "").strip(),
                    "end": (data.get(f"r{i}_end") or "").strip(),
                    "days": data.getlist(f"r{i}_days"),
                    "participants": data.get(f"r{i}_participants") or "",
                }
            )
    return rows


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ScheduleFilterForm(forms.Form):
    """The filters of "who is on call now" and the schedules list (GET). A bad value is shown
    as the field's error and that filter is left out; `filters()` gives the valid ones. The
    team picker is the directory's: PlainChoices + MemoSelect, a type-ahead in the browser."""

    q = forms.CharField(required=False, max_length=100, label="Schedule")
    team = team_filter_field()
    person = forms.CharField(required=False, max_length=100, label="Person")
    mine = forms.BooleanField(required=False, label="Mine only")

    def __init__(self, *args, teams: Iterable[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = PlainChoices([("", "All teams"), *teams])

    def filters(self) -> ScheduleFilter:
        """The valid filters as a selectors.ScheduleFilter (empty when the form is unbound)."""
        if not self.is_bound:
            return ScheduleFilter()
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that passed
        return ScheduleFilter(
            team=data.get("team"),
            q=data.get("q") or "",
            person=data.get("person") or "",
            mine=bool(data.get("mine")),
        )

    def query(self, **extra) -> str:
        """The valid filters as a query string (for page links): junk is not carried on."""
        f = self.filters()
        pairs = {"q": f.q, "team": f.team or "", "person": f.person, "mine": "on" if f.mine else ""}
        pairs.update(extra)
        return urlencode({k: v for k, v in pairs.items() if v})
