"""HTML forms for the people and team pages. They only shape input; the services validate
and write, and their ValidationError dicts are mapped back onto the form
(core.forms.apply_errors)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError

from core.forms import zone_choices
from core.widgets import FastSelect, MemoSelect, PlainChoices
from core.zones import country_choices

from . import hours as hours_math
from .models import MfaPolicy, OrgRole, Team, TeamRole

WORKING_HOURS_HELP = (
    "One line per day or range of days, in your local time: "
    "“mon-fri 09:00-17:00”, “mon 09:00-12:00, 13:00-17:00”. "
    "An interval that ends before it starts crosses midnight: “sat 22:00-06:00”. "
    "Leave empty if you keep no regular hours."
)


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=150)
    title = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=40, required=False)
    country = forms.ChoiceField(widget=FastSelect)
    # A CharField (not ChoiceField): the service validates the zone with a clearer message.
    time_zone = forms.CharField(max_length=64, widget=FastSelect, label="Time zone")
    working_hours = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=WORKING_HOURS_HELP,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country…"), *country_choices()]
        current = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        self.fields["time_zone"].widget.choices = zone_choices(current or "")

    def clean_working_hours(self) -> dict[str, list[str]]:
        try:
            return hours_math.parse_text(self.cleaned_data.get("working_hours") or "")
        except hours_math.WorkingHoursError as exc:
            raise ValidationError(str(exc)) from exc

    @staticmethod
    def initial_for(profile) -> dict:
        return {
            "display_name": profile.display_name,
            "title": profile.title,
            "phone": profile.phone,
            "country": profile.country,
            "time_zone": profile.time_zone,
            "working_hours": hours_math.to_text(profile.working_hours or {}),
        }


class PersonCreateForm(ProfileForm):
    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    org_role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label="Org role")

    field_order = ["username", "email", "display_name", "title", "phone", "org_role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("working_hours", "mon-fri 09:00-17:00")


class OrgRoleForm(forms.Form):
    org_role = forms.ChoiceField(choices=OrgRole.choices, label="Org role")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    parent = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="(top level)"
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, exclude_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_pk is not None:
            self.fields["parent"].queryset = Team.objects.exclude(pk=exclude_pk).order_by("name")


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, label="Username")
    role = forms.ChoiceField(choices=TeamRole.choices, initial=TeamRole.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=TeamRole.choices)


class OrgSettingsForm(forms.Form):
    mfa_required_for = forms.ChoiceField(
        choices=MfaPolicy.choices,
        widget=forms.RadioSelect,
        label="Two-factor authentication is required for",
    )


class DirectoryFilterForm(forms.Form):
    """The directory's filters. `teams` are (id, name) pairs in display order; the pickers are
    PlainChoices + MemoSelect because a big org has 1,500 teams, which Django would otherwise
    normalise and render option by option on every request."""

    q = forms.CharField(required=False, label="Search", max_length=100)
    # data-typeahead: static/js/baton.js puts a type-ahead box in front of the 1,500 options.
    team = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=MemoSelect(attrs={"data-typeahead": ""}),
    )
    country = forms.ChoiceField(required=False, widget=MemoSelect)
    working_now = forms.BooleanField(required=False, label="Working now")
    # Admins only (the view ignores it for anyone else): who still needs an invitation.
    not_signed_in = forms.BooleanField(required=False, label="Not signed in yet")

    def __init__(self, *args, teams: Iterable[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = PlainChoices([("", "All teams"), *teams])
        self.fields["country"].choices = PlainChoices(_country_filter_choices())


@lru_cache(maxsize=1)
def _country_filter_choices() -> tuple[tuple[str, str], ...]:
    return (("", "All countries"), *country_choices())


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.CharField(required=False, max_length=150, label="Actor (username)")
    target_type = forms.CharField(required=False, max_length=64, label="Target type")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
