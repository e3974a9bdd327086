"""Dashboard, person page, profile editing and the admin-only people pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client

from core.models import AuditEvent
from teams.models import Profile, WorkingInterval
from tests.conftest import sign_in
from tests.factories import PersonFactory, TeamFactory, add_member

WEDNESDAY_10_UTC = datetime(2026, 1, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def ana(db):
    return PersonFactory(
        username="ana",
        display_name="Ana Reyes",
        time_zone="Asia/Manila",
        country="PH",
        phone="+63 555 0100",
    )


# --- dashboard --------------------------------------------------------------------------------


def test_dashboard_shows_greeting_teams_and_teammates(member, member_client, ana):
    team = TeamFactory(name="Platform")
    add_member(team, member, "lead")
    add_member(team, ana)
    # 02:00 UTC Wednesday: 10:00 in Manila (Ana works), 02:00 in London (Mia does not).
    with time_machine.travel(datetime(2026, 1, 7, 2, 0, tzinfo=UTC), tick=False):
        response = member_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Mia Member" in html
    assert "Wed 02:00" in html  # my local time (London)
    assert "Platform" in html and "2 members" in html
    assert "Ana Reyes" in html and "Wed 10:00" in html
    assert '<span class="value" id="working-count">1</span>' in html
    assert '<span class="value" id="people-count">2</span>' in html


def test_nav_shows_admin_links_only_to_admins(member, member_client, admin_client):
    html = member_client.get("/").content.decode()
    assert "Audit log" not in html and "Org settings" not in html and "Admin site" not in html
    assert 'action="/accounts/logout/"' in html and 'method="post"' in html
    assert "API tokens" in html and "Sessions" in html and "Security" in html
    assert f'href="/people/{member.pk}/">My profile' in html
    html = admin_client.get("/").content.decode()
    for link in ("/audit/", "/settings/org/", "/people/import/", "/admin/"):
        assert f'href="{link}"' in html


def test_nav_sign_out_form_carries_a_working_csrf_token(member):
    client = sign_in(Client(enforce_csrf_checks=True), member)
    html = client.get("/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/people/").status_code == 302  # signed out: back to sign-in


# --- person page --------------------------------------------------------------------------------


def test_person_page_shows_local_time_hours_and_conversion(member_client, ana):
    team = TeamFactory(name="Platform")
    add_member(team, ana, "lead")
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        response = member_client.get(f"/people/{ana.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ana Reyes" in html and "Wed 18:00" in html and "Asia/Manila" in html
    assert "UTC+08:00" in html and "PST" not in html  # an offset, not an ambiguous abbreviation
    assert "Not working" in html and "starts" in html and "Thu 09:00" in html  # their time
    assert "Thu 01:00" in html  # the same instant in London
    assert "Wed 09:00–17:00" in html  # their hours
    assert "Wed 01:00–09:00" in html  # converted to the viewer's zone
    assert "Platform" in html and "Lead" in html
    # Contact details are for the person themselves and admins only.
    assert "ana@example.com" not in html and "+63 555 0100" not in html
    assert 'id="admin-actions"' not in html


def test_person_page_contact_and_admin_actions_for_admin(admin_client, ana):
    html = admin_client.get(f"/people/{ana.pk}/").content.decode()
    assert "ana@example.com" in html and "+63 555 0100" in html
    assert 'id="admin-actions"' in html and "Deactivate" in html


def test_unknown_person_is_a_styled_404(member_client):
    response = member_client.get("/people/999999/")
    assert response.status_code == 404
    assert 'id="error-404"' in response.content.decode()


# --- profile editing -----------------------------------------------------------------------------

VALID = {
    "display_name": "Mia M.",
    "title": "Engineer",
    "phone": "+44 20 7946 0000",
    "country": "PT",
    "time_zone": "Europe/Lisbon",
    "working_hours": "mon-thu 08:00-16:00\nsat 22:00-06:00",
}


def test_profile_page_has_grouped_zone_picker_and_hours_text(member_client):
    html = member_client.get("/me/").content.decode()
    assert '<optgroup label="Portugal">' in html
    assert '<option value="Europe/London" selected>' in html
    assert "mon-fri 09:00-17:00" in html  # current hours in the text format
    assert "crosses midnight" in html  # help text


def test_profile_edit_saves_through_the_service(member, member_client):
    response = member_client.post("/me/", VALID)
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.time_zone == "Europe/Lisbon" and profile.country == "PT"
    assert profile.working_hours["sat"] == ["22:00-06:00"]
    assert profile.working_hours["fri"] == []
    assert WorkingInterval.objects.filter(profile=profile).count() == 5
    assert AuditEvent.objects.filter(action="person.update", target_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("time_zone", "Mars/Olympus_Mons", "is not a time zone we know"),
        ("working_hours", "mon 09:00-25:00", "is not a time of day"),
        ("working_hours", "funday 09:00-17:00", "start with a day"),
        ("working_hours", "mon 09:00-12:00, 11:00-13:00", "overlaps"),
        ("country", "XX", "is not an ISO 3166 country code"),
        ("display_name", "", "required"),
    ],
)
def test_profile_bad_input_shows_error_and_writes_nothing(
    member, member_client, field, value, message
):
    before = Profile.objects.get(user=member)
    intervals_before = list(
        WorkingInterval.objects.filter(profile=before).values_list("start_minute", "end_minute")
    )
    response = member_client.post("/me/", {**VALID, field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="field-{field}"' in html and "errorlist" in html
    after = Profile.objects.get(user=member)
    assert (after.time_zone, after.country, after.working_hours, after.display_name) == (
        before.time_zone,
        before.country,
        before.working_hours,
        before.display_name,
    )
    assert (
        list(
            WorkingInterval.objects.filter(profile=after).values_list("start_minute", "end_minute")
        )
        == intervals_before
    )
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_member_cannot_edit_someone_else(member_client, ana):
    assert member_client.get(f"/people/{ana.pk}/edit/").status_code == 403
    response = member_client.post(f"/people/{ana.pk}/edit/", VALID)
    assert response.status_code == 403
    assert 'id="error-403"' in response.content.decode()
    assert Profile.objects.get(user=ana).time_zone == "Asia/Manila"


def test_admin_edits_someone_else(admin_client, ana):
    assert admin_client.get(f"/people/{ana.pk}/edit/").status_code == 200
    response = admin_client.post(f"/people/{ana.pk}/edit/", VALID)
    assert response.status_code == 302 and response["Location"] == f"/people/{ana.pk}/"
    assert Profile.objects.get(user=ana).time_zone == "Europe/Lisbon"


# --- admin-only pages ---------------------------------------------------------------------------

NEW_PERSON = {
    "username": "zoe",
    "email": "zoe@example.com",
    "display_name": "Zoe Park",
    "title": "",
    "phone": "",
    "country": "KR",
    "time_zone": "Asia/Seoul",
    "working_hours": "mon-fri 10:00-19:00",
    "org_role": "member",
}


def test_member_cannot_open_person_new(member_client):
    assert member_client.get("/people/new/").status_code == 403
    assert member_client.post("/people/new/", NEW_PERSON).status_code == 403


def test_admin_creates_person_and_invites(
    admin_client, django_user_model, django_capture_on_commit_callbacks
):
    assert admin_client.get("/people/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/people/new/", NEW_PERSON)
    assert response.status_code == 302
    zoe = django_user_model.objects.get(username="zoe")
    assert zoe.profile.time_zone == "Asia/Seoul"
    assert zoe.profile.working_hours["mon"] == ["10:00-19:00"]
    assert len(mail.outbox) == 1


def test_admin_create_person_bad_input(admin_client, member, django_user_model):
    before = django_user_model.objects.count()
    response = admin_client.post(
        "/people/new/", {**NEW_PERSON, "username": "mia", "time_zone": "Nowhere/City"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a time zone we know" in html
    assert django_user_model.objects.count() == before


def test_admin_changes_role_and_deactivates(admin_client, ana):
    response = admin_client.post(f"/people/{ana.pk}/role/", {"org_role": "manager"})
    assert response.status_code == 302
    assert Profile.objects.get(user=ana).org_role == "manager"
    admin_client.post(f"/people/{ana.pk}/deactivate/")
    ana.refresh_from_db()
    assert not ana.is_active
    html = admin_client.get(f"/people/{ana.pk}/").content.decode()
    assert "Left" in html and "Reactivate" in html
    admin_client.post(f"/people/{ana.pk}/reactivate/")
    ana.refresh_from_db()
    assert ana.is_active


def test_last_admin_cannot_be_demoted_message_not_500(admin_user, admin_client):
    response = admin_client.post(f"/people/{admin_user.pk}/role/", {"org_role": "member"})
    assert response.status_code == 302
    html = admin_client.get(response["Location"]).content.decode()
    assert "at least one active admin" in html
    assert Profile.objects.get(user=admin_user).org_role == "admin"


def test_member_cannot_use_admin_actions(member_client, ana):
    assert member_client.post(f"/people/{ana.pk}/role/", {"org_role": "admin"}).status_code == 403
    assert member_client.post(f"/people/{ana.pk}/deactivate/").status_code == 403
    ana.refresh_from_db()
    assert ana.is_active and ana.profile.org_role == "member"


def test_manager_is_not_admin_for_people(db):
    manager = PersonFactory(username="max", org_role="manager")
    client = sign_in(Client(), manager)
    assert client.get("/people/new/").status_code == 403
