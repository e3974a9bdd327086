"""The urgent-update pages: who sees and does what (role x page/action), acknowledging one
click from the notification, nothing written by a refused form, fixed query counts, and every
time in the viewer's zone with each paged person's own local time then.

The world (tests/escalations/world.py): a `high` update raised at Tuesday 03:00 in Sydney
(Monday 16:00 UTC) skips Sam, the Sydney owner, who is asleep, and pages Lou, on call in
London, who is working."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from escalations import engine
from escalations.models import EscalationPolicy, UpdateState, UrgentUpdate
from notifications.models import Notification
from teams.models import Profile
from tests.conftest import sign_in
from tests.csp import assert_csp_clean
from tests.escalations.world import MINUTE, SYDNEY_3AM, at, counts, pages

LATER = SYDNEY_3AM + 2 * MINUTE  # when the pages are read


def client_for(user) -> Client:
    """Signed in (MFA done) now: call it inside `at(...)`, or the session has expired."""
    return sign_in(Client(), user)


def html(response) -> str:
    return response.content.decode()


def section(page: str, element_id: str) -> str:
    """The element with this id and everything inside it ('' when there is none)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"', page)
    if not match:
        return ""
    tag, depth = match.group(1), 0
    for m in re.finditer(rf"<(/?){tag}\b[^>]*>", page[match.start() :]):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return page[match.start() : match.start() + m.end()]
    return page[match.start() :]


@pytest.fixture
def raised(world, people):
    """A `critical` update whose policy pages Pat (outside the team) and then the lead."""
    world.policy(
        [
            {
                "wait_minutes": 5,
                "targets": [{"kind": "person", "person_id": people["paged_outsider"].pk}],
            },
            {"wait_minutes": 5, "targets": [{"kind": "lead"}]},
        ]
    )
    return world.raise_update(severity="critical", by=world.sam)


# --- who sees what --------------------------------------------------------------------------------

ROLES = ("lead", "member", "paged_outsider", "outsider", "manager", "admin")
READERS = {"lead", "member", "paged_outsider", "manager", "admin"}
# Raising needs a team: Maya (manager) and Ada (admin) are in none.
RAISERS = {"lead", "member", "paged_outsider", "outsider"}
ACKNOWLEDGERS = {"lead", "member", "paged_outsider"}
CANCELLERS = {"lead", "admin"}  # and whoever raised it (Sam)
POLICY_EDITORS = {"lead", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(world, people, raised, role):
    user = people[role]
    with at(LATER):
        client = client_for(user)
        update_url = f"/urgent/{raised.pk}/"
        expected = {
            "/urgent/": 200,
            "/urgent/?state=active&team=abc": 200,
            update_url: 200 if role in READERS else 404,
            update_url + "live/": 200 if role in READERS else 404,
            "/urgent/new/": 200 if role in RAISERS else 403,
            f"/urgent/team-policy/{world.team.slug}/": 200,
            f"/urgent/project-policy/{world.project.slug}/": 200,
            "/": 200,
            f"/teams/{world.team.slug}/": 200,
        }
        for url, status in expected.items():
            response = client.get(url)
            assert response.status_code == status, (role, url, response.status_code)
            assert_csp_clean(html(response), url)
        listed = html(client.get("/urgent/"))
        assert (f'data-update="{raised.pk}"' in listed) is (role in READERS)
        if role in READERS:
            page = html(client.get(update_url))
            assert ('id="acknowledge"' in page) is (role in ACKNOWLEDGERS)
            assert ('id="resolve"' in page) is (role in ACKNOWLEDGERS)
            assert ('id="cancel"' in page) is (role in CANCELLERS)
        policy = html(client.get(f"/urgent/team-policy/{world.team.slug}/"))
        assert ('id="policy-form"' in policy) is (role in POLICY_EDITORS)
        assert ('id="policy-readonly"' in policy) is (role not in POLICY_EDITORS)
        assert "Pat Paged" in section(policy, "policy-current")  # everyone reads the policy


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["acknowledge", "resolve", "cancel"])
def test_actions_by_role(world, people, raised, role, action):
    allowed = {"acknowledge": ACKNOWLEDGERS, "resolve": ACKNOWLEDGERS, "cancel": CANCELLERS}
    with at(LATER):
        client = client_for(people[role])
        response = client.post(f"/urgent/{raised.pk}/{action}/", {"note": "on it"})
    raised.refresh_from_db()
    if role in allowed[action]:
        assert response.status_code == 302, (role, action)
        state = {"acknowledge": "acknowledged", "resolve": "resolved", "cancel": "cancelled"}
        assert raised.state == state[action]
    else:
        # Someone who may not read it gets what a missing update gets.
        assert response.status_code == (404 if role not in READERS else 403), (role, action)
        assert raised.state == UpdateState.OPEN


