"""Far from UTC, every time is still the reader's own (issue 8, items 4 and 5).

A viewer in Pacific/Kiritimati (UTC+14) or Pacific/Pago_Pago (UTC−11) signs in at a frozen
instant where their local date is not UTC's: Wednesday 2 December 2026 10:30 UTC is Thursday
00:30 in Kiritimati and Tuesday 23:30 in Pago Pago. Every page they can reach is rendered with
real objects (a team, a schedule with two layers, overrides, swaps, notifications of every
registered kind made by the code that sends them) and read as a person would read it:

- the header clock says the local weekday and time;
- a weekday written next to a date must be that date's weekday (a local date with a UTC
  weekday, "2026-12-03 00:00 Wed", is exactly the bug My shifts had);
- the UTC wall time of "now" (10:30) appears nowhere: nobody in this world lives at UTC, so
  any 10:30 on a page is an instant shown in UTC;
- no zone abbreviation (PST is Manila and Los Angeles; the page shows offsets instead).

Then every notification's text is read for its recipient: no ISO instant, no username, and
its time in the recipient's zone, named.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts import services as account_services
from core import timefmt
from core.audit import Actor
from escalations import engine as escalation_engine
from escalations import services as escalation_services
from notifications import services as notification_services
from notifications.delivery.payload import digest_text, slack_text
from notifications.kinds import KIND_LABELS
from notifications.models import Notification
from oncall import selectors as oncall_selectors
from oncall import services as oncall_services
from oncall.tasks import send_shift_notices
from projects import services as project_services
from teams import services as team_services
from tests.conftest import sign_in
from tests.factories import ALWAYS, PersonFactory, TeamFactory, add_member
from tests.oncall.world import daily_layer
from tests.routes import all_routes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # a Wednesday in UTC
FAR_ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago"]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Routes with nothing a person reads as a time: machine formats and the walk's own exits.
SKIP_PREFIXES = ("/api/", "/admin/", "/static/", "/ical/", "/accounts/logout/")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- the world -----------------------------------------------------------------------------------


class FarWorld:
    """Everyone lives away from UTC (so a UTC wall time on a page is never someone's local
    time); usernames are unlike display names (so a username in a text is recognisable)."""

    def __init__(self, zone: str, capture_on_commit):
        self.zone = zone
        self.capture_on_commit = capture_on_commit
        self.viewer = PersonFactory(
            username="kai.far",
            display_name="Kai Faraway",
            time_zone=zone,
            country="KI" if zone == "Pacific/Kiritimati" else "AS",
        )
        self.ana = PersonFactory(
            username="ana.reyes",
            display_name="Ana R",
            time_zone="Asia/Manila",
            country="PH",
            working_hours=ALWAYS,
        )
        self.bo = PersonFactory(
            username="owen.campbell",
            display_name="Bo Campbell",
            time_zone="America/Los_Angeles",
            country="US",
        )
        self.admin = PersonFactory(
            username="ada.admin",
            display_name="Ada Minister",
            time_zone=zone,
            country="KI" if zone == "Pacific/Kiritimati" else "AS",
            org_role="admin",
        )
        TOTP.activate(self.admin, generate_totp_secret())
        self.team = TeamFactory(name="Relay")
        add_member(self.team, self.viewer, role="lead")
        add_member(self.team, self.ana)
        add_member(self.team, self.bo)
        system = Actor.system(via="test")
        self.schedule = oncall_services.schedule_create(
            actor=system, team=self.team, name="Primary", time_zone="Asia/Manila"
        )
        # Daily handoff at 10:00 UTC: 00:00 the next day in Kiritimati, 23:00 the day before
        # in Pago Pago, so every shift edge has a local weekday unlike UTC's.
        self.daily = daily_layer(
            self.schedule, [self.viewer, self.ana], time_zone="UTC", start="2026-11-23T10:00"
        )
        # Manila office hours on weekdays go to Bo (01:00-09:00 UTC).
        self.office = oncall_services.layer_create(
            actor=system,
            schedule=self.schedule,
            name="Manila office",
            time_zone="Asia/Manila",
            start="2026-11-23T09:00",
            shift_length={"count": 1, "unit": "weeks"},
            participants=[self.bo.pk],
            priority=5,
            restrictions=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
        )
        self.override = oncall_services.override_create(
            actor=Actor.system(user=self.viewer),
            schedule=self.schedule,
            person=self.ana,
            start=utc(2026, 12, 5, 10),
            end=utc(2026, 12, 5, 14),
        )
        self.notify_everything()

    def as_(self, user) -> Actor:
        return Actor.system(user=user)

    def notify_everything(self) -> None:
        """Every registered kind, each through the code that sends it."""
        # Shift notices: the viewer's shift starts 1 Dec 10:00 UTC and ends 2 Dec 10:00 UTC.
        send_shift_notices(now=utc(2026, 12, 1, 9, 30))
        send_shift_notices(now=utc(2026, 12, 2, 10, 1))
        with self.capture_on_commit() as after_commit:
            self.swaps()
        for callback in after_commit:  # swap notices are sent on commit
            callback()
        # An admin resets the viewer's two-factor authentication.
        TOTP.activate(self.viewer, generate_totp_secret())
        account_services.mfa_reset(actor=self.as_(self.admin), person=self.viewer)
        # The viewer's webhook fails until it is disabled; a test notification.
        hook = notification_services.webhook_create(
            actor=self.as_(self.viewer), owner=self.viewer, name="Pager", url="http://127.0.0.1/x"
        )
        for _ in range(100):  # until the failure limit disables it
            if notification_services.webhook_record_failure(webhook_id=hook.pk, error="timeout"):
                break
        notification_services.send_test(
            actor=self.as_(self.viewer), person=self.viewer, channel="in_app"
        )
        account_services.api_token_create(
            actor=self.as_(self.admin), user=self.admin, name="CI", scopes=["teams:read"]
        )
        self.projects()
        self.escalations()
        self.handoffs()
        self.chat()

    def chat(self) -> None:
        """Ana mentions the viewer in Relay's room (by username: the notice names them)."""
        from chat import selectors as chat_selectors
        from chat import services as chat_services

        with self.capture_on_commit(execute=True):
            chat_services.message_post(
                actor=self.as_(self.ana),
                room=chat_selectors.team_room(self.team.pk),
                topic="relay",
                body="@kai.far the relay queue is stuck again; can you look?",
            )

    def escalations(self) -> None:
        """The viewer owns Relay site and is paged; nobody acknowledges, every step is spent
        and the admin (the org has no manager) is told."""
        escalation_services.policy_set(
            actor=self.as_(self.admin),
            team=self.team,
            steps=[{"targets": [{"kind": "owner"}], "wait_minutes": 5}],
        )
        with self.capture_on_commit(execute=True):
            self.urgent = escalation_services.update_raise(
                actor=self.as_(self.ana),
                project=self.project,
                severity="critical",
                title="Relay site is down",
            )
        with self.capture_on_commit(execute=True):
            escalation_engine.sweep(now=NOW + timedelta(minutes=6))

    def handoffs(self) -> None:
        """Every handoffs notice reaches the viewer: Ana hands an urgent note over to the
        viewer, who leaves it unacknowledged (reminded); the viewer hands notes to Ana (who
        acknowledges, hands an item back and follows up) and to Bo (who never acknowledges:
        escalated, and the viewer, its author, is told); the viewer is asked for a note as
        their shift ends."""
        from handoffs import engine as handoff_engine
        from handoffs import services as handoff_services
        from handoffs.models import HandoffRecipient

        def send(author, to, title, **extra):
            return handoff_services.handoff_send(
                actor=self.as_(author),
                team=self.team,
                title=title,
                summary="Quiet night.",
                recipients="people",
                people=[to.pk],
                **extra,
            )

        with self.capture_on_commit(execute=True):
            to_viewer = send(self.ana, self.viewer, "Night batch handover", urgency="urgent")
            to_ana = send(
                self.viewer, self.ana, "Relay handover", urgency="urgent",
                items=[{"text": "Check the relay queue", "owner": self.ana.pk}],
            )  # fmt: skip
            to_bo = send(self.viewer, self.bo, "Office handover", urgency="urgent")
            handoff_services.handoff_acknowledge(actor=self.as_(self.ana), note=to_ana)
            handoff_services.item_act(
                actor=self.as_(self.ana), item=to_ana.items.get(), action="hand_back",
                reason="Not on my shift",
            )  # fmt: skip
            handoff_services.follow_up_add(actor=self.as_(self.ana), note=to_ana, text="Thanks!")
            mine = HandoffRecipient.objects.get(note=to_viewer)
            handoff_engine.sweep(now=mine.remind_at)
            bos = HandoffRecipient.objects.get(note=to_bo)
            handoff_engine.sweep(now=bos.escalate_at)
            # The viewer's shift ended at 10:00 UTC: asked to write the handoff (catching up).
            handoff_engine.prompt_due(now=utc(2026, 12, 2, 10, 15))

    def projects(self) -> None:
        """Every projects notice reaches the viewer (a lead of Relay)."""
        # The admin makes the viewer owner of a project; the viewer watches Ana's project and
        # she posts an update; Ana proposes hers to the viewer and names the viewer acting owner.
        self.project = project_services.project_create(
            actor=self.as_(self.admin), team=self.team, name="Relay site", owner=self.viewer
        )
        anas = project_services.project_create(
            actor=self.as_(self.ana), team=self.team, name="Night batch", owner=self.ana
        )
        project_services.watch_set(
            actor=self.as_(self.viewer), project=anas, person=self.viewer, watching=True
        )
        self.anas_project = anas
        self.goal = project_services.goal_create(
            actor=self.as_(self.ana), project=anas, title="Nightly run under 2 h"
        )
        project_services.update_post(actor=self.as_(self.ana), project=anas, health="at_risk")
        project_services.transfer_propose(
            actor=self.as_(self.ana), project=anas, to_person=self.viewer, reason="Rotation"
        )
        project_services.acting_set(
            actor=self.as_(self.ana), project=anas, acting_owner=self.viewer,
            until=(NOW + timedelta(days=10)).date(),
        )  # fmt: skip
        # The viewer's own update falls due and they are reminded at their day's start.
        project_services.update_reminders_send(now=NOW + timedelta(days=30))
        # Someone owning a Relay project leaves: the lead (the viewer) hears of it.
        gone = PersonFactory(
            username="cy.gone", display_name="Cy Gone", time_zone="Europe/Paris", country="FR"
        )
        add_member(self.team, gone)
        project_services.project_create(
            actor=self.as_(gone), team=self.team, name="Old pipeline", owner=gone
        )
        team_services.person_deactivate(actor=self.as_(self.admin), person=gone)

    def swap(self, requester, start, end, asked=None):
        return oncall_services.swap_request_create(
            actor=self.as_(requester), schedule=self.schedule, start=start, end=end, asked=asked
        )

    def swaps(self) -> None:
        # Ana asks the viewer to take her Friday; the viewer takes it (Ana hears who took it).
        self.asked = self.swap(self.ana, utc(2026, 12, 4, 10), utc(2026, 12, 5, 10), self.viewer)
        oncall_services.swap_request_accept(actor=self.as_(self.viewer), swap=self.asked)
        # An open request of Ana's the viewer can still take.
        self.open_swap = self.swap(self.ana, utc(2026, 12, 6, 10), utc(2026, 12, 7, 1))
        # The viewer gives a shift away and Bo takes it; another one is declined.
        self.taken = self.swap(self.viewer, utc(2026, 12, 7, 10), utc(2026, 12, 8, 1))
        oncall_services.swap_request_accept(actor=self.as_(self.bo), swap=self.taken)
        self.declined = self.swap(self.viewer, utc(2026, 12, 9, 10), utc(2026, 12, 10, 1), self.bo)
        oncall_services.swap_request_decline(actor=self.as_(self.bo), swap=self.declined)


