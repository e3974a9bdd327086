"""notify(): idempotency, rules, mutes, quiet hours (three zones, a DST change) and digests;
the inbox page, settings and webhook pages; the API with bad input and fixed query counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client

from core.audit import Actor
from notifications import services, tasks
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationRule, Webhook
from tests.conftest import sign_in
from tests.factories import ALWAYS, PersonFactory, TeamFactory, add_member

OFFICE = {
    **{day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [],
    "sun": [],
}
SYSTEM = Actor.system(via="test")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def awake(db):
    """Someone who is always working, so nothing is held for quiet hours."""
    return PersonFactory(working_hours=ALWAYS, time_zone="Europe/Lisbon", country="PT")


def _notify(person, key="k1", **kwargs):
    defaults = {"kind": "oncall.shift_starting", "title": "Your shift starts soon"}
    return services.notify(recipients=[person], idempotency_key=key, **{**defaults, **kwargs})


def _statuses(person) -> dict[str, str]:
    return {
        d.channel: d.status
        for d in Delivery.objects.filter(recipient=person, is_digest=False).order_by("id")
    }


# --- notify ----------------------------------------------------------------------------------


def test_notify_creates_notification_and_sends_in_app_and_email(
    awake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = _notify(awake, body="Shift 09:00-17:00", url="/teams/")
    assert len(result) == 1
    n = result[0]
    assert (n.recipient_id, n.kind, n.urgency, n.read_at) == (
        awake.pk,
        "oncall.shift_starting",
        "normal",
        None,
    )
    assert _statuses(awake) == {"in_app": "sent", "email": "sent"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [awake.email]
    assert "Your shift starts soon" in message.subject
    assert "http://127.0.0.1:8000/teams/" in message.body
    html = message.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/teams/"' in html
    delivery = Delivery.objects.get(recipient=awake, channel="email")
    assert message.extra_headers["Message-ID"].startswith(f"<baton-delivery-{delivery.pk}@")


def test_same_idempotency_key_notifies_once(awake, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _notify(awake, key="shift:42")
        again = _notify(awake, key="shift:42", title="changed title")
        ids_again = services.notify(
            recipients=[awake.pk, awake.pk],
            kind="oncall.shift_starting",
            title="x",
            idempotency_key="shift:42",
        )
    assert [n.pk for n in first] == [n.pk for n in again] == [n.pk for n in ids_again]
    assert Notification.objects.filter(recipient=awake).count() == 1
    assert Delivery.objects.filter(recipient=awake).count() == 2
    assert len(mail.outbox) == 1


def test_notify_many_recipients_accepts_users_and_ids(db, django_capture_on_commit_callbacks):
    people = [PersonFactory(working_hours=ALWAYS) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.notify(
            recipients=[people[0], people[1].pk, people[2]],
            kind="projects.reminder",
            title="Post your status",
            idempotency_key="status:2026-w10",
        )
    assert [n.recipient_id for n in result] == [p.pk for p in people]
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "Not A Kind"}, "kind"),
        ({"urgency": "panic"}, "urgency"),
        ({"title": "  "}, "title"),
        ({"url": "https://evil.example/"}, "url"),
        ({"key": ""}, "idempotency_key"),
    ],
)
def test_notify_refuses_bad_input(awake, kwargs, field):
    from django.core.exceptions import ValidationError

    key = kwargs.pop("key", "k")
    with pytest.raises(ValidationError) as exc:
        _notify(awake, key=key, **kwargs)
    assert field in exc.value.message_dict
    assert not Notification.objects.exists()


def test_rules_choose_channels_per_urgency(awake, django_capture_on_commit_callbacks):
    services.rule_set(actor=SYSTEM, person=awake, channel="email", normal=False, urgent=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(awake, key="n")
        _notify(awake, key="u", kind="escalation.page", title="DB down", urgency="urgent")
    assert list(
        Delivery.objects.filter(recipient=awake).values_list("channel", flat=True).order_by("id")
    ) == ["in_app", "in_app", "email"]
    assert len(mail.outbox) == 1 and "URGENT" in mail.outbox[0].subject


def test_muted_kind_is_recorded_read_but_not_sent(awake, django_capture_on_commit_callbacks):
    services.mute_add(actor=SYSTEM, person=awake, kind="chat.mention")
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = _notify(awake, kind="chat.mention", title="@you")
    assert n.muted and n.read_at is not None
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_urgent_escalations_cannot_be_muted(awake, django_capture_on_commit_callbacks):
    # escalation.page is registered unmutable by the escalations app.
    services.mute_add(actor=SYSTEM, person=awake, kind="escalation.page")
    with django_capture_on_commit_callbacks(execute=True):
        (urgent,) = services.notify(
            recipients=[awake],
            kind="escalation.page",
            title="P1",
            urgency="urgent",
            idempotency_key="p1",
        )
        (normal,) = services.notify(
            recipients=[awake], kind="escalation.page", title="FYI", idempotency_key="fyi"
        )
    assert not urgent.muted and urgent.read_at is None
    assert normal.muted
    assert len(mail.outbox) == 1


# --- quiet hours -----------------------------------------------------------------------------


# zone, then in local March or April 2026 (UTC): notify (outside local hours), notify again,
# the digest is due.
QUIET_CASES = {
    # Friday 20:00 EST; the clocks go forward on Sunday 8 March, so Monday 09:00 is EDT.
    "new-york-dst-starts": ("America/New_York", "03-07 01:00", "03-07 18:00", "03-09 13:00"),
    # Tuesday 18:00 IST (no DST, half-hour offset) -> Wednesday 09:00 IST.
    "kolkata": ("Asia/Kolkata", "03-10 12:30", "03-10 20:00", "03-11 03:30"),
    # Friday 18:00 AEDT; the clocks go back on Sunday 5 April, so Monday 09:00 is AEST.
    "sydney-dst-ends": ("Australia/Sydney", "04-03 07:00", "04-04 23:00", "04-05 23:00"),
}


@pytest.mark.parametrize("zone, first, second, due", QUIET_CASES.values(), ids=QUIET_CASES)
def test_quiet_hours_hold_normal_until_next_working_day_as_one_digest(
    db, zone, first, second, due, django_capture_on_commit_callbacks
):
    first_at, second_at, due = (
        datetime.strptime(f"2026-{at}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for at in (first, second, due)
    )
    person = PersonFactory(time_zone=zone, working_hours=OFFICE)
    with (
        time_machine.travel(first_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(person, key="a", title="First while off")
    with (
        time_machine.travel(second_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(person, key="b", title="Second while off")
        # Urgent goes out at once, quiet hours or not.
        _notify(person, key="c", kind="escalation.page", title="Urgent now", urgency="urgent")
    assert [m.subject for m in mail.outbox] == ["[Baton] URGENT: Urgent now"]
    held = Delivery.objects.filter(recipient=person, status=DeliveryStatus.HELD)
    assert held.count() == 2
    assert {d.due_at for d in held} == {due}
    # In-app is silent, so the inbox has everything at once.
    assert Delivery.objects.filter(recipient=person, channel="in_app", status="sent").count() == 3

    with (
        time_machine.travel(due.timestamp() - 60, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.release_digests() == 0
    assert len(mail.outbox) == 1

    with time_machine.travel(due, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.release_digests() == 1
    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert "2 notification(s)" in digest.subject
    assert "First while off" in digest.body and "Second while off" in digest.body
    assert not Delivery.objects.filter(status=DeliveryStatus.HELD).exists()
    assert Delivery.objects.filter(is_digest=True, status="sent").count() == 1

    # Delivered once: running the job again sends nothing more.
    with (
        time_machine.travel(due.timestamp() + 3600, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.release_digests() == 0
        tasks.sweep()
    assert len(mail.outbox) == 2


def test_working_person_gets_normal_at_once(db, django_capture_on_commit_callbacks):
    person = PersonFactory(time_zone="Asia/Kolkata", working_hours=OFFICE)
    # Wednesday 11:00 IST.
    with (
        time_machine.travel(utc(2026, 3, 11, 5, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(person)
    assert len(mail.outbox) == 1


def test_quiet_until_in_dst_gap_zone():
    # Pure: a person in New York at 08:59 EDT on the DST Monday waits one minute.
    from types import SimpleNamespace

    profile = SimpleNamespace(time_zone="America/New_York", working_hours=OFFICE)
    assert services.quiet_until(profile, at=utc(2026, 3, 9, 12, 59)) == utc(2026, 3, 9, 13, 0)
    assert services.quiet_until(profile, at=utc(2026, 3, 9, 13, 0)) is None
    assert (
        services.quiet_until(SimpleNamespace(time_zone="UTC", working_hours={}), at=utc(2026, 3, 9))
        is None
    )


# --- team webhooks fan-in --------------------------------------------------------------------


def test_team_webhook_gets_one_delivery_per_event(team_hook):
    members = [PersonFactory(working_hours=ALWAYS) for _ in range(3)]
    for m in members:
        add_member(team_hook.team, m)
    services.notify(
        recipients=members,
        kind="handoffs.note",
        title="Handoff",
        idempotency_key="handoff:1",
        team=team_hook.team,
    )
    assert Delivery.objects.filter(webhook=team_hook.hook).count() == 1


def test_team_webhook_gets_only_its_teams_events(team_hook):
    """A personal notification never reaches a team's channel; another team's event neither."""
    member = PersonFactory(working_hours=ALWAYS)
    team, other, hook = team_hook.team, TeamFactory(), team_hook.hook
    add_member(team, member)
    add_member(other, member)
    services.notify(recipients=[member], kind="accounts.mfa_reset", title="x", idempotency_key="p")
    services.notify(
        recipients=[member], kind="oncall.override", title="y", idempotency_key="o", team=other
    )
    assert not Delivery.objects.filter(webhook=hook).exists()
    services.notify(
        recipients=[member], kind="oncall.override", title="z", idempotency_key="t", team=team.pk
    )
    assert Delivery.objects.filter(webhook=hook).count() == 1


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def awake_client(awake):
    return sign_in(Client(), awake)


def test_api_list_mark_read_and_after_id(awake, awake_client):
    made = [_notify(awake, key=f"k{i}", title=f"N{i}")[0] for i in range(3)]
    other = PersonFactory(working_hours=ALWAYS)
    _notify(other, key="theirs")
    response = awake_client.get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["results"]] == [n.pk for n in reversed(made)]
    missed = awake_client.get(f"/api/v1/notifications/?after_id={made[0].pk}").json()
    assert [n["id"] for n in missed["results"]] == [made[1].pk, made[2].pk]
    assert awake_client.post(f"/api/v1/notifications/{made[0].pk}/read/").json()["read"]
    assert awake_client.get("/api/v1/notifications/bell/").json() == {
        "unread": 2,
        "latest": made[2].pk,
    }
    assert len(awake_client.get("/api/v1/notifications/?unread=true").json()["results"]) == 2
    # Someone else's notification is not found (no IDOR).
    theirs = Notification.objects.get(recipient=other)
    assert awake_client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert awake_client.post(
        "/api/v1/notifications/read-all/", {}, content_type="application/json"
    ).json() == {"updated": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_nav_bell_shows_unread_count_and_newest_id(awake, awake_client):
    html = awake_client.get("/people/").content.decode()
    assert 'data-latest-id="0"' in html and '<span class="bell-count bell-zero"' in html
    made = [_notify(awake, key=f"k{i}")[0] for i in range(3)]
    _notify(PersonFactory(working_hours=ALWAYS), key="theirs")  # not counted
    awake_client.post(f"/api/v1/notifications/{made[0].pk}/read/")
    html = awake_client.get("/people/").content.decode()
    assert f'data-latest-id="{made[2].pk}"' in html
    assert 'aria-label="unread notifications">2</span>' in html
    assert "bell-zero" not in html


def _queries_do_not_grow(client, url, person, assert_max, *, first, more, **extra):
    """`url`'s queries for 3 notifications (at most `first`) stay enough for `more` others
    (each made with extra's values, called); the answer with them all."""
    for i in range(3):
        _notify(person, key=f"a{i}")
    client.get(url)  # the first request of a session does bookkeeping (accounts.activity)
    with assert_max(first) as small:
        client.get(url)
    for i in range(more):
        _notify(person, key=f"b{i}", **{name: make() for name, make in extra.items()})
    with assert_max(len(small.captured_queries)):
        response = client.get(url)
    return response


def test_api_list_query_count_is_fixed(awake, awake_client, django_assert_max_num_queries):
    url = "/api/v1/notifications/"
    assert_max = django_assert_max_num_queries
    response = _queries_do_not_grow(awake_client, url, awake, assert_max, first=12, more=60)
    assert len(response.json()["results"]) == 50


def test_api_rules_and_unknown_channel(awake, awake_client):
    rules = awake_client.get("/api/v1/notification-rules/").json()
    assert [r["channel"] for r in rules] == ["in_app", "email", "webhook"]
    response = awake_client.post(
        "/api/v1/notification-rules/",
        {"channel": "sms", "normal": True, "urgent": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "'sms' is not a channel" in response.json()["channel"][0]
    assert not NotificationRule.objects.exists()
    response = awake_client.post(
        "/api/v1/notification-rules/",
        {"channel": "email", "normal": False, "urgent": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    email = next(r for r in response.json() if r["channel"] == "email")
    assert (email["normal"], email["urgent"], email["is_default"]) == (False, True, False)


def test_api_mutes(awake, awake_client):
    response = awake_client.post(
        "/api/v1/notification-mutes/", {"kind": "oncall.override"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert (
        awake_client.post(
            "/api/v1/notification-mutes/", {"kind": "NOT VALID"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert [m["kind"] for m in awake_client.get("/api/v1/notification-mutes/").json()] == [
        "oncall.override"
    ]
    assert awake_client.delete("/api/v1/notification-mutes/oncall.override/").status_code == 204
    assert awake_client.get("/api/v1/notification-mutes/").json() == []


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://hooks.example.com/x", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("javascript:alert(1)", "Only http:// and https://"),
        ("http://localhost:8000/hook", "not allowed"),
        ("http://127.0.0.1/hook", "private, loopback or reserved"),
        ("http://10.1.2.3/hook", "private, loopback or reserved"),
        ("http://169.254.169.254/latest/meta-data/", "private, loopback or reserved"),
        ("http://[::1]/hook", "private, loopback or reserved"),
        ("http://0.0.0.0/hook", "private, loopback or reserved"),
        ("http://user:pw@8.8.8.8/", "credentials"),
        ("not a url", "Only http:// and https://"),
    ],
)
def test_api_webhook_bad_urls_are_400_and_write_nothing(awake_client, url, message):
    response = awake_client.post(
        "/api/v1/webhooks/", {"name": "Hook", "url": url}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert message in response.json()["url"][0]
    assert not Webhook.objects.exists()


def test_api_webhook_crud_secret_shown_on_create(awake, awake_client, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    response = awake_client.post(
        "/api/v1/webhooks/",
        {"name": "Mine", "url": "http://127.0.0.1:9/in"},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    pk = created["id"]
    shown = awake_client.get(f"/api/v1/webhooks/{pk}/").json()
    assert "secret" not in shown
    assert (
        awake_client.patch(
            f"/api/v1/webhooks/{pk}/", {"url": "gopher://x"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert Webhook.objects.get(pk=pk).url == "http://127.0.0.1:9/in"
    rotated = awake_client.post(f"/api/v1/webhooks/{pk}/rotate-secret/").json()
    assert rotated["secret"] != created["secret"]
    assert awake_client.get(f"/api/v1/webhooks/{pk}/deliveries/").json() == []
    # Another person cannot see or touch it.
    stranger = sign_in(Client(), PersonFactory())
    assert stranger.get(f"/api/v1/webhooks/{pk}/").status_code == 404
    assert stranger.delete(f"/api/v1/webhooks/{pk}/").status_code == 404
    assert awake_client.delete(f"/api/v1/webhooks/{pk}/").status_code == 204


def test_team_webhook_needs_a_lead(awake, awake_client, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    team = TeamFactory()
    add_member(team, awake)
    body = {"name": "Team", "url": "http://127.0.0.1:9/t", "team": team.pk}
    response = awake_client.post("/api/v1/webhooks/", body, content_type="application/json")
    assert response.status_code == 400 and "leads" in response.json()["team"][0]
    add_member(team, awake, role="lead")
    response = awake_client.post("/api/v1/webhooks/", body, content_type="application/json")
    assert response.status_code == 201


def test_api_requires_sign_in(db):
    assert Client().get("/api/v1/notifications/").status_code in (401, 403)
    assert Client().get("/api/v1/webhooks/").status_code in (401, 403)


NOTIFICATION_PATHS = {
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/read-all/",
    "/api/v1/notification-rules/",
    "/api/v1/notification-mutes/",
    "/api/v1/webhooks/",
    "/api/v1/webhooks/{id}/",
    "/api/v1/webhooks/{id}/deliveries/",
}


def test_schema_lists_notification_endpoints(api_schema):
    assert NOTIFICATION_PATHS - set(api_schema["paths"]) == set()


# --- pages -----------------------------------------------------------------------------------


def test_inbox_page_filters_and_marks_read(awake, awake_client):
    a = _notify(awake, key="a", title="Alpha", kind="chat.mention")[0]
    _notify(awake, key="b", title="Bravo", kind="handoffs.note")
    page = awake_client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alpha" in html and "Bravo" in html
    assert 'data-unread-count aria-label="unread notifications">2<' in html
    only = awake_client.get("/notifications/?kind=chat.mention").content.decode()
    assert "Alpha" in only and "Bravo" not in only
    response = awake_client.post(f"/notifications/{a.pk}/read/")
    assert response.status_code == 302
    unread = awake_client.get("/notifications/?unread=on").content.decode()
    assert "Alpha" not in unread and "Bravo" in unread
    awake_client.post("/notifications/read-all/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_open_marks_read_and_follows_only_local_links(awake, awake_client):
    n = _notify(awake, url="/teams/")[0]
    response = awake_client.get(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/teams/"
    assert Notification.objects.get(pk=n.pk).read_at is not None
    other = _notify(PersonFactory(working_hours=ALWAYS), key="x")[0]
    assert awake_client.get(f"/notifications/{other.pk}/open/").status_code == 404


def test_inbox_query_count_is_fixed(awake, awake_client, django_assert_max_num_queries):
    # Each from someone else: their names are read without a query each.
    response = _queries_do_not_grow(
        awake_client,
        "/notifications/",
        awake,
        django_assert_max_num_queries,
        first=30,
        more=80,
        actor=PersonFactory,
    )
    assert response.status_code == 200


def test_settings_page_saves_rules_mutes_and_tests(
    awake, awake_client, django_capture_on_commit_callbacks
):
    assert awake_client.get("/notifications/settings/").status_code == 200
    response = awake_client.post(
        "/notifications/settings/",
        {
            "in_app__normal": "on",
            "in_app__urgent": "on",
            "email__urgent": "on",
        },
    )
    assert response.status_code == 302
    email = NotificationRule.objects.get(person=awake, channel="email")
    assert (email.normal, email.urgent) == (False, True)
    assert (
        awake_client.post("/notifications/settings/mutes/", {"kind": "Bad Kind"}).status_code == 400
    )
    assert (
        awake_client.post("/notifications/settings/mutes/", {"kind": "oncall.override"}).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = awake_client.post("/notifications/settings/test/email/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "Test notification" in mail.outbox[0].subject
    response = awake_client.post("/notifications/settings/test/sms/", follow=True)
    assert "is not a channel" in response.content.decode()
    response = awake_client.post("/notifications/settings/test/webhook/", follow=True)
    assert "Add an active webhook first" in response.content.decode()


def test_webhook_pages(awake, awake_client, settings):
    response = awake_client.post(
        "/notifications/webhooks/", {"name": "Mine", "url": "http://10.0.0.5/x"}
    )
    assert response.status_code == 400
    assert "private, loopback or reserved" in response.content.decode()
    assert not Webhook.objects.exists()
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    response = awake_client.post(
        "/notifications/webhooks/", {"name": "Mine", "url": "http://127.0.0.1:9/x"}
    )
    assert response.status_code == 302
    hook = Webhook.objects.get()
    detail = awake_client.get(f"/notifications/webhooks/{hook.pk}/").content.decode()
    assert hook.signing_secret in detail and hook.secret not in detail
    assert awake_client.get("/notifications/webhooks/").status_code == 200
    stranger = sign_in(Client(), PersonFactory())
    assert stranger.get(f"/notifications/webhooks/{hook.pk}/").status_code == 404
    response = awake_client.post(
        f"/notifications/webhooks/{hook.pk}/action/", {"action": "disable"}
    )
    assert response.status_code == 302 and not Webhook.objects.get().active


def test_pages_require_sign_in(db):
    for url in ("/notifications/", "/notifications/settings/", "/notifications/webhooks/"):
        response = Client().get(url)
        assert response.status_code in (302, 401, 403), url


def test_api_tokens_need_the_notifications_scope(awake):
    from accounts.services import api_token_create

    _, read_only = api_token_create(
        actor=SYSTEM, user=awake, name="r", scopes=["notifications:read"]
    )
    _, people = api_token_create(actor=SYSTEM, user=awake, name="p", scopes=["people:read"])
    client = Client()
    n = _notify(awake)[0]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {read_only}"}
    assert client.get("/api/v1/notifications/", **auth).status_code == 200
    assert client.post(f"/api/v1/notifications/{n.pk}/read/", **auth).status_code == 403
    other = {"HTTP_AUTHORIZATION": f"Bearer {people}"}
    assert client.get("/api/v1/notifications/", **other).status_code == 403
    assert client.get("/api/v1/webhooks/", **other).status_code == 403


def test_notify_interface_is_keyword_only_and_stable():
    import inspect

    params = inspect.signature(services.notify).parameters
    assert list(params) == [
        "recipients",
        "kind",
        "title",
        "body",
        "url",
        "urgency",
        "idempotency_key",
        "actor",
        "team",
    ]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert params["urgency"].default == "normal" and params["actor"].default is None
    assert params["team"].default is None  # personal unless addressed to a team


def test_held_digest_is_skipped_for_someone_who_left(db, django_capture_on_commit_callbacks):
    from teams import services as team_services

    person = PersonFactory(time_zone="Asia/Kolkata", working_hours=OFFICE)
    night = utc(2026, 3, 10, 20, 0)  # Wednesday 01:30 IST
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        _notify(person)
        team_services.person_deactivate(actor=SYSTEM, person=person)
    with (
        time_machine.travel(utc(2026, 3, 11, 3, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.release_digests() == 1
    assert Delivery.objects.get(is_digest=True).status == DeliveryStatus.SKIPPED
    assert mail.outbox == [] or all("notification(s)" not in m.subject for m in mail.outbox)


def test_held_mail_follows_a_change_of_hours_or_zone(db, django_capture_on_commit_callbacks):
    from teams.services import person_update

    person = PersonFactory(time_zone="America/New_York", working_hours=OFFICE)
    wednesday_20_ny = utc(2026, 1, 8, 1, 0)  # Wednesday 20:00 in New York: off
    with (
        time_machine.travel(wednesday_20_ny, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(person, key="late")
    held = Delivery.objects.get(recipient=person, status=DeliveryStatus.HELD)
    assert held.due_at == utc(2026, 1, 8, 14, 0)  # Thursday 09:00 in New York

    with time_machine.travel(wednesday_20_ny, tick=False):
        # Moved to Tokyo: it is Thursday 10:00 there, a working hour: due now.
        person_update(actor=SYSTEM, person=person, time_zone="Asia/Tokyo")
    held.refresh_from_db()
    assert held.due_at == wednesday_20_ny
    with (
        time_machine.travel(wednesday_20_ny, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.release_digests() == 1
    assert len(mail.outbox) == 1


def test_held_mail_waits_for_new_later_hours(db, django_capture_on_commit_callbacks):
    from teams.services import person_update

    person = PersonFactory(time_zone="Europe/Lisbon", working_hours=OFFICE)
    with (
        time_machine.travel(utc(2026, 1, 7, 22, 30), tick=False),  # Wednesday 22:30 Lisbon
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify(person, key="late")
        held = Delivery.objects.get(recipient=person, status=DeliveryStatus.HELD)
        assert held.due_at == utc(2026, 1, 8, 9, 0)
        person_update(
            actor=SYSTEM,
            person=person,
            working_hours={d: ["15:00-22:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
        )
    held.refresh_from_db()
    assert held.due_at == utc(2026, 1, 8, 15, 0)  # Thursday 15:00 in Lisbon (UTC+0)
    with time_machine.travel(utc(2026, 1, 8, 9, 0), tick=False):
        assert tasks.release_digests() == 0  # not at the old time