def test_anonymous_is_sent_to_sign_in_and_get_is_refused_on_actions(world, raised):
    response = Client().get(f"/urgent/{raised.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    with at(LATER):
        client = client_for(world.lead)
        assert client.get(f"/urgent/{raised.pk}/acknowledge/").status_code == 405
    assert UrgentUpdate.objects.get(pk=raised.pk).state == UpdateState.OPEN


def test_unknown_update_and_policy_pages_are_404(world):
    with at(LATER):
        client = client_for(world.lead)
        for url in ("/urgent/999999/", "/urgent/999999/live/", "/urgent/team-policy/nope/"):
            assert client.get(url).status_code == 404, url
        assert client.post("/urgent/999999/acknowledge/").status_code == 404


# --- acknowledging from the notification ----------------------------------------------------------


def test_the_notification_opens_the_page_with_acknowledge_first(world):
    update = world.raise_update(severity="high")
    assert engine.update_url(update) == f"/urgent/{update.pk}/"
    (page,) = pages(world.lou)
    assert page.url == f"/urgent/{update.pk}/"
    with at(LATER):
        # Zero trust still holds: the link itself, anonymous, leads to sign-in.
        anonymous = Client().get(f"/notifications/{page.pk}/open/")
        assert anonymous["Location"].startswith("/accounts/login/")
        lou = client_for(world.lou)
        opened = lou.get(f"/notifications/{page.pk}/open/")
        assert opened.status_code == 302 and opened["Location"] == page.url
        body = html(lou.get(page.url))
        # The button is the first thing after the title: one click from the notification.
        assert body.index('id="acknowledge"') < body.index('id="timeline"')
        assert body.index('id="acknowledge"') < body.index('id="body"')
        assert "You were paged." in section(body, "acknowledge-note")
        response = lou.post(f"/urgent/{update.pk}/acknowledge/", follow=True)
    assert response.redirect_chain[-1][0] == page.url
    assert "Acknowledged: you have it" in html(response)
    update.refresh_from_db()
    assert update.state == UpdateState.ACKNOWLEDGED and update.acknowledged_by == world.lou
    after = html(response)
    assert 'id="acknowledge"' not in after
    assert "Lou London" in section(after, "acknowledged")
    assert "Acknowledged by Lou London; the escalation stopped" in section(after, "timeline")
    # The next step will never fire.
    assert not update.steps.filter(status="pending").exists()
    # Acknowledging twice says so and changes nothing.
    with at(LATER + MINUTE):
        again = client_for(world.lou).post(f"/urgent/{update.pk}/acknowledge/", follow=True)
    assert "acknowledged already" in html(again)


# --- times ----------------------------------------------------------------------------------------


def test_times_are_the_viewers_and_each_paged_persons_own(world):
    update = world.raise_update(severity="high")
    # A viewer in Los Angeles on the 12-hour clock: 16:00 UTC is 8:00 am there.
    Profile.objects.filter(user=world.nia).update(time_zone="America/Los_Angeles", clock="12h")
    with at(LATER):
        page = html(client_for(world.nia).get(f"/urgent/{update.pk}/"))
        lead_page = html(client_for(world.lead).get(f"/urgent/{update.pk}/"))
    timeline = section(page, "timeline")
    assert "Sam Sydney skipped: 3:00 am in Sydney, asleep" in timeline
    assert "Lou London paged (on call: Primary): 4:00 pm in London, working" in timeline
    assert "Mon 01 Mar 2027 8:00 am" in timeline  # when, in the viewer's zone
    assert "16:00" not in timeline.replace("16:00:00", "")  # no UTC wall time shown
    assert "America/Los_Angeles" in page
    # A viewer in London on the 24-hour clock reads the words the engine wrote.
    lead_timeline = section(lead_page, "timeline")
    assert "Sam Sydney skipped: 03:00 in Sydney, asleep" in lead_timeline
    assert "Lou London paged (on call: Primary): 16:00 in London, working" in lead_timeline
    assert 'class="badge badge-asleep"' in lead_timeline
    assert "On call" in lead_timeline
    steps = section(lead_page, "steps")
    assert "Step 1 of 5" in steps and "Mon 01 Mar 2027 16:00" in steps
    assert "Step 3 of 5" in steps and "Mon 01 Mar 2027 16:10" in steps  # due after 10 min


def test_dashboard_card_shows_who_was_paged_and_flags_unacknowledged(world):
    world.policy([{"wait_minutes": 5, "targets": [{"kind": "owner"}, {"kind": "team_oncall"}]}])
    update = world.raise_update(severity="high", title="Checkout is down")
    with at(LATER):
        card = section(html(client_for(world.lead).get("/")), "urgent-card")
    assert "Checkout is down" in card and "High" in card and "2 min old" in card
    assert "Sam Sydney: skipped" in card and "03:00 in Sydney" in card and "Asleep" in card
    assert "Lou London: paged" in card and "16:00 in London" in card
    assert 'id="urgent-unacknowledged"' not in card
    # Every step spent: the card flags it.
    world.sweep(SYDNEY_3AM + 6 * MINUTE)
    with at(SYDNEY_3AM + 7 * MINUTE):
        card = section(html(client_for(world.nia).get("/")), "urgent-card")
        outsider = html(client_for(world.outsider).get("/"))
    assert "Unacknowledged" in section(card, "urgent-unacknowledged")
    assert f'href="/urgent/{update.pk}/"' in section(card, "urgent-unacknowledged")
    assert 'id="urgent-card"' not in outsider  # not their team


# --- forms that write nothing when refused --------------------------------------------------------


def test_raising_from_the_form(world):
    with at(SYDNEY_3AM):
        client = client_for(world.lead)
        form = html(client.get(f"/urgent/new/?project={world.project.pk}"))
        assert f'<option value="project-{world.project.pk}" selected>' in form
        assert f'value="team-{world.other_team.pk}"' not in form  # not the lead's team
    # The first step's task runs on commit (inline here, as Celery runs it in tests).
    with at(SYDNEY_3AM), world.on_commit():
        response = client.post(
            "/urgent/new/",
            {
                "place": f"project-{world.project.pk}",
                "title": "Checkout is down",
                "severity": "high",
                "body": "Since **02:50**",
            },
        )
    update = UrgentUpdate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/urgent/{update.pk}/"
    assert update.project == world.project and update.raised_by == world.lead
    assert len(pages(world.lou)) == 1
    with at(LATER):
        page = html(client_for(world.lead).get(response["Location"]))
    assert "<strong>02:50</strong>" in section(page, "body")
    assert "Sam Sydney skipped: 03:00 in Sydney, asleep" in page


@pytest.mark.parametrize(
    "data, field",
    [
        ({"title": "", "severity": "high"}, "title"),
        ({"title": "Down", "severity": "apocalyptic"}, "severity"),
        ({"title": "Down", "severity": "high", "place": "project-999999"}, "place"),
        ({"title": "Down", "severity": "high", "place": "team-x"}, "place"),
        ({"title": "x" * 201, "severity": "high"}, "title"),
    ],
)
def test_bad_raise_writes_nothing(world, data, field):
    data = {"place": f"team-{world.team.pk}", "body": "b", **data}
    with at(SYDNEY_3AM):
        client = client_for(world.lead)  # signing in is audited: count after it
        before = counts()
        response = client.post("/urgent/new/", data)
    assert response.status_code == 400
    page = html(response)
    assert 'class="errorlist' in section(page, f"field-raise-{field}")
    assert_csp_clean(page, "POST /urgent/new/")
    assert counts() == before


def test_raising_on_another_team_is_refused(world):
    with at(SYDNEY_3AM):
        client = client_for(world.lead)
        before = counts()
        response = client.post(
            "/urgent/new/",
            {"place": f"team-{world.other_team.pk}", "title": "Down", "severity": "high"},
        )
    assert response.status_code == 400 and counts() == before


def _policy_post(**fields) -> dict:
    data = {"name": "", "repeat_count": "0", "s0-order": "1", "s0-wait": "5", "s0-t0-kind": ""}
    data.update(fields)
    return data


def test_lead_edits_the_policy(world):
    url = f"/urgent/team-policy/{world.team.slug}/"
    with at(SYDNEY_3AM):
        client = client_for(world.lead)
        # "Add a step" offers room and writes nothing.
        more = client.post(url, _policy_post(add_step="1"))
        assert more.status_code == 200 and 'id="policy-step-2"' in html(more)
        assert not EscalationPolicy.objects.exists()
        response = client.post(
            url,
            {
                "name": "Night rules",
                "repeat_count": "1",
                # Listed second, positioned first.
                "s0-order": "2",
                "s0-wait": "15",
                "s0-t0-kind": "lead",
                "s0-t1-kind": "",
                "s1-order": "1",
                "s1-wait": "5",
                "s1-t0-kind": "oncall",
                "s1-t0-schedule": str(world.schedule.pk),
                "s1-t1-kind": "person",
                "s1-t1-person": str(world.sam.pk),
                "s2-wait": "",
                "s2-t0-kind": "",
            },
        )
    assert response.status_code == 302, html(response)
    policy = EscalationPolicy.objects.get(team=world.team, project=None)
    assert policy.name == "Night rules" and policy.repeat_count == 1
    steps = [
        (s.wait_minutes, [(t.kind, t.schedule_id, t.person_id) for t in s.targets.all()])
        for s in policy.steps.order_by("position")
    ]
    assert steps == [
        (5, [("oncall", world.schedule.pk, None), ("person", None, world.sam.pk)]),
        (15, [("lead", None, None)]),
    ]
    with at(LATER):
        page = html(client_for(world.nia).get(url))
    shown = section(page, "policy-steps")
    assert "On call now: Primary, Named person: Sam Sydney" in shown and "15 min" in shown


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"s0-t0-kind": "oncall"}, "name the schedule"),
        ({"s0-t0-kind": "lead", "s0-wait": "99999"}, "the wait (minutes)"),
        ({"s0-t0-kind": "lead", "s0-wait": "-5"}, "the wait (minutes)"),
        ({"s0-t0-kind": "", "s0-wait": ""}, "at least one step"),
        ({"s0-t0-kind": "", "s0-wait": "5"}, "needs at least one target"),
        ({"s0-t0-kind": "lead", "repeat_count": "50"}, "less than or equal to 9"),
        ({"s0-t0-kind": "galaxy"}, "Select a valid choice"),
    ],
)
def test_bad_policy_shows_why_and_writes_nothing(world, fields, message):
    with at(SYDNEY_3AM):
        client = client_for(world.lead)
        before = counts()
        response = client.post(f"/urgent/team-policy/{world.team.slug}/", _policy_post(**fields))
    assert response.status_code == 400
    page = html(response)
    assert message in section(page, "policy-form"), section(page, "policy-form")
    assert_csp_clean(page, "POST policy")
    assert counts() == before