@pytest.fixture(params=FAR_ZONES)
def far(request, db, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with time_machine.travel(NOW, tick=False):
        yield FarWorld(request.param, django_capture_on_commit_callbacks)


# --- reading a page like a person ----------------------------------------------------------------


class _Text(HTMLParser):
    """The visible text of a page (no attributes, scripts or styles), one line per element."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))


_DAY = r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:[a-z]{0,6}day)?\b\.?"  # "Wed", "Wednesday"
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
DAY_DATE = re.compile(_DAY + r",?[ \xa0]+(\d{1,2})[ \xa0]+" + _MONTH + r"(?:[ \xa0]+(\d{4}))?")
ISO_DATE_THEN_DAY = re.compile(
    r"\b(\d{4})-(\d\d)-(\d\d)(?:[ T]\d\d:\d\d(?::\d\d)?)?[ \xa0]+" + _DAY
)
DATE_TIME_THEN_DAY = re.compile(
    r"\b(\d{1,2})[ \xa0]+" + _MONTH + r"(?:[ \xa0]+(\d{4}))?[ \xa0]+\d\d:\d\d[ \xa0]+" + _DAY
)
DAY_THEN_ISO_DATE = re.compile(_DAY + r",?[ \xa0]+(\d{4})-(\d\d)-(\d\d)\b")
DAY_NUMBER = re.compile(_DAY + r"[ \xa0]+(\d{1,2})\b(?![:\d])(?![ \xa0]+" + _MONTH + ")")


def _nearest(day_of_month: int, month: int | None = None, year: int | None = None) -> date | None:
    """The date nearest NOW with that day (and month/year when given)."""
    candidates = []
    for y in [year] if year else [NOW.year - 1, NOW.year, NOW.year + 1]:
        for m in [month] if month else range(1, 13):
            try:
                candidates.append(date(y, m, day_of_month))
            except ValueError:
                continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - NOW.date()).days))


def weekday_date_mismatches(text: str) -> list[str]:
    """Every place where a weekday is written next to a date that falls on another weekday."""
    wrong = []

    def check(match, day_name: str, when: date | None) -> None:
        if when is not None and DAYS[when.weekday()] != day_name:
            wrong.append(f"{match.group(0)!r} ({when} is a {DAYS[when.weekday()]})")

    for m in DAY_DATE.finditer(text):
        year = int(m.group(4)) if m.group(4) else None
        check(m, m.group(1), _nearest(int(m.group(2)), MONTHS.index(m.group(3)) + 1, year))
    for m in DATE_TIME_THEN_DAY.finditer(text):
        year = int(m.group(3)) if m.group(3) else None
        check(m, m.group(4), _nearest(int(m.group(1)), MONTHS.index(m.group(2)) + 1, year))
    for m in ISO_DATE_THEN_DAY.finditer(text):
        check(m, m.group(4), date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in DAY_THEN_ISO_DATE.finditer(text):
        check(m, m.group(1), date(int(m.group(2)), int(m.group(3)), int(m.group(4))))
    for m in DAY_NUMBER.finditer(text):
        near = _nearest(int(m.group(2)))
        if near is not None and abs((near - NOW.date()).days) <= 45:
            check(m, m.group(1), near)
    return wrong


ABBREVIATIONS = re.compile(r"\b(PST|PDT|CST|CDT|EST|EDT|GMT|BST|SST|HST|LINT|WSST|PHT)\b")
UTC_NOW_HM = re.compile(r"(?<![\d:])" + NOW.strftime("%H:%M") + r"(?!\d)")


def page_problems(html: str, zone: str) -> list[str]:
    text = visible_text(html)
    problems = weekday_date_mismatches(text)
    problems += [f"UTC wall time of now: {m.group(0)!r}" for m in UTC_NOW_HM.finditer(text)]
    problems += [f"zone abbreviation {m.group(0)!r}" for m in ABBREVIATIONS.finditer(text)]
    clock = re.search(r"<time data-clock[^>]*>([^<]*)</time>", html)
    if clock and clock.group(1).strip() != timefmt.fmt_weekday_time(NOW, zone):
        problems.append(f"header clock says {clock.group(1)!r}")
    return problems


# --- the one formatter ---------------------------------------------------------------------------


def test_timefmt_writes_times_one_way():
    at = utc(2026, 12, 2, 22, 5)  # Wed 14:05 in Los Angeles, Thu 06:05 in Manila
    la = "America/Los_Angeles"
    assert timefmt.fmt_time(at, la) == "14:05"
    assert timefmt.fmt_weekday_time(at, la) == "Wed 14:05"
    assert timefmt.fmt_day_time(at, la) == "Wed 02 Dec 14:05"
    assert timefmt.fmt_day_time(at, la, year=True) == "Wed 02 Dec 2026 14:05"
    assert timefmt.fmt_span(at, at + timedelta(hours=3), la) == "Wed 02 Dec 14:05–17:05"
    assert timefmt.fmt_span(at, utc(2026, 12, 3, 8), la) == "Wed 02 Dec 14:05–24:00"
    assert timefmt.fmt_span(at, utc(2026, 12, 3, 9), la) == "Wed 02 Dec 14:05 – Thu 03 Dec 01:00"
    assert timefmt.fmt_zone(la, at) == "America/Los_Angeles (UTC\u221208:00)"
    assert timefmt.fmt_zone("Asia/Kathmandu", at) == "Asia/Kathmandu (UTC+05:45)"
    assert timefmt.fmt_offset(utc(2026, 7, 1), la) == "UTC\u221207:00"  # summer time
    assert timefmt.fmt_local_for(FakeProfile("Asia/Manila"), at) == "06:05 in Manila"
    assert timefmt.fmt_city("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert timefmt.fmt_your_day_time(at, "Asia/Manila") == (
        "Thu 03 Dec 06:05 your time, Asia/Manila (UTC+08:00)"
    )


class FakeProfile:
    def __init__(self, time_zone: str):
        self.time_zone = time_zone


# --- the checks themselves must bite -------------------------------------------------------------


def test_the_page_check_catches_utc_weekdays_and_utc_times():
    zone = "Pacific/Kiritimati"
    start = utc(2026, 12, 2, 10)  # Thu 03 Dec 00:00 in Kiritimati, a Wednesday in UTC
    local = start.astimezone(timefmt.to_zone(zone))
    # What My shifts wrote before: the local stamp with Django's |date:"D" (UTC).
    old_cell = f"<td>{local:%Y-%m-%d %H:%M} {start:%a}</td>"
    assert weekday_date_mismatches(visible_text(old_cell))
    assert page_problems(f"<p>It is {NOW:%a %H:%M}</p>", zone)
    assert page_problems("<p>Thu 00:30 PST</p>", zone)
    assert page_problems(f'<time data-clock data-zone="{zone}">{NOW:%a %H:%M}</time>', zone)
    good = f"<td>{timefmt.fmt_day_time(start, zone)}</td><p>{timefmt.fmt_weekday_time(NOW, zone)}"
    assert page_problems(good, zone) == []


# --- every page ----------------------------------------------------------------------------------


def _kwargs(world: FarWorld, route, user) -> dict:
    """Real objects for a route's parameters, by the part of the site it belongs to."""
    path = route.route
    if path.startswith("notifications/webhooks/"):
        hook = user.notification_webhooks.first()
        return {"pk": hook.pk} if hook else {}
    if path.startswith("notifications/"):
        notification = user.notifications.order_by("pk").first()
        return {"pk": notification.pk, "channel": "in_app"} if notification else {}
    if path.startswith("schedules/"):
        return {
            "pk": world.schedule.pk,
            "swap_id": world.open_swap.pk,
            "override_id": world.override.pk,
            "layer_id": world.daily.pk,
            "action": "accept",
        }
    if path.startswith("projects/"):
        transfer = world.anas_project.transfers.first()
        return {
            "slug": world.anas_project.slug,
            "pk": transfer.pk,
            "goal_id": world.goal.pk,
            "person_id": world.ana.pk,
        }
    if path.startswith("tokens/"):
        token = user.api_tokens.first()
        return {"pk": token.pk} if token else {}
    return {
        "pk": world.ana.pk,
        "slug": world.team.slug,
        "person_id": world.ana.pk,
    }


def _path(world: FarWorld, route, user) -> str | None:
    names = set(re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route.route))
    wanted = {a or b for a, b in names}
    if not wanted:
        return route.path
    values = _kwargs(world, route, user)
    if not wanted <= set(values):
        return None
    try:
        return reverse(route.name, kwargs={k: values[k] for k in wanted})
    except NoReverseMatch:  # a pattern these values cannot fill (allauth's keys): skipped
        return None


