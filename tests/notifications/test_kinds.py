"""Notification kinds: each app registers its own (with a label and an explicit unmutable
flag); people see labels, never codes, and can mute only registered, mutable kinds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from core.audit import Actor
from notifications import kinds, services
from notifications.models import KindMute
from tests.conftest import sign_in
from tests.factories import ALWAYS, PersonFactory

SYSTEM = Actor.system(via="test")
BUILT = {
    "oncall.shift_starting",
    "oncall.shift_ending",
    "oncall.override",
    "accounts.mfa_reset",
    "notifications.webhook_disabled",
    "notifications.test",
    "projects.ownership",
    "projects.update",
    "projects.update_due",
    "projects.transfer",
    "projects.acting",
    "projects.orphaned",
    "handoffs.received",
    "handoffs.acknowledged",
    "handoffs.item_handed_back",
    "handoffs.follow_up",
    "handoffs.reminder",
    "handoffs.escalated",
    "handoffs.prompt",
    "chat.mention",
}
# Registered unmutable: being paged cannot be muted (escalations/apps.py).
UNMUTABLE = {"escalation.page", "escalation.unacknowledged"}
REGISTERED = BUILT | UNMUTABLE
UNBUILT_PREFIXES = ("escalations.",)


@pytest.fixture
def person(db):
    return PersonFactory(working_hours=ALWAYS, time_zone="Europe/Lisbon", country="PT")


@pytest.fixture
def person_client(person):
    return sign_in(Client(), person)


@pytest.fixture
def page_kind():
    """An unmutable kind, as the escalations app will register for its pages."""
    kinds.register_kind("tests.page", "Urgent test pages", unmutable=True)
    yield "tests.page"
    kinds.unregister_kind("tests.page")


def _options(html: str, select_id: str) -> dict[str, str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, select_id
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)))


# --- the registry ----------------------------------------------------------------------------


def test_only_the_kinds_of_built_apps_are_registered():
    assert set(kinds.KINDS) == REGISTERED
    assert set(kinds.KIND_LABELS) == REGISTERED
    assert not [k for k in kinds.KINDS if k.startswith(UNBUILT_PREFIXES)]
    assert {name for name, k in kinds.KINDS.items() if k.unmutable} == UNMUTABLE


def test_register_kind_is_idempotent_and_refuses_conflicts():
    kinds.register_kind("tests.thing", "A thing")
    try:
        kinds.register_kind("tests.thing", "A thing")  # an app's ready() running twice
        with pytest.raises(ImproperlyConfigured):
            kinds.register_kind("tests.thing", "Another label")
        with pytest.raises(ImproperlyConfigured):
            kinds.register_kind("tests.thing", "A thing", unmutable=True)
        with pytest.raises(ImproperlyConfigured):
            kinds.register_kind("Not A Kind", "Bad")
    finally:
        kinds.unregister_kind("tests.thing")


def test_unmutable_follows_the_flag_not_the_name(page_kind):
    assert kinds.is_unmutable(page_kind, "urgent")
    assert not kinds.is_unmutable(page_kind, "normal")
    # The old rule keyed on the "escalation." prefix; an unregistered kind is mutable.
    assert not kinds.is_unmutable("escalation.made_up", "urgent")
    assert page_kind not in dict(kinds.mutable_choices())


def test_labels_for_unregistered_kinds_are_readable():
    assert kinds.label("oncall.shift_starting") == "My on-call shift is starting"
    assert kinds.label("future.mention") == "Future: mention"
    assert kinds.label("handoffs.note_due") == "Handoffs: note due"


# --- pages -----------------------------------------------------------------------------------


def test_settings_page_offers_labels_not_codes(person_client):
    html = person_client.get("/notifications/settings/").content.decode()
    options = _options(html, "id_kind")
    assert options.pop("") == "Choose…"
    assert options == {k: kinds.label(k) for k in BUILT}
    # A select of labels, not a text box (or datalist) of codes.
    assert 'list="known-kinds"' not in html and '<input type="text" name="kind"' not in html
    assert "oncall.shift_starting</" not in html and "<code>" not in html


def test_inbox_filter_lists_labels_of_registered_and_received_kinds(person, person_client):
    services.notify(
        recipients=[person], kind="future.mention", title="@you", idempotency_key="old-kind"
    )
    html = person_client.get("/notifications/").content.decode()
    options = _options(html, "id_kind")
    assert options.pop("") == "All types"
    assert options == {
        **{k: kinds.label(k) for k in REGISTERED},
        "future.mention": "Future: mention",
    }
    assert not [k for k in options if k.startswith("escalations.")]
    # Filtering by a kind names it by its label.
    filtered = person_client.get("/notifications/", {"kind": "future.mention"}).content.decode()
    assert "Mark all “Future: mention” read" in filtered
    assert "@you" in filtered


def test_muting_by_choosing_a_label(person, person_client):
    response = person_client.post(
        reverse("notifications-mute-add"), {"kind": "oncall.shift_starting"}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Muted My on-call shift is starting." in html
    assert list(KindMute.objects.filter(person=person).values_list("kind", flat=True)) == [
        "oncall.shift_starting"
    ]
    mute_list = re.search(r'<ul class="plain-list" id="mute-list">(.*?)</ul>', html, re.S)
    assert "My on-call shift is starting" in mute_list.group(1)
    # Already muted: no longer offered, and muting it again is harmless.
    assert "oncall.shift_starting" not in _options(html, "id_kind")
    response = person_client.post(
        reverse("notifications-mute-add"), {"kind": "oncall.shift_starting"}
    )
    assert response.status_code == 302
    assert KindMute.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("kind", ["", "Bad Kind", "future.mention", "x" * 500])
def test_mute_form_refuses_kinds_that_are_not_registered(person_client, kind):
    response = person_client.post(reverse("notifications-mute-add"), {"kind": kind})
    assert response.status_code == 400
    assert "Choose a kind of notification" in response.content.decode()
    assert not KindMute.objects.exists()


def test_unmutable_kind_is_not_offered_and_is_refused(person, person_client, page_kind):
    html = person_client.get("/notifications/settings/").content.decode()
    assert page_kind not in _options(html, "id_kind")
    unmutable = re.search(r"These cannot be muted when urgent: ([^.]*)\.", html).group(1)
    assert set(unmutable.split(", ")) == {kinds.label(k) for k in UNMUTABLE} | {"Urgent test pages"}
    response = person_client.post(reverse("notifications-mute-add"), {"kind": page_kind})
    assert response.status_code == 400
    assert "“Urgent test pages” cannot be muted" in response.content.decode()
    assert not KindMute.objects.exists()


def test_urgent_notifications_of_an_unmutable_kind_ignore_a_mute(person, page_kind):
    # A mute stored earlier (or by the service directly) still cannot silence urgent ones.
    services.mute_add(actor=SYSTEM, person=person, kind=page_kind)
    (urgent,) = services.notify(
        recipients=[person], kind=page_kind, title="P1", urgency="urgent", idempotency_key="u"
    )
    (normal,) = services.notify(
        recipients=[person], kind=page_kind, title="FYI", idempotency_key="n"
    )
    assert not urgent.muted and urgent.read_at is None
    assert normal.muted


# --- quiet hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "offset"),
    [
        (datetime(2026, 1, 14, 15, 0, tzinfo=UTC), "UTC−05:00"),
        (datetime(2026, 7, 15, 15, 0, tzinfo=UTC), "UTC−04:00"),
    ],
)
def test_quiet_hours_show_working_hours_zone_and_offset(db, when, offset):
    office = {"mon": ["09:00-17:00"], "tue": ["09:00-12:00", "13:00-17:00"], "wed": ["09:00-17:00"]}
    person = PersonFactory(time_zone="America/New_York", country="US", working_hours=office)
    client = sign_in(Client(), person)
    with time_machine.travel(when, tick=False):  # a Wednesday, 10:00 in New York
        html = client.get("/notifications/settings/").content.decode()
    section = re.search(r'<section class="card panel" id="quiet-hours">(.*?)</section>', html, re.S)
    assert section
    quiet = section.group(1)
    assert "Quiet hours" in quiet
    assert f"America/New_York ({offset}" in quiet
    assert "09:00-12:00, 13:00-17:00" in quiet and "quiet all day" in quiet
    assert "Working: notifications arrive at once until" in quiet
    assert f'href="{reverse("profile-edit")}"' in quiet


def test_quiet_hours_without_working_hours_say_nothing_waits(db):
    person = PersonFactory(time_zone="Asia/Kolkata", country="IN", working_hours={})
    client = sign_in(Client(), person)
    html = client.get("/notifications/settings/").content.decode()
    assert "Asia/Kolkata (UTC+05:30" in html
    assert "No working hours set, so nothing waits" in html


# --- API -------------------------------------------------------------------------------------


def test_api_lists_registered_kinds_with_labels(person_client, page_kind):
    response = person_client.get("/api/v1/notification-mutes/kinds/")
    assert response.status_code == 200
    listed = {k["kind"]: (k["label"], k["mutable"]) for k in response.json()}
    assert listed == {
        **{k: (kinds.label(k), True) for k in BUILT},
        **{k: (kinds.label(k), False) for k in UNMUTABLE},
        page_kind: ("Urgent test pages", False),
    }


def test_api_mutes_registered_kinds_and_names_them(person_client):
    response = person_client.post(
        "/api/v1/notification-mutes/", {"kind": "oncall.override"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["label"] == "Someone covers or swaps my on-call shift"
    listed = person_client.get("/api/v1/notification-mutes/").json()
    assert [(m["kind"], m["label"]) for m in listed] == [
        ("oncall.override", "Someone covers or swaps my on-call shift")
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("future.mention", "'future.mention' is not a notification kind you can mute"),
        ("NOT VALID", "is not a notification kind you can mute"),
        (5, "Give a notification kind"),
        (["oncall.override"], "Give a notification kind"),
        ("x" * 100, "Give a notification kind"),
    ],
)
def test_api_refuses_unknown_kinds_with_a_clear_400(person_client, kind, message):
    response = person_client.post(
        "/api/v1/notification-mutes/", {"kind": kind}, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in str(response.json())
    assert not KindMute.objects.exists()


def test_api_refuses_an_unmutable_kind(person_client, page_kind):
    response = person_client.post(
        "/api/v1/notification-mutes/", {"kind": page_kind}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cannot be muted" in str(response.json())
    assert not KindMute.objects.exists()


def test_schema_documents_the_mutable_kinds(person_client):
    schema = person_client.get("/api/schema/?format=json").json()
    assert "/api/v1/notification-mutes/kinds/" in schema["paths"]
    request = schema["components"]["schemas"]["MuteRequest"]["properties"]["kind"]
    if "$ref" in request:
        request = schema["components"]["schemas"][request["$ref"].rsplit("/", 1)[1]]
    elif "allOf" in request:
        ref = request["allOf"][0]["$ref"]
        request = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(request["enum"]) == BUILT
