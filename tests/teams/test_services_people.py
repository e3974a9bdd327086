"""People and team services: validation writes nothing, every write is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from teams import services
from teams.models import Membership, Profile, Team, WorkingInterval
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member

User = get_user_model()


def _create(**overrides):
    values = {
        "actor": SYSTEM,
        "username": "ana",
        "email": "ana@example.com",
        "display_name": "Ana Reyes",
        "time_zone": "Asia/Manila",
        "country": "PH",
        "working_hours": {"mon": ["09:00-17:00"]},
        "send_invite": False,
    }
    values.update(overrides)
    return services.person_create(**values)


@pytest.mark.django_db
def test_create_person_stores_profile_and_intervals():
    user = _create(working_hours={"fri": ["22:00-06:00"], "sun": ["22:00-06:00"]})
    profile = user.profile
    assert profile.time_zone == "Asia/Manila" and profile.country == "PH"
    spans = sorted(
        WorkingInterval.objects.filter(profile=profile).values_list("start_minute", "end_minute")
    )
    # Friday night into Saturday; Sunday night wraps into Monday morning.
    assert spans == [(0, 360), (4 * 1440 + 1320, 5 * 1440 + 360), (6 * 1440 + 1320, 10080)]
    assert AuditEvent.objects.filter(action="person.create", target_id=str(user.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": ""}, "time_zone"),
        ({"country": "XX"}, "country"),
        ({"working_hours": {"mon": ["9-5"]}}, "working_hours"),
        ({"working_hours": {"mon": ["09:00-12:00", "10:00-11:00"]}}, "working_hours"),
        ({"org_role": "owner"}, "org_role"),
        ({"email": "not-an-email"}, "email"),
        ({"username": ""}, "username"),
        ({"display_name": "  "}, "display_name"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        _create(**overrides)
    assert field in excinfo.value.message_dict
    assert not User.objects.exists() and not Profile.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_duplicate_username_is_refused_case_insensitively():
    _create()
    with pytest.raises(ValidationError) as excinfo:
        _create(username="ANA", email="other@example.com")
    assert "already taken" in excinfo.value.message_dict["username"][0]
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_update_working_hours_rewrites_intervals_and_audits_changes():
    user = _create()
    services.person_update(actor=SYSTEM, person=user, working_hours={"tue": ["08:00-10:00"]})
    spans = list(
        WorkingInterval.objects.filter(profile__user=user).values_list("start_minute", "end_minute")
    )
    assert spans == [(1440 + 480, 1440 + 600)]
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.changes["working_hours"]["to"]["tue"] == ["08:00-10:00"]


@pytest.mark.django_db
def test_update_rejects_bad_zone_and_keeps_old_values():
    user = _create()
    with pytest.raises(ValidationError):
        services.person_update(
            actor=SYSTEM, person=user, time_zone="Nowhere/Land", display_name="New"
        )
    user.profile.refresh_from_db()
    assert user.profile.time_zone == "Asia/Manila" and user.profile.display_name == "Ana Reyes"


@pytest.mark.django_db
def test_admin_flags_follow_org_role_and_last_admin_is_kept():
    admin = PersonFactory(org_role="admin")
    assert admin.is_staff and admin.is_superuser
    with pytest.raises(ValidationError):
        services.person_set_org_role(actor=SYSTEM, person=admin, org_role="member")
    second = PersonFactory(org_role="member")
    services.person_set_org_role(actor=SYSTEM, person=second, org_role="admin")
    services.person_set_org_role(actor=SYSTEM, person=admin, org_role="member")
    admin.refresh_from_db()
    assert not admin.is_staff and not admin.is_superuser


@pytest.mark.django_db
def test_team_tree_refuses_cycles():
    root = TeamFactory(name="Engineering")
    child = TeamFactory(name="Platform", parent=root)
    grandchild = TeamFactory(name="Databases", parent=child)
    with pytest.raises(ValidationError) as excinfo:
        services.team_update(actor=SYSTEM, team=root, parent=grandchild)
    assert "parent" in excinfo.value.message_dict
    root.refresh_from_db()
    assert root.parent is None


@pytest.mark.django_db
def test_team_slugs_are_unique():
    first = TeamFactory(name="Support")
    second = TeamFactory(name="Support")
    assert first.slug == "support" and second.slug == "support-2"
    with pytest.raises(ValidationError):
        services.team_create(actor=SYSTEM, name="Other", slug="support")
    assert Team.objects.count() == 2


@pytest.mark.django_db
def test_memberships_add_change_remove():
    team = TeamFactory()
    person = PersonFactory()
    add_member(team, person)
    add_member(team, person, role="lead")
    assert Membership.objects.get(team=team, person=person).role == "lead"
    with pytest.raises(ValidationError):
        services.membership_set(actor=SYSTEM, team=team, person=person, role="boss")
    services.membership_remove(actor=SYSTEM, team=team, person=person)
    assert not Membership.objects.exists()
    with pytest.raises(ValidationError):
        services.membership_remove(actor=SYSTEM, team=team, person=person)
    actions = list(
        AuditEvent.objects.filter(target_type="teams.team").values_list("action", flat=True)
    )
    assert {"membership.add", "membership.role", "membership.remove"} <= set(actions)


@pytest.mark.django_db
def test_invitation_email_links_to_password_choice(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = _create(send_invite=True)
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert user.username in mailoutbox[0].body


@pytest.mark.django_db
def test_nobody_deactivates_themselves():
    from core.audit import Actor

    admin = PersonFactory(org_role="admin")
    PersonFactory(org_role="admin")
    with pytest.raises(ValidationError):
        services.person_deactivate(actor=Actor(user=admin, via="test"), person=admin)
    admin.refresh_from_db()
    assert admin.is_active