def walk(world: FarWorld, user) -> dict[str, str]:
    client = sign_in(Client(), user)
    pages = {}
    extra = [
        reverse("oncall-schedule", args=[world.schedule.pk]) + "?view=day",
        reverse("oncall-schedule", args=[world.schedule.pk]) + "?view=month",
        reverse("oncall-swap", args=[world.schedule.pk, world.taken.pk]),
        reverse("person-detail", args=[user.pk]),
    ]
    routes = [r for r in all_routes() if r.name and not r.path.startswith(SKIP_PREFIXES)]
    paths = [p for p in (_path(world, r, user) for r in routes) if p] + extra
    for path in dict.fromkeys(paths):
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages[path] = response.content.decode()
        assert client.session.get("_auth_user_id") == str(user.pk), f"{path} signed us out"
    return pages


def test_every_page_a_far_viewer_reaches_is_in_their_time(far):
    with time_machine.travel(NOW, tick=False):
        pages = {
            **walk(far, far.viewer),
            **{f"(admin) {k}": v for k, v in walk(far, far.admin).items()},
        }
    # The walk really went everywhere that matters (and the pages carry times to check).
    project_page = reverse("project-detail", args=[far.anas_project.slug])
    for must in ("/", "/me/shifts/", "/oncall/", "/notifications/", "/audit/", project_page):
        assert must in pages or f"(admin) {must}" in pages, must
    assert len(pages) > 30
    problems = {path: page_problems(html, far.zone) for path, html in pages.items()}
    problems = {path: found for path, found in problems.items() if found}
    assert not problems, "\n".join(f"{p}: {found}" for p, found in problems.items())