def test_a_policy_naming_someone_without_access_is_refused(world):
    with at(SYDNEY_3AM):
        client = client_for(world.lead)
        before = counts()
        response = client.post(
            f"/urgent/project-policy/{world.project.slug}/",
            _policy_post(**{"s0-t0-kind": "person", "s0-t0-person": str(world.outsider.pk)}),
        )
    assert response.status_code == 400
    assert counts() == before


def test_non_leads_cannot_write_policies(world):
    with at(SYDNEY_3AM):
        client = client_for(world.nia)
        before = counts()
        url = f"/urgent/team-policy/{world.team.slug}/"
        assert client.post(url, _policy_post(**{"s0-t0-kind": "lead"})).status_code == 403
        assert client.post(url + "delete/").status_code == 403
    assert counts() == before


def test_project_override_and_delete(world):
    with at(SYDNEY_3AM):
        client = client_for(world.admin)
        url = f"/urgent/project-policy/{world.project.slug}/"
        assert "Baton’s default" in html(client.get(url))
        response = client.post(url, _policy_post(**{"s0-t0-kind": "backup_owner"}))
        assert response.status_code == 302
        assert EscalationPolicy.objects.filter(project=world.project).exists()
        team_page = html(client.get(f"/urgent/team-policy/{world.team.slug}/"))
        assert "Checkout" in section(team_page, "policy-overrides")
        client.post(url + "delete/")
    assert not EscalationPolicy.objects.filter(project=world.project).exists()


