"""The on-call pages: who is on call now, schedules and their lanes, layer forms with instant
validation, the follow-the-sun preset, my shifts, swaps and overrides."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oncall import services
from oncall.models import IcalFeed, Layer, LayerVersion, Override, Schedule, SwapRequest
from tests.conftest import sign_in
from tests.csp import assert_csp_clean
from tests.factories import SYSTEM, PersonFactory, TeamFactory, add_member
from tests.oncall.world import daily_layer

pytestmark = pytest.mark.django_db


def _monday_last_week() -> str:
    today = timezone.now().date()
    return (today - timedelta(days=today.weekday() + 7)).isoformat()


def _layer(w, people=None, **extra):
    spec = {
        "name": "Weekly",
        "time_zone": "Europe/London",
        "start": f"{_monday_last_week()}T09:00",
        "shift_length": {"count": 1, "unit": "weeks"},
        "participants": [p.pk for p in (people or [w.ana, w.bo])],
    }
    spec.update(extra)
    return services.layer_create(actor=SYSTEM, schedule=w.schedule, **spec)


def _layer_post(w, **extra) -> dict:
    data = {
        "name": "Business hours",
        "priority": "5",
        "time_zone": "Asia/Manila",
        "start": f"{_monday_last_week()}T00:00",
        "shift_count": "1",
        "shift_unit": "days",
        "participants": "ana\nbo",
        "end": "",
        "window_rows": "3",
        "w0_days": ["0", "1", "2", "3", "4"],
        "w0_start": "09:00",
        "w0_end": "17:00",
    }
    data.update(extra)
    return data


# --- every page renders for a member, with no inline script or style ---------------------------


def test_pages_render_for_a_member_and_are_csp_clean(world):
    layer = _layer(world)
    world.override(
        world.cy, timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=1, hours=3)
    )
    client = world.client(world.ana)
    pk = world.schedule.pk
    urls = [
        "/oncall/",
        "/schedules/",
        f"/schedules/{pk}/",
        f"/schedules/{pk}/?view=day",
        f"/schedules/{pk}/?view=month&tz=schedule",
        f"/schedules/{pk}/?view=week&date=2030-03-31",
        f"/schedules/{pk}/swaps/",
        "/me/shifts/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.content.decode(), url)
    lead = world.client(world.lead)
    for url in (
        f"/schedules/{pk}/layers/new/",
        f"/schedules/{pk}/layers/{layer.pk}/edit/",
        f"/schedules/{pk}/follow-the-sun/",
        "/schedules/",
    ):
        response = lead.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.content.decode(), url)


def test_nav_links_to_the_oncall_pages(world):
    html = world.client(world.ana).get("/").content.decode()
    for href in ('href="/oncall/"', 'href="/schedules/"', 'href="/me/shifts/"'):
        assert href in html


def test_oncall_now_shows_person_local_time_and_gaps(world):
    _layer(world)
    TeamFactory(name="Empty")
    empty = services.schedule_create(
        actor=SYSTEM, team=world.team, name="Nobody here", time_zone="UTC"
    )
    html = world.client(world.outsider).get("/oncall/").content.decode()
    assert "Primary" in html and "Nobody here" in html
    row = re.search(rf'data-schedule="{empty.pk}".*?</tr>', html, re.S).group(0)
    assert "Nobody (gap)" in row and "gap-row" in html
    row = re.search(rf'data-schedule="{world.schedule.pk}".*?</tr>', html, re.S).group(0)
    assert ("Ana" in row and "Asia/Manila" in row) or ("Bo" in row and "America/New_York" in row)


# --- permissions --------------------------------------------------------------------------------


def test_non_member_cannot_see_a_schedule(world):
    client = world.client(world.outsider)
    pk = world.schedule.pk
    for url in (f"/schedules/{pk}/", f"/schedules/{pk}/swaps/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/schedules/{pk}/overrides/", {}).status_code == 404
    assert client.get(f"/schedules/{pk}/follow-the-sun/").status_code == 404
    assert "Primary" not in client.get("/schedules/").content.decode()


def test_member_cannot_edit_lead_can(world):
    layer = _layer(world)
    pk = world.schedule.pk
    member = world.client(world.ana)
    for url in (
        f"/schedules/{pk}/layers/new/",
        f"/schedules/{pk}/layers/{layer.pk}/edit/",
        f"/schedules/{pk}/follow-the-sun/",
    ):
        assert member.get(url).status_code == 403, url
    assert member.post(f"/schedules/{pk}/layers/new/", _layer_post(world)).status_code == 403
    assert member.post(f"/schedules/{pk}/layers/{layer.pk}/delete/").status_code == 403
    assert member.post(f"/schedules/{pk}/layers/validate/", _layer_post(world)).status_code == 403
    html = member.get(f"/schedules/{pk}/").content.decode()
    assert (
        "Add layer" not in html
        and "schedule-form" not in member.get("/schedules/").content.decode()
    )
    # A member may only override themselves.
    start = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.now() + timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = member.post(
        f"/schedules/{pk}/overrides/", {"person": world.bo.pk, "start": start, "end": end}
    )
    assert response.status_code == 400 and not Override.objects.exists()

    lead = world.client(world.lead)
    response = lead.post(f"/schedules/{pk}/layers/new/", _layer_post(world))
    assert response.status_code == 302
    assert Layer.objects.filter(schedule=world.schedule, name="Business hours").exists()
    assert lead.post(f"/schedules/{pk}/layers/{layer.pk}/delete/").status_code == 302
    assert Layer.objects.get(pk=layer.pk).removed_at is not None


def test_lead_creates_a_schedule_and_member_cannot(world):
    lead = world.client(world.lead)
    response = lead.post(
        "/schedules/",
        {"name": "Secondary", "team": world.team.pk, "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get(name="Secondary")
    assert response["Location"] == f"/schedules/{schedule.pk}/"
    response = lead.post(
        "/schedules/",
        {
            "name": "Sunny",
            "team": world.team.pk,
            "time_zone": "UTC",
            "follow_the_sun": "on",
        },
    )
    sunny = Schedule.objects.get(name="Sunny")
    assert response["Location"] == f"/schedules/{sunny.pk}/follow-the-sun/"
    other = TeamFactory(name="Other")
    response = lead.post("/schedules/", {"name": "X", "team": other.pk, "time_zone": "UTC"})
    assert response.status_code == 400 and not Schedule.objects.filter(name="X").exists()
    member = world.client(world.ana)
    response = member.post("/schedules/", {"name": "Y", "team": world.team.pk, "time_zone": "UTC"})
    assert response.status_code in (400, 403) and not Schedule.objects.filter(name="Y").exists()


def test_bad_schedule_form_shows_errors_and_writes_nothing(world):
    before = Schedule.objects.count()
    response = world.client(world.lead).post(
        "/schedules/", {"name": "", "team": world.team.pk, "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "field-error" in html and "Mars/Olympus" in html
    assert Schedule.objects.count() == before


# --- layer forms and instant validation ---------------------------------------------------------


def test_bad_layer_input_writes_nothing_and_shows_field_errors(world):
    client = world.client(world.lead)
    pk = world.schedule.pk
    bad = _layer_post(
        world,
        time_zone="Nowhere/Land",
        shift_count="0",
        participants="ana\nghost",
        w0_start="25:00",
    )
    response = client.post(f"/schedules/{pk}/layers/new/", bad)
    assert response.status_code == 400
    assert "Unknown usernames: ghost" in response.content.decode()
    assert not Layer.objects.exists()
    bad["participants"] = "ana"
    response = client.post(f"/schedules/{pk}/layers/new/", bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "is not a time zone we know" in html
    assert "count must be at least 1" in html
    assert "HH:MM" in html
    assert 'id="field-time_zone"' in html and "field-error" in html
    assert not Layer.objects.exists()


def test_validate_endpoint_returns_errors_then_a_preview(world):
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/layers/validate/"
    response = client.post(url, _layer_post(world, shift_count="0"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "layer-errors" in html and "count must be at least 1" in html
    assert "<html" not in html  # a fragment for htmx
    response = client.post(url, _layer_post(world), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "layer-ok" in html and "<svg" in html and "<rect" in html
    assert html.count('class="lane"') == 7  # the seven days of the coming week
    assert "gap-item" in html  # nights and weekends are gaps
    assert_csp_clean(html, url)
    assert not Layer.objects.exists()  # validation never writes


def test_layer_edit_takes_effect_from_now_and_keeps_history(world):
    layer = _layer(world)
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/layers/{layer.pk}/edit/"
    html = client.get(url).content.decode()
    assert "ana\nbo" in html and 'name="effective_from"' in html
    data = _layer_post(world, name="Weekly", time_zone="Europe/London", participants="cy")
    data["start"] = f"{_monday_last_week()}T09:00"
    data["shift_unit"] = "weeks"
    data["w0_days"], data["w0_start"], data["w0_end"] = [], "", ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = list(LayerVersion.objects.filter(layer=layer).order_by("effective_from"))
    assert len(versions) == 2
    assert versions[0].participants == [world.ana.pk, world.bo.pk]
    assert versions[1].participants == [world.cy.pk]


# --- follow the sun -----------------------------------------------------------------------------


QUIET_WEDNESDAY = datetime(2026, 11, 18, 12, tzinfo=UTC)  # no DST change in the next weeks


def _fts_post(extra=None) -> dict:
    data = {
        "region_rows": "4",
        "r0_on": "1",
        "r0_zone": "Asia/Manila",
        "r0_start": "09:00",
        "r0_end": "17:00",
        "r0_days": ["0", "1", "2", "3", "4"],
        "r0_participants": "ana",
        "r1_on": "1",
        "r1_zone": "America/New_York",
        "r1_start": "09:00",
        "r1_end": "17:00",
        "r1_days": ["0", "1", "2", "3", "4"],
        "r1_participants": "bo",
        "r2_zone": "",
        "r3_zone": "",
    }
    data.update(extra or {})
    return data


def test_follow_the_sun_lists_team_zones_with_counts(world):
    with time_machine.travel(QUIET_WEDNESDAY, tick=False):  # DST changes shift a handover
        html = world.client(world.lead).get(f"/schedules/{world.schedule.pk}/follow-the-sun/")
    html = html.content.decode()
    for zone in ("Asia/Manila", "America/New_York", "Europe/London"):
        assert f'value="{zone}"' in html
    assert "2 members" in html  # Lena and Cy in London
    # The default regions hand over to each other around the clock, every day: no gap.
    assert 'id="fts-covered">100.0%' in html and "No gaps" in html


def test_follow_the_sun_preview_lists_gaps_in_my_zone_and_utc(world):
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/follow-the-sun/preview/"
    html = client.post(url, _fts_post(), HTTP_HX_REQUEST="true").content.decode()
    assert "fts-gaps" in html and "gap-item" in html and "UTC" in html
    assert "<html" not in html
    assert_csp_clean(html, url)
    # With a 24/7 fallback there is no gap.
    html = client.post(
        url, _fts_post({"fallback_on": "1", "fallback_participants": "cy"})
    ).content.decode()
    assert "No gaps" in html
    assert not Layer.objects.exists()


def test_follow_the_sun_creates_one_layer_per_region_and_fallback(world):
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/follow-the-sun/"
    response = client.post(url, _fts_post({"fallback_on": "1", "fallback_participants": "cy"}))
    assert response.status_code == 302
    layers = list(Layer.objects.filter(schedule=world.schedule).order_by("id"))
    assert len(layers) == 3
    zones = [lay.versions.get().time_zone for lay in layers]
    assert zones == ["Asia/Manila", "America/New_York", "Europe/London"]
    manila = layers[0].versions.get()
    assert manila.restrictions == [{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}]
    assert manila.participants == [world.ana.pk] and manila.priority > 0
    assert layers[2].versions.get().restrictions == []


def test_follow_the_sun_bad_input_writes_nothing(world):
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/follow-the-sun/"
    response = client.post(url, _fts_post({"r1_zone": "Atlantis/Deep", "r0_participants": "zed"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown usernames: zed" in html and "is not a time zone we know" in html
    assert not Layer.objects.exists()
    response = client.post(url, {"region_rows": "0"})
    assert response.status_code == 400 and not Layer.objects.exists()


SPREAD_TEAM = [  # (username, zone): eight people on three continents
    ("sf1", "America/Los_Angeles"),
    ("ny1", "America/New_York"),
    ("ny2", "America/New_York"),
    ("ld1", "Europe/London"),
    ("be1", "Europe/Berlin"),
    ("be2", "Europe/Berlin"),
    ("mn1", "Asia/Manila"),
    ("sy1", "Australia/Sydney"),
]


def test_follow_the_sun_defaults_to_three_regions_covering_the_whole_week(db):
    team = TeamFactory(name="Global")
    lead = PersonFactory(username="gl", display_name="Glo Lead", time_zone="Europe/Berlin")
    add_member(team, lead, role="lead")
    for username, zone in SPREAD_TEAM:
        add_member(team, PersonFactory(username=username, time_zone=zone))
    schedule = services.schedule_create(
        actor=SYSTEM, team=team, name="Global", time_zone="Europe/Berlin"
    )
    url = f"/schedules/{schedule.pk}/follow-the-sun/"
    with time_machine.travel(QUIET_WEDNESDAY, tick=False):
        client = sign_in(Client(), lead)
        response = client.get(url)
        html = response.content.decode()
        rows = [r for r in response.context["rows"] if r["on"]]
        assert [(r["region"], r["zone"], r["count"]) for r in rows] == [
            ("Asia/Pacific", "Asia/Manila", 2),
            ("Europe/Africa", "Europe/Berlin", 4),
            ("Americas", "America/New_York", 3),
        ]
        assert all(r["days"] == ["0", "1", "2", "3", "4", "5", "6"] for r in rows)
        assert response.context["covered"] == 100.0 and response.context["gap_hours"] == 0
        # The coverage comes first: before the explanation, the form and the week.
        assert html.index('id="fts-coverage"') < html.index('id="fts-form"')
        assert html.index('id="fts-coverage"') < html.index("Each region gets a layer")
        assert 'id="fts-covered">100.0%' in html and "No gaps" in html
        assert_csp_clean(html, url)

        # Saving the defaults as they are makes the three layers.
        post = {"region_rows": str(len(response.context["rows"]))}
        for row in response.context["rows"]:
            i = row["i"]
            post.update({f"r{i}_zone": row["zone"], f"r{i}_participants": row["participants"]})
            post.update({f"r{i}_start": row["start"], f"r{i}_end": row["end"]})
            post[f"r{i}_days"] = row["days"]
            if row["on"]:
                post[f"r{i}_on"] = "1"
        preview = client.post(url + "preview/", post, HTTP_HX_REQUEST="true")
        fragment = preview.content.decode()
        assert 'id="fts-coverage" class="card fts-coverage full" hx-swap-oob="true"' in fragment
        assert "No gaps" in fragment
        # Without the Americas, their hours show as the gap at the top.
        preview = client.post(url + "preview/", {**post, "r2_on": ""}, HTTP_HX_REQUEST="true")
        fragment = preview.content.decode()
        americas = rows[2]
        daily = (int(americas["end"][:2]) - int(americas["start"][:2])) % 24
        assert americas["end"][2:] == americas["start"][2:] == ":00" and daily >= 6
        assert preview.context["gap_hours"] == 7 * daily  # their hours, every day
        assert f'id="fts-gap-hours"><strong>{7 * daily} h a week' in fragment
        assert client.post(url, post).status_code == 302
    layers = Layer.objects.filter(schedule=schedule).order_by("id")
    assert [lay.versions.get().time_zone for lay in layers] == [
        "Asia/Manila",
        "Europe/Berlin",
        "America/New_York",
    ]
    assert layers[0].versions.get().restrictions == [
        {"days": [0, 1, 2, 3, 4, 5, 6], "start": "08:00", "end": "17:00"}
    ]


def test_bad_zone_messages_say_what_is_wrong_and_suggest_a_zone(world):
    client = world.client(world.lead)
    pk = world.schedule.pk
    html = client.post(
        f"/schedules/{pk}/follow-the-sun/", _fts_post({"r1_zone": "America/New_Yrok"})
    ).content.decode()
    expected = (
        "&#x27;America/New_Yrok&#x27; is not a time zone we know. Did you mean America/New_York?"
    )
    assert expected in html and "pytz" not in html
    html = client.post(
        f"/schedules/{pk}/layers/new/", _layer_post(world, time_zone="Asia/Manilla")
    ).content.decode()
    assert "Did you mean Asia/Manila?" in html
    # The people pages validate zones through teams: the same words.
    me = {"display_name": "Lena", "country": "GB", "time_zone": "europe/londn"}
    html = client.post("/me/", me).content.decode()
    assert "is not a time zone we know. Did you mean Europe/London?" in html
    assert not Layer.objects.exists()


def test_schedule_bars_have_distinct_colours_full_names_and_focusable_tooltips(world):
    team_people = [world.ana, world.bo, world.cy]
    _layer(world, people=team_people, shift_length={"count": 1, "unit": "days"})
    html = world.client(world.lead).get(f"/schedules/{world.schedule.pk}/").content.decode()
    lane = re.search(r'data-lane="layer:\d+".*?</svg>', html, re.S).group(0)
    bars = re.findall(r'<g class="seg ([^"]+)" tabindex="0" role="img" aria-label="([^"]+)"', lane)
    assert len(bars) >= 3
    by_name = {}
    for css, label in bars:
        by_name.setdefault(label.split(":")[0], set()).add(css)
    assert set(by_name) == {"Ana", "Bo", "Cy"}
    assert all(len(styles) == 1 for styles in by_name.values())  # one style per person
    assert len({next(iter(s)) for s in by_name.values()}) == 3  # and three different ones
    for (css, _label), (css_next, _next) in zip(bars, bars[1:], strict=False):
        assert css != css_next  # neighbours differ
    ana = next(label for _css, label in bars if label.startswith("Ana:"))
    assert re.search(r"\(Europe/London, UTC\+0[01]:00", ana) and "their local time" in ana
    assert "(Asia/Manila, UTC+08:00)" in ana
    assert 'role="group" aria-label="Final lane"' in html
    legend = re.search(r'id="legend".*?</p>', html, re.S).group(0)
    for css in by_name.values():
        assert f'class="swatch {next(iter(css))}"' in legend


# --- overrides and the final lane ---------------------------------------------------------------


def _final_lane(html: str) -> str:
    return re.search(r'data-lane="final".*?</svg>', html, re.S).group(0)


def test_override_fills_a_gap_and_changes_the_final_lane(world):
    # Weekdays 09:00-17:00 London only: the rest of the week is a gap.
    _layer(
        world,
        restrictions=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
    )
    client = world.client(world.lead)  # Europe/London
    next_week = (timezone.now() + timedelta(days=7)).date()
    saturday = next_week + timedelta(days=5 - next_week.weekday())
    page = f"/schedules/{world.schedule.pk}/?view=week&date={saturday.isoformat()}"
    before = _final_lane(client.get(page).content.decode())
    gaps_before = before.count('class="gap"')
    assert gaps_before >= 1
    response = client.post(
        f"/schedules/{world.schedule.pk}/overrides/",
        {
            "person": world.cy.pk,
            # Friday 17:00 to Monday 00:00 London: the whole weekend gap in view.
            "start": f"{(saturday - timedelta(days=1)).isoformat()}T17:00",
            "end": f"{(saturday + timedelta(days=2)).isoformat()}T00:00",
        },
    )
    assert response.status_code == 302
    assert Override.objects.get().person_id == world.cy.pk
    after = _final_lane(client.get(page).content.decode())
    assert after != before
    assert "Cy:" in after
    assert after.count('class="gap"') < gaps_before


def test_override_times_are_in_the_viewer_zone(world):
    client = world.client(world.ana)  # Asia/Manila, UTC+8, no DST
    response = client.post(
        f"/schedules/{world.schedule.pk}/overrides/",
        {"person": world.ana.pk, "start": "2030-01-07T09:00", "end": "2030-01-07T17:00"},
    )
    assert response.status_code == 302
    override = Override.objects.get()
    assert override.start.isoformat() == "2030-01-07T01:00:00+00:00"
    assert override.end.isoformat() == "2030-01-07T09:00:00+00:00"


def test_bad_override_shows_errors_and_writes_nothing(world):
    client = world.client(world.lead)
    response = client.post(
        f"/schedules/{world.schedule.pk}/overrides/",
        {"person": world.cy.pk, "start": "2030-01-07T17:00", "end": "2030-01-07T09:00"},
    )
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    response = client.post(
        f"/schedules/{world.schedule.pk}/overrides/",
        {"person": world.cy.pk, "start": "yesterday", "end": ""},
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()
    assert not Override.objects.exists()


def test_override_delete_by_editor_only(world):
    override = world.override(
        world.cy, timezone.now() + timedelta(days=1), timezone.now() + timedelta(days=2)
    )
    url = f"/schedules/{world.schedule.pk}/overrides/{override.pk}/delete/"
    assert world.client(world.ana).post(url).status_code == 403
    assert world.client(world.lead).post(url).status_code == 302
    assert not Override.objects.exists()


# --- my shifts, feeds, notice -------------------------------------------------------------------


def test_my_shifts_feed_and_notice(world):
    _layer(world, people=[world.ana])
    client = world.client(world.ana)
    html = client.get("/me/shifts/").content.decode()
    assert "Primary" in html and "my-shifts" in html
    response = client.post("/me/shifts/feed/", {"action": "regenerate"})
    assert response.status_code == 302
    html = client.get("/me/shifts/").content.decode()
    assert "/ical/" in html and "new-feed-url" in html
    assert "new-feed-url" not in client.get("/me/shifts/").content.decode()  # shown once
    client.post("/me/shifts/feed/", {"action": "revoke"})
    assert not IcalFeed.objects.filter(owner=world.ana, revoked_at__isnull=True).exists()
    response = client.post("/me/shifts/notice/", {"shift_notice_minutes": "-5"})
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post("/me/shifts/notice/", {"shift_notice_minutes": "15"})
    assert response.status_code == 302
    assert world.ana.oncall_preferences.shift_notice_minutes == 15


def test_schedule_feed_regenerate(world):
    client = world.client(world.ana)
    response = client.post(f"/schedules/{world.schedule.pk}/feed/", {"action": "regenerate"})
    assert response.status_code == 302
    html = client.get(f"/schedules/{world.schedule.pk}/").content.decode()
    assert "/ical/" in html
    assert IcalFeed.objects.filter(owner=world.ana, schedule=world.schedule).count() == 1
    assert (
        world.client(world.outsider).post(f"/schedules/{world.schedule.pk}/feed/").status_code
        == 404
    )


# --- swaps --------------------------------------------------------------------------------------


def test_swap_request_take_and_history(world):
    # Ana is on call for the whole of the coming weeks (a one-person weekly rotation).
    _layer(world, people=[world.ana])
    ana = world.client(world.ana)
    pk = world.schedule.pk
    html = ana.get(f"/schedules/{pk}/swaps/").content.decode()
    choice = re.search(r'name="shift"[^>]*>.*?<option value="(\d+)"', html, re.S).group(1)
    response = ana.post(f"/schedules/{pk}/swaps/", {"shift": choice, "note": "holiday"})
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert response["Location"] == f"/schedules/{pk}/swaps/{swap.pk}/"
    detail = ana.get(response["Location"])
    assert detail.status_code == 200
    assert_csp_clean(detail.content.decode(), response["Location"])
    bo = world.client(world.bo)
    html = bo.get(f"/schedules/{pk}/swaps/").content.decode()
    assert "Take it" in html
    assert bo.post(f"/schedules/{pk}/swaps/{swap.pk}/accept/").status_code == 302
    swap.refresh_from_db()
    assert swap.taker_id == world.bo.pk and swap.override_id is not None
    # The outsider sees nothing; an unknown action is a 404.
    assert world.client(world.outsider).get(f"/schedules/{pk}/swaps/{swap.pk}/").status_code == 404
    assert bo.post(f"/schedules/{pk}/swaps/{swap.pk}/explode/").status_code == 404


def test_swap_approval_decline_and_history_kept(world):
    world.schedule.requires_lead_approval_for_swaps = True
    world.schedule.save()
    _layer(world, people=[world.ana])
    ana = world.client(world.ana)
    pk = world.schedule.pk
    html = ana.get(f"/schedules/{pk}/swaps/").content.decode()
    choice = re.search(r'name="shift"[^>]*>.*?<option value="(\d+)"', html, re.S).group(1)
    ana.post(f"/schedules/{pk}/swaps/", {"shift": choice})
    swap = SwapRequest.objects.get()
    world.client(world.bo).post(f"/schedules/{pk}/swaps/{swap.pk}/accept/")
    swap.refresh_from_db()
    assert swap.awaiting_approval
    # A member cannot approve; the lead can decline, and the request stays in the history.
    assert (
        world.client(world.cy).post(f"/schedules/{pk}/swaps/{swap.pk}/approve/").status_code == 403
    )
    lead = world.client(world.lead)
    assert "Approve" in lead.get(f"/schedules/{pk}/swaps/{swap.pk}/").content.decode()
    assert lead.post(f"/schedules/{pk}/swaps/{swap.pk}/decline/").status_code == 302
    swap.refresh_from_db()
    assert swap.status == "declined"
    html = ana.get(f"/schedules/{pk}/swaps/").content.decode()
    history = re.search(r'id="swap-history".*?</ul>', html, re.S).group(0)
    assert "Declined" in history


def test_bad_swap_input_writes_nothing(world):
    _layer(world, people=[world.ana])
    response = world.client(world.ana).post(
        f"/schedules/{world.schedule.pk}/swaps/", {"shift": "12345"}
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()
    assert not SwapRequest.objects.exists()


# --- query counts -------------------------------------------------------------------------------


def _org_with_schedules(n: int, team, people):
    for i in range(n):
        schedule = Schedule.objects.create(team=team, name=f"S{i:03d}", time_zone="UTC")
        daily_layer(
            schedule,
            people,
            name="L",
            time_zone="Asia/Manila",
            start="2026-01-05T09:00",
            restrictions=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}],
        )


def _count(client, url) -> int:
    from django.core.cache import cache

    from oncall.selectors import NOW_CACHE_KEY

    client.get(url)  # warm up: the first request of a session writes it
    cache.delete(NOW_CACHE_KEY)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/oncall/", "/schedules/"])
def test_fixed_query_counts(url):
    team = TeamFactory(name="Ops")
    people = [PersonFactory(time_zone=z) for z in ("Asia/Manila", "Europe/Paris", "UTC")]
    viewer = PersonFactory(username="vic")
    add_member(team, viewer, role="lead")
    for p in people:
        add_member(team, p)
    client = sign_in(Client(), viewer)
    _org_with_schedules(10, team, people)
    small = _count(client, url)
    _org_with_schedules(90, team, people)
    big = _count(client, url)
    assert big == small, (small, big)
    assert big <= 20  # session, user, header (bell) and the page's own few


def test_layer_edit_in_the_past_or_garbage_writes_nothing(world):
    layer = _layer(world)
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/layers/{layer.pk}/edit/"
    data = _layer_post(world, name="Weekly", participants="cy")
    for when, message in (
        ("2001-01-01T00:00", "cannot take effect in the past"),
        ("soon", "Give a date and time"),
    ):
        data["effective_from"] = when
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert LayerVersion.objects.filter(layer=layer).count() == 1


def test_schedule_zone_switch_and_open_swaps_on_my_shifts(world):
    _layer(world, people=[world.ana])
    ana = world.client(world.ana)  # Asia/Manila
    pk = world.schedule.pk
    mine = ana.get(f"/schedules/{pk}/?view=day").content.decode()
    theirs = ana.get(f"/schedules/{pk}/?view=day&tz=schedule").content.decode()
    assert "in your zone, Asia/Manila" in mine
    assert "in the schedule's zone, Europe/London" in theirs
    html = ana.get(f"/schedules/{pk}/swaps/").content.decode()
    choice = re.search(r'name="shift"[^>]*>.*?<option value="(\d+)"', html, re.S).group(1)
    ana.post(f"/schedules/{pk}/swaps/", {"shift": choice})
    html = world.client(world.bo).get("/me/shifts/").content.decode()
    assert "gives away" in re.search(r'id="swaps-to-take".*?</ul>', html, re.S).group(0)


def test_schedule_page_query_count_does_not_grow_with_layers(world):
    client = world.client(world.lead)
    url = f"/schedules/{world.schedule.pk}/"
    _layer(world)
    small = _count(client, url)
    now = timezone.now()
    for i in range(5):
        _layer(world, name=f"L{i}", people=[world.ana, world.bo, world.cy])
        world.override(world.cy, now + timedelta(hours=i * 5), now + timedelta(hours=i * 5 + 2))
    assert _count(client, url) == small


def test_schedule_settings_edit_and_delete(world):
    pk = world.schedule.pk
    member = world.client(world.ana)
    assert member.get(f"/schedules/{pk}/settings/").status_code == 403
    assert (
        member.post(f"/schedules/{pk}/delete/", {"confirm": world.schedule.name}).status_code == 403
    )

    lead = world.client(world.lead)
    page = lead.get(f"/schedules/{pk}/settings/")
    assert page.status_code == 200 and "schedule-settings-form" in page.content.decode()
    assert_csp_clean(page.content.decode(), f"/schedules/{pk}/settings/")

    bad = lead.post(f"/schedules/{pk}/settings/", {"name": "Renamed", "time_zone": "Mars/Base"})
    assert bad.status_code == 400 and "time_zone" in bad.content.decode()
    world.schedule.refresh_from_db()
    assert world.schedule.name != "Renamed"

    good = lead.post(
        f"/schedules/{pk}/settings/",
        {
            "name": "Renamed",
            "time_zone": "Asia/Tokyo",
            "requires_lead_approval_for_swaps": "on",
        },
    )
    assert good.status_code == 302
    world.schedule.refresh_from_db()
    assert world.schedule.name == "Renamed" and world.schedule.time_zone == "Asia/Tokyo"
    assert world.schedule.requires_lead_approval_for_swaps

    # Deleting needs the name typed back; a wrong confirmation deletes nothing.
    assert lead.post(f"/schedules/{pk}/delete/", {"confirm": "nope"}).status_code == 302
    assert Schedule.objects.filter(pk=pk).exists()
    assert lead.post(f"/schedules/{pk}/delete/", {"confirm": "Renamed"}).status_code == 302
    assert not Schedule.objects.filter(pk=pk).exists()
