"""A member's personal notifications never reach a team's webhook, and a person's "webhook
off" is obeyed: one check per registered notification kind, and the real paths that leaked
(an admin's two-factor reset of a member reached the lead's team webhook)."""

from __future__ import annotations

import pytest
from django.test import Client

from core.audit import Actor
from notifications import services
from notifications.kinds import KINDS
from notifications.models import Delivery
from tests.conftest import mark_reauthenticated, sign_in
from tests.factories import ALWAYS, SYSTEM, PersonFactory, add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def hooks(team_hook):
    member = PersonFactory(username="mem", working_hours=ALWAYS)
    add_member(team_hook.team, member)
    own_hook = services.webhook_create(
        actor=Actor.system(user=member), owner=member, name="Mine", url="http://127.0.0.1:9/m"
    )
    # The member switched their webhook channel off.
    services.rule_set(actor=SYSTEM, person=member, channel="webhook", normal=False, urgent=False)
    return member, team_hook.hook, own_hook


def test_every_kind_is_registered_for_this_check():
    assert {"accounts.mfa_reset", "oncall.shift_starting", "oncall.override"} <= set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("urgency", ["normal", "urgent"])
def test_personal_notifications_reach_no_webhook(hooks, kind, urgency):
    member, team_hook, own_hook = hooks
    services.notify(
        recipients=[member], kind=kind, title="t", urgency=urgency, idempotency_key=f"{kind}:1"
    )
    assert not Delivery.objects.filter(webhook__in=[team_hook, own_hook]).exists()


def test_an_admins_mfa_reset_of_a_member_stays_private(hooks, django_capture_on_commit_callbacks):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    member, team_hook, _own = hooks
    TOTP.activate(member, generate_totp_secret())
    admin = PersonFactory(username="root", org_role="admin")
    client = mark_reauthenticated(sign_in(Client(), admin), admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/people/{member.pk}/mfa-reset/").status_code == 302
    assert Delivery.objects.filter(recipient=member, channel="in_app").exists()
    assert not Delivery.objects.filter(channel="webhook").exists()