def test_my_shifts_and_current_markers_are_local(far):
    zone = far.zone
    with time_machine.travel(NOW, tick=False):
        client = sign_in(Client(), far.viewer)
        mine = client.get("/me/shifts/").content.decode()
        dashboard = client.get("/").content.decode()
        team = client.get(reverse("team-detail", args=[far.team.slug])).content.decode()
        shifts = oncall_selectors.my_shifts(far.viewer, NOW, NOW + timedelta(days=30))
    assert shifts
    for shift in shifts:
        # Each edge as the viewer's wall time; the same edge in UTC is nowhere.
        for edge in (shift.start, shift.end):
            assert timefmt.fmt_day_time(edge, zone) in mine
            assert timefmt.fmt_day_time(edge, "UTC") not in mine
    local_now = NOW.astimezone(timefmt.to_zone(zone))
    assert f"It is <strong>{timefmt.fmt_weekday_time(NOW, zone)}</strong>" in dashboard
    assert timefmt.fmt_offset(NOW, zone) in dashboard  # the zone by offset, not "LINT"/"SST"
    assert f"Today, {timefmt.fmt_day(local_now.date())}," in team  # "Today, Thu 03 Dec,"


# --- every notification text ---------------------------------------------------------------------


ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT")
BARE_UTC = re.compile(r"\bUTC\b(?![+\u2212-]\d)")  # "(UTC)", "UTC" alone: not the reader's zone


