"""One set of rules for people and teams (teams.validation): the same bad value gets the same
message from the service, the page form, the API and the CSV import, and the length limits
are the model fields' own."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from teams import services, validation
from teams.forms import PersonCreateForm, ProfileForm, TeamForm
from teams.importing import ImportRowsInvalid, import_people_csv, import_teams_csv
from teams.models import Membership, Profile, Team
from tests.factories import SYSTEM, PersonFactory

User = get_user_model()

VALID = {
    "username": "nadia",
    "email": "nadia@example.com",
    "display_name": "Nadia Haddad",
    "title": "Engineer",
    "phone": "+44 20 7946 0000",
    "time_zone": "Europe/London",
    "country": "GB",
    "org_role": "member",
}
VALID_HOURS_TEXT = "mon-fri 09:00-17:00"

# (field, bad value, the one message every way in answers with)
BAD_PERSON_VALUES = [
    ("email", "a@", "'a@' is not a valid email address."),
    ("email", "x@@y", "'x@@y' is not a valid email address."),
    ("phone", "1" * 41, "A phone number has at most 40 characters."),
    ("title", "t" * 151, "A title has at most 150 characters."),
    (
        "time_zone",
        "Europe/Londn",
        "'Europe/Londn' is not a time zone we know. Did you mean Europe/London?",
    ),
    ("username", "bad name!", "'bad name!' may only have letters, digits and @ . + - _."),
    ("display_name", "d" * 151, "A display name has at most 150 characters."),
    ("country", "XX", "'XX' is not an ISO 3166 country code (e.g. GB, BR, IN)."),
]
PROFILE_FIELDS = {"phone", "title", "time_zone", "display_name", "country"}
IDS = [f"{field}={value[:12]}" for field, value, _ in BAD_PERSON_VALUES]


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


# --- the limits are the model's -------------------------------------------------------------


def test_lengths_are_the_model_fields():
    def model_max(model, name):
        return model._meta.get_field(name).max_length

    assert validation.USERNAME_MAX == model_max(User, "username")
    assert validation.EMAIL_MAX == model_max(User, "email")
    assert validation.DISPLAY_NAME_MAX == model_max(Profile, "display_name")
    assert validation.TITLE_MAX == model_max(Profile, "title")
    assert validation.PHONE_MAX == model_max(Profile, "phone") == 40
    assert validation.TEAM_NAME_MAX == model_max(Team, "name")
    assert validation.TEAM_SLUG_MAX == model_max(Team, "slug")
    # The forms tell the browser the same limits, and have no length rule of their own.
    form = PersonCreateForm()
    for name, limit in (
        ("username", validation.USERNAME_MAX),
        ("email", validation.EMAIL_MAX),
        ("display_name", validation.DISPLAY_NAME_MAX),
        ("title", validation.TITLE_MAX),
        ("phone", validation.PHONE_MAX),
    ):
        assert form.fields[name].widget.attrs["maxlength"] == limit
        assert form.fields[name].max_length is None
    assert TeamForm().fields["name"].widget.attrs["maxlength"] == validation.TEAM_NAME_MAX


def test_values_at_the_limit_are_accepted(db):
    person = services.person_create(
        actor=SYSTEM,
        **{**VALID, "phone": "1" * validation.PHONE_MAX, "title": "t" * validation.TITLE_MAX},
        send_invite=False,
    )
    assert len(person.profile.phone) == validation.PHONE_MAX
    assert len(person.profile.title) == validation.TITLE_MAX


# --- the same message on every way in -------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_VALUES, ids=IDS)
def test_the_rule_itself(field, value, message):
    cleaned, errors = validation.clean_person({**VALID, field: value})
    assert errors == {field: message}
    cleaner = getattr(validation, f"clean_{field}")
    with pytest.raises(ValidationError) as caught:
        cleaner(value)
    assert caught.value.message_dict == {field: [message]}


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_VALUES, ids=IDS)
def test_service(db, field, value, message):
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=SYSTEM, **{**VALID, field: value}, send_invite=False)
    assert caught.value.message_dict == {field: [message]}
    assert not User.objects.filter(username=VALID["username"]).exists()
    if field in PROFILE_FIELDS:  # an update: refused, never cut to fit
        person = PersonFactory()
        before = Profile.objects.values().get(user=person)
        with pytest.raises(ValidationError) as caught:
            services.person_update(actor=SYSTEM, person=person, **{field: value})
        assert caught.value.message_dict == {field: [message]}
        assert Profile.objects.values().get(user=person) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_VALUES, ids=IDS)
def test_page_form(admin_client, field, value, message):
    data = {**VALID, "working_hours": VALID_HOURS_TEXT, field: value}
    form = PersonCreateForm(data)
    assert not form.is_valid()
    assert form.errors == {field: [message]}
    if field in PROFILE_FIELDS:
        profile_form = ProfileForm(data)
        assert not profile_form.is_valid()
        assert profile_form.errors == {field: [message]}
    # And on the page itself.
    response = admin_client.post("/people/new/", data)
    assert response.status_code == 400
    assert html.escape(message) in response.content.decode()
    assert not User.objects.filter(username=VALID["username"]).exists()


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_VALUES, ids=IDS)
def test_api(admin_client, member_client, member, field, value, message):
    response = admin_client.post(
        "/api/v1/people/", {**VALID, field: value}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not User.objects.filter(username=VALID["username"]).exists()
    if field in PROFILE_FIELDS:
        response = member_client.patch(
            "/api/v1/me/", {field: value}, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json() == {field: [message]}


@pytest.mark.parametrize(("field", "value", "message"), BAD_PERSON_VALUES, ids=IDS)
def test_csv_import(db, field, value, message):
    good = {**VALID, "username": "ok.one", "email": "ok.one@example.com"}
    data = _csv([good, {**VALID, field: value}])
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(actor=SYSTEM, data=data)
    assert [(e.line, e.column, e.message) for e in caught.value.row_errors] == [(3, field, message)]
    assert caught.value.message_dict["rows"] == [f"line 3, {field}: {message}"]
    assert not User.objects.filter(username="ok.one").exists()


def test_email_is_normalised_lower_case_everywhere(db, admin_client):
    person = services.person_create(
        actor=SYSTEM, **{**VALID, "email": " Nadia@Example.COM "}, send_invite=False
    )
    assert person.email == "nadia@example.com"
    form = PersonCreateForm({**VALID, "email": "Ana@Example.com", "username": "ana"})
    assert form.is_valid() and form.cleaned_data["email"] == "ana@example.com"
    # Taken, whatever the case, with the same message from the service and the import.
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            actor=SYSTEM, **{**VALID, "username": "other", "email": "NADIA@example.com"}
        )
    taken = "The email 'nadia@example.com' is already in use."
    assert caught.value.message_dict == {"email": [taken]}
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(
            actor=SYSTEM, data=_csv([{**VALID, "username": "other", "email": "Nadia@Example.com"}])
        )
    assert [e.message for e in caught.value.row_errors] == [taken]


# --- teams ------------------------------------------------------------------------------------

BAD_TEAM_VALUES = [
    ("name", "n" * 121, "A team name has at most 120 characters."),
    (
        "slug",
        "Bad Slug!",
        "'Bad Slug!' is not a slug: use lowercase letters, digits and hyphens (e.g. 'bad-slug').",
    ),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_TEAM_VALUES)
def test_team_rules_are_the_same_everywhere(admin_client, field, value, message):
    good = {"name": "Platform", "slug": "platform"}
    with pytest.raises(ValidationError) as caught:
        services.team_create(actor=SYSTEM, **{**good, field: value})
    assert caught.value.message_dict == {field: [message]}

    response = admin_client.post(
        "/api/v1/teams/", {**good, field: value}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json() == {field: [message]}

    with pytest.raises(ImportRowsInvalid) as caught:
        import_teams_csv(actor=SYSTEM, data=_csv([{**good, field: value}]))
    assert [(e.column, e.message) for e in caught.value.row_errors] == [(field, message)]

    if field == "name":
        form = TeamForm({"name": value})
        assert not form.is_valid() and form.errors == {field: [message]}
    assert not Team.objects.exists()


def test_team_role_message_is_the_rule(db):
    team = services.team_create(actor=SYSTEM, name="Platform")
    person = PersonFactory()
    message = "'owner' is not a team role (member, lead)."
    with pytest.raises(ValidationError) as caught:
        services.membership_set(actor=SYSTEM, team=team, person=person, role="owner")
    assert caught.value.message_dict == {"role": [message]}
    row = {**VALID, "teams": "platform:owner"}
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(actor=SYSTEM, data=_csv([row]))
    assert [(e.column, e.message) for e in caught.value.row_errors] == [
        ("teams", f"Team 'platform': {message}")
    ]
    assert not Membership.objects.exists()


def test_long_choices_and_unsluggable_slugs_read_as_core_validation_words_them():
    """teams' rules are core.validation's shapes: a long wrong choice is quoted cut short, and
    a slug with nothing sluggable in it gets the generic example."""
    with pytest.raises(ValidationError) as caught:
        validation.clean_team_role("x" * 30)
    assert caught.value.message_dict == {
        "role": [f"'{'x' * 17}...' is not a team role (member, lead)."]
    }
    with pytest.raises(ValidationError) as caught:
        validation.clean_team_slug("!!!")
    assert caught.value.message_dict == {
        "slug": ["'!!!' is not a slug: use lowercase letters, digits and hyphens (e.g. 'my-slug')."]
    }
    # teams' own wording where core would say "... is required."
    for rule, field, message in (
        (validation.clean_team_name, "name", "A team needs a name."),
        (validation.clean_email, "email", "A valid email address is required."),
    ):
        with pytest.raises(ValidationError) as caught:
            rule("  ")
        assert caught.value.message_dict == {field: [message]}