# --- query counts ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _grow(world, n: int) -> None:
    for i in range(n):
        on = {"team": world.team} if i % 2 else {"project": world.project}
        world.raise_update(severity=("high", "critical")[i % 2], title=f"Down {i}", **on)


def test_pages_keep_their_query_counts(world, django_assert_max_num_queries):
    _grow(world, 2)
    first = UrgentUpdate.objects.order_by("pk").first()
    urls = ["/urgent/", "/urgent/?state=active", "/", f"/teams/{world.team.slug}/"]
    with at(LATER):
        client = client_for(world.lead)
        for url in urls:
            client.get(url)  # warm caches
        small = {url: _queries(client, url) for url in urls}
        detail_small = _queries(client, f"/urgent/{first.pk}/")
    _grow(world, 18)
    # More lines on the first update's timeline: repeats of its steps firing.
    world.sweep(SYDNEY_3AM + 30 * MINUTE)
    assert UrgentUpdate.objects.count() == 20
    with at(SYDNEY_3AM + 31 * MINUTE):
        client = client_for(world.lead)
        for url in urls:
            client.get(url)
            with django_assert_max_num_queries(small[url]):
                client.get(url)
        with django_assert_max_num_queries(detail_small):
            client.get(f"/urgent/{first.pk}/")


def test_list_pages_and_filters(world):
    _grow(world, 3)
    other = world.raise_update(
        severity="high", title="Other", team=world.other_team, by=world.outsider
    )
    first = UrgentUpdate.objects.exclude(pk=other.pk).order_by("pk").first()
    with at(LATER):
        client = client_for(world.lead)
        first_page = html(client.get(f"/urgent/{first.pk}/"))
        assert 'id="acknowledge"' in first_page
        client.post(f"/urgent/{first.pk}/acknowledge/")
        listed = re.findall(r'data-update="(\d+)"', html(client.get("/urgent/")))
        assert str(other.pk) not in listed  # another team's, and the lead was not paged
        assert listed[-1] == str(first.pk)  # my teams' open ones before acknowledged
        active = re.findall(r'data-update="(\d+)"', html(client.get("/urgent/?state=open")))
        assert str(first.pk) not in active and len(active) == 2
        manager = client_for(world.manager)
        everything = re.findall(r'data-update="(\d+)"', html(manager.get("/urgent/")))
        assert str(other.pk) in everything and len(everything) == 4
        only = html(manager.get(f"/urgent/?team={world.other_team.pk}"))
        assert re.findall(r'data-update="(\d+)"', only) == [str(other.pk)]
        partial = client.get("/urgent/?state=open", HTTP_HX_REQUEST="true")
        assert html(partial).startswith('<div id="urgent-results">')