ADMINS_ONLY = {"escalation.unacknowledged"}


def _zone_of(user) -> str:
    return user.profile.time_zone


def test_every_notification_kind_reads_in_the_recipients_zone(far):
    zone = far.zone
    notes = list(Notification.objects.select_related("recipient__profile").order_by("pk"))
    kinds = {n.kind for n in notes if n.recipient_id == far.viewer.pk}
    # Only managers (here, with none, admins) hear that nobody acknowledged an urgent update.
    kinds |= {n.kind for n in notes if n.recipient_id == far.admin.pk and n.kind in ADMINS_ONLY}
    assert set(KIND_LABELS) <= kinds, f"no far-zone notice of {set(KIND_LABELS) - kinds}"
    usernames = list(get_user_model().objects.values_list("username", flat=True))
    for n in notes:
        text = f"{n.title}\n{n.body}"
        recipient_zone = _zone_of(n.recipient)
        assert not ISO_INSTANT.search(text), text
        assert not BARE_UTC.search(text), text
        for username in usernames:
            assert username.lower() not in text.lower(), (username, text)
        assert not weekday_date_mismatches(text), text
        # A text that gives a time names the reader's zone with its offset.
        if re.search(r"\b\d\d:\d\d\b", text):
            assert recipient_zone in text, text
            assert timefmt.fmt_offset(n.created_at, recipient_zone) in text, text
        for rendered in (slack_text(n), digest_text([n])):
            assert not ISO_INSTANT.search(rendered)

    def one(kind, recipient, title_part=""):
        return next(
            n
            for n in notes
            if n.kind == kind and n.recipient_id == recipient.pk and title_part in n.title
        )

    # The texts carry the right instants, in the viewer's zone (not UTC's weekday or clock).
    start = one("oncall.shift_starting", far.viewer)
    shift = (utc(2026, 12, 1, 10), utc(2026, 12, 2, 1))  # until Bo's Manila office hours
    assert timefmt.fmt_span(*shift, zone) in start.body
    assert timefmt.fmt_day_time(shift[0], "UTC") not in start.body
    ended = one("oncall.shift_ending", far.viewer)
    assert timefmt.fmt_day_time(utc(2026, 12, 2, 10), zone) in ended.body
    prompt = one("handoffs.prompt", far.viewer, "Primary")
    assert timefmt.fmt_day_time(utc(2026, 12, 2, 10), zone) in prompt.body
    asked = one("oncall.override", far.viewer, "asks you")
    assert asked.title == "Ana R asks you to take their shift"
    assert timefmt.fmt_span(far.asked.start, far.asked.end, zone) in asked.body
    taken = one("oncall.override", far.viewer, "Swap taken by Bo Campbell")
    assert timefmt.fmt_span(far.taken.start, far.taken.end, zone) in taken.body
    # Each party of a swap reads it in their own zone.
    ana_side = one("oncall.override", far.ana, "Swap taken")
    assert ana_side.title == "Swap taken by Kai Faraway"
    assert timefmt.fmt_span(far.asked.start, far.asked.end, "Asia/Manila") in ana_side.body
    bo_side = one("oncall.override", far.bo, "Swap taken")
    assert timefmt.fmt_span(far.taken.start, far.taken.end, "America/Los_Angeles") in bo_side.body
    reset = one("accounts.mfa_reset", far.viewer)
    assert reset.body.startswith("Ada Minister removed")
    assert timefmt.fmt_day_time(NOW, zone) in reset.body

    # ...and the inbox shows them so: local times, the sender's time in their own city.
    with time_machine.travel(NOW, tick=False):
        inbox = sign_in(Client(), far.viewer).get("/notifications/?page=1").content.decode()
    listing = inbox[inbox.index('id="notification-list"') :]
    text = visible_text(listing)
    assert not ISO_INSTANT.search(text)
    assert not page_problems(listing, zone)
    assert timefmt.fmt_weekday_time(NOW, zone) in text  # when each arrived, local
    assert f"({timefmt.fmt_local_for(far.ana.profile, NOW)})" in text  # "18:30 in Manila"
    for username in usernames:
        assert username not in text
