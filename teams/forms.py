"""HTML forms for the people and team pages. They shape input; the rules are
teams.validation's, which each form applies in its clean_<field> (so a page shows the same
message as the API and the CSV import), and the services apply again before they write;
their ValidationError dicts are mapped back onto the form (core.forms.apply_errors).

The fields carry no rule of their own (no max_length, no EmailField): Django's would answer
first, in other words. Widgets still give the browser the limits (maxlength, type=email)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django import forms

from core.forms import team_filter_field, zone_choices
from core.widgets import FastSelect, MemoSelect, PlainChoices
from core.zones import country_choices

from . import hours as hours_math
from . import validation
from .models import Clock, MfaPolicy, OrgRole, Team, TeamRole

WORKING_HOURS_HELP = (
    "One line per day or range of days, in your local time: "
    "“mon-fri 09:00-17:00”, “mon 09:00-12:00, 13:00-17:00”. "
    "An interval that ends before it starts crosses midnight: “sat 22:00-06:00”. "
    "Leave empty if you keep no regular hours."
)


def _rule(field: str, clean=None):
    """A form's clean_<field> applying teams.validation's rule for `field` (field_rule)."""
    check = validation.field_rule(field, clean)

    def clean_field(self):
        return check(self.cleaned_data.get(field))

    return clean_field


def _text_input(limit: int, widget: type[forms.Widget] = forms.TextInput) -> forms.Widget:
    return widget(attrs={"maxlength": limit})


class ProfileForm(forms.Form):
    display_name = forms.CharField(widget=_text_input(validation.DISPLAY_NAME_MAX))
    title = forms.CharField(required=False, widget=_text_input(validation.TITLE_MAX))
    phone = forms.CharField(required=False, widget=_text_input(validation.PHONE_MAX))
    # CharFields with a <select> (not ChoiceFields): the rules below answer with clearer
    # messages (a mistyped zone gets the nearest one), and keep an older zone alias valid.
    country = forms.CharField(widget=FastSelect)
    time_zone = forms.CharField(widget=MemoSelect, label="Time zone")
    working_hours = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=WORKING_HOURS_HELP,
    )
    # Not required: a form posted without it (an older page, a script) keeps the setting.
    clock = forms.ChoiceField(
        choices=Clock.choices,
        initial=Clock.H24,
        required=False,
        label="Clock",
        help_text="How Baton writes times for you, on pages and in notifications.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].widget.choices = [("", "Choose a country…"), *country_choices()]
        current = self.data.get("time_zone") if self.is_bound else self.initial.get("time_zone")
        self.fields["time_zone"].widget.choices = zone_choices(current or "")

    clean_display_name = _rule("display_name")
    clean_title = _rule("title")
    clean_phone = _rule("phone")
    clean_country = _rule("country")
    clean_time_zone = _rule("time_zone")
    # The text form of working hours ("mon-fri 09:00-17:00", one line per day or range).
    clean_working_hours = _rule("working_hours", validation.clean_working_hours_text)

    @staticmethod
    def initial_for(profile) -> dict:
        return {
            "display_name": profile.display_name,
            "title": profile.title,
            "phone": profile.phone,
            "country": profile.country,
            "time_zone": profile.time_zone,
            "working_hours": hours_math.to_text(profile.working_hours or {}),
            "clock": profile.clock,
        }


class PersonCreateForm(ProfileForm):
    username = forms.CharField(widget=_text_input(validation.USERNAME_MAX))
    email = forms.CharField(widget=_text_input(validation.EMAIL_MAX, forms.EmailInput))
    org_role = forms.ChoiceField(choices=OrgRole.choices, initial=OrgRole.MEMBER, label="Org role")

    field_order = ["username", "email", "display_name", "title", "phone", "org_role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("working_hours", "mon-fri 09:00-17:00")

    clean_username = _rule("username")
    clean_email = _rule("email")


class OrgRoleForm(forms.Form):
    org_role = forms.ChoiceField(choices=OrgRole.choices, label="Org role")


class TeamForm(forms.Form):
    name = forms.CharField(widget=_text_input(validation.TEAM_NAME_MAX))
    parent = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="(top level)"
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, exclude_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if exclude_pk is not None:
            self.fields["parent"].queryset = Team.objects.exclude(pk=exclude_pk).order_by("name")

    clean_name = _rule("name", validation.clean_team_name)


class MemberAddForm(forms.Form):
    # Finds someone (the view looks the username up): not a new username, so no rule here.
    username = forms.CharField(max_length=validation.USERNAME_MAX, label="Username")
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
    team = team_filter_field()  # a type-ahead box in front of the 1,500 options
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