def test_the_live_section_is_the_pages_and_follows_the_state(world):
    update = world.raise_update(severity="high")
    with at(LATER):
        client = client_for(world.lead)
        page = html(client.get(f"/urgent/{update.pk}/"))
        assert f'data-live-url="/urgent/{update.pk}/live/"' in page
        assert "/static/js/live.js" in page
        client_for(world.lou).post(f"/urgent/{update.pk}/acknowledge/")
        live = client.get(f"/urgent/{update.pk}/live/")
    assert live["Cache-Control"] == "no-store"
    fragment = html(live)
    assert "<html" not in fragment and 'data-state="acknowledged"' in fragment
    assert "Acknowledged by Lou London" in section(fragment, "timeline")
    assert_csp_clean(fragment, "live")


def test_junk_input_never_errors(world):
    update = world.raise_update(severity="high")
    junk = {"page": "-1", "team": "abc", "state": "\x00", "note": "x" * 500, "place": "../"}
    with at(LATER):
        client = client_for(world.lead)
        for url in (
            "/urgent/",
            "/urgent/new/",
            f"/urgent/{update.pk}/",
            f"/urgent/{update.pk}/resolve/",
            f"/urgent/team-policy/{world.team.slug}/",
            f"/urgent/project-policy/{world.project.slug}/",
        ):
            assert client.get(url, junk).status_code < 500, url
            assert client.post(url, junk).status_code < 500, url
    update.refresh_from_db()
    assert update.state == UpdateState.OPEN  # a 500-character note was refused


def test_notification_count_unchanged_by_page_reads(world):
    update = world.raise_update(severity="high")
    before = Notification.objects.count()
    with at(LATER + timedelta(minutes=1)):
        client_for(world.lead).get(f"/urgent/{update.pk}/")
    assert Notification.objects.count() == before
