"""Bad input: every rule gives a ValidationError naming the field, with a message a person can
act on, and nothing is written. The pure rules (projects.validation, core.validation) first,
then the same rules through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core import validation as v
from projects import services
from projects import validation as pv
from projects.models import Project
from teams import services as team_services
from tests.projects.org import SYSTEM, actor, counts


def field_error(fn, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    [(field, messages)] = exc.value.message_dict.items()
    return field, " ".join(messages)


# --- core.validation -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 91, -1, "abc", "", None, 1.5, "2.0", True, "1_0", "١٢"])
def test_cadence_out_of_range_or_not_a_whole_number(value):
    field, message = field_error(pv.clean_cadence, value)
    assert field == "update_cadence_days"
    assert message == "The update cadence (days) is a whole number from 1 to 90."


@pytest.mark.parametrize("value, expected", [(1, 1), (90, 90), (" 14 ", 14), ("+7", 7), (7.0, 7)])
def test_cadence_in_range(value, expected):
    assert pv.clean_cadence(value) == expected


@pytest.mark.parametrize("value", [-1, 5, 99, "urgent", 2.5, False])
def test_priority_out_of_range(value):
    field, message = field_error(pv.clean_priority, value)
    assert field == "priority" and "from 0 to 4" in message


def test_unicode_digits_and_underscores_are_not_numbers():
    """Bug fixed: int() reads '١٢' as 12 and '1_0' as 10; a form field should not."""
    for value in ("١٢", "1_0", "1 0", "0x10"):
        with pytest.raises(ValidationError):
            v.clean_int(value, field="n", what="N", low=0, high=100)
        with pytest.raises(ValidationError):
            v.clean_decimal(value, field="n", what="N")


@pytest.mark.parametrize("value", ["great", "", None, "ON_TRACK", "on track"])
def test_unknown_health(value):
    field, message = field_error(pv.clean_health, value)
    assert field == "health"
    assert "is not a health (on_track, at_risk, off_track)" in message


def test_known_health_and_status():
    assert pv.clean_health(" at_risk ") == "at_risk"
    assert pv.clean_status("paused") == "paused"
    assert field_error(pv.clean_status, "finished")[0] == "status"


@pytest.mark.parametrize(
    "links",
    [
        "javascript:alert(1)",
        "Docs javascript:alert(1)",
        [{"title": "x", "url": "javascript:alert(1)"}],
        [{"title": "x", "url": "JAVASCRIPT:alert(1)"}],
        [{"title": "x", "url": "data:text/html,<script>alert(1)</script>"}],
        [{"title": "x", "url": "ftp://example.com/"}],
        [{"title": "x", "url": "//example.com/"}],
        [{"title": "x", "url": "https://"}],
        [{"title": "x", "url": "https://exa mple.com/"}],
        [{"title": "x", "url": "https://example.com/", "onclick": "y"}],
        ["https://example.com/"],
        {"title": "x", "url": "https://example.com/"},
        [{"title": "t" * 121, "url": "https://example.com/"}],
        [{"title": "x", "url": "https://example.com/" + "a" * 500}],
        [{"title": "x", "url": "https://example.com/"}] * 21,
        42,
    ],
)
def test_bad_links(links):
    field, message = field_error(pv.clean_links, links)
    assert field == "links" and message


def test_links_from_text_lines_and_lists():
    assert pv.clean_links("Spec https://example.com/spec\n\nhttp://example.org") == [
        {"title": "Spec", "url": "https://example.com/spec"},
        {"title": "", "url": "http://example.org"},
    ]
    assert pv.clean_links([{"url": " https://example.com "}]) == [
        {"title": "", "url": "https://example.com"}
    ]
    assert pv.clean_links(None) == pv.clean_links("") == []


def test_a_javascript_link_message_says_what_is_allowed():
    _field, message = field_error(pv.clean_links, [{"title": "x", "url": "javascript:alert(1)"}])
    assert message == "Link 1: 'javascript:alert(1)' is not an http(s) URL (https://...)."


@pytest.mark.parametrize(
    "value, message",
    [
        ("1.234", "at most 2 decimals"),
        ("1e20", "is below 1,000,000,000,000"),
        ("NaN", "is a number"),
        ("Infinity", "is a number"),
        ("sNaN", "is a number"),
        (True, "is a number"),
        ("abc", "is a number"),
        # Bug fixed: a long number with more than two decimals made quantize() raise
        # InvalidOperation (a 500 from any form or API field using it).
        ("123456789012345678901234567890.123", "is below"),
        ("0.000000000000000000000000000000000001", "at most 2 decimals"),
    ],
)
def test_bad_decimals(value, message):
    field, text = field_error(v.clean_decimal, value, field="target_value", what="The target")
    assert field == "target_value" and message in text


@pytest.mark.parametrize(
    "value, expected",
    [("12.50", Decimal("12.50")), ("1.230", Decimal("1.230")), (7, Decimal(7)), ("", None)],
)
def test_good_decimals(value, expected):
    assert v.clean_decimal(value, field="x", what="X") == expected


def test_dates():
    assert v.clean_date("2027-03-31", field="d", what="D") == date(2027, 3, 31)
    assert v.clean_date(date(2027, 3, 31), field="d", what="D") == date(2027, 3, 31)
    assert v.clean_date("", field="d", what="D") is None
    assert field_error(v.clean_date, "31/03/2027", field="d", what="D") == (
        "d",
        "D is a date like 2027-03-31.",
    )
    # Bug fixed: a datetime passed as a date went through as a datetime, and comparing it
    # with a date (start before target) raised TypeError.
    cleaned = v.clean_date(datetime(2027, 3, 31, 23, 0, tzinfo=UTC), field="d", what="D")
    assert cleaned == date(2027, 3, 31) and type(cleaned) is date
    pv.clean_dates(cleaned, date(2027, 4, 1))


def test_target_before_start():
    assert field_error(pv.clean_dates, date(2027, 3, 2), date(2027, 3, 1)) == (
        "target_date",
        "The target date is before the start date.",
    )
    pv.clean_dates(date(2027, 3, 1), date(2027, 3, 1))
    pv.clean_dates(None, date(2027, 3, 1))


def test_goal_target_date_before_project_start():
    field, message = field_error(pv.clean_goal_date, "2027-02-28", project_start=date(2027, 3, 1))
    assert field == "target_date"
    assert message == "A goal's target date cannot be before the project starts (2027-03-01)."
    assert pv.clean_goal_date("2027-03-01", project_start=date(2027, 3, 1)) == date(2027, 3, 1)
    assert pv.clean_goal_date("2027-01-01", project_start=None) == date(2027, 1, 1)


@pytest.mark.parametrize(
    "value, field",
    [("", "name"), ("   ", "name"), ("n" * 121, "name")],
)
def test_names(value, field):
    assert field_error(pv.clean_name, value)[0] == field


@pytest.mark.parametrize("slug", ["new", "transfers", "map", "export", "-x", "a b", "ü", ""])
def test_bad_slugs(slug):
    assert field_error(pv.clean_slug, slug)[0] == "slug"


def test_slugs_are_lowered():
    assert pv.clean_slug("Billing-2027") == "billing-2027"


@pytest.mark.parametrize("value, expected", [(True, True), ("on", True), ("0", False), ("", False)])
def test_critical(value, expected):
    assert pv.clean_critical(value) is expected


def test_critical_refuses_other_words():
    assert field_error(pv.clean_critical, "maybe") == ("critical", "Critical is true or false.")


def test_acting_until():
    today = date(2027, 3, 1)
    assert pv.clean_acting_until("2027-03-02", today=today) == date(2027, 3, 2)
    for value in ("2027-03-01", "2027-02-01", "2028-03-02", "", "soon"):
        assert field_error(pv.clean_acting_until, value, today=today)[0] == "until"


def test_markdown_length():
    pv.clean_description("x" * 20_000)
    assert field_error(pv.clean_description, "x" * 20_001) == (
        "description",
        "The text has at most 20,000 characters.",
    )


# --- through the services: nothing written ---------------------------------------------------


@pytest.fixture
def project(org):
    return org.project(owner=org.member, start_date=date(2027, 3, 1))


def _refused(fn, field: str, contains: str = "", **kwargs) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        fn(**kwargs)
    errors = exc.value.message_dict
    assert field in errors, errors
    assert contains in " ".join(errors[field])
    assert counts() == before


@pytest.mark.parametrize(
    "by, to_person, reason, field, message",
    [
        (
            "lead",
            "gone",
            "x",
            "to_person",
            "Nia Member has been deactivated and cannot own projects.",
        ),
        ("member", "owner", "x", "to_person", "Mo Member already owns this project."),
        ("lead", "oneself", "x", "to_person", "You cannot propose yourself"),
        # A user without a profile (a bare Django account, e.g. a service user) is no Baton
        # person and cannot own a project; nor can an id that matches nobody.
        ("lead", "bare", "x", "to_person", "No such active person."),
        ("lead", "missing", "x", "to_person", "No such active person."),
        ("lead", "junk", "x", "to_person", "No such active person."),
        ("lead", "member2", "  ", "reason", "A reason is required."),
    ],
    ids=["a-deactivated-person", "the-owner", "oneself", "bare", "missing", "junk", "no-reason"],
)
def test_transfer_refused(org, project, by, to_person, reason, field, message):
    if to_person == "gone":
        team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    target = {
        "gone": lambda: org.member2,
        "owner": lambda: org.member,
        "oneself": lambda: org.lead.pk,
        "bare": lambda: get_user_model().objects.create_user("svc-backup", password=None),
        "missing": lambda: 10**9,
        "junk": lambda: "abc",
        "member2": lambda: org.member2,
    }[to_person]()
    _refused(
        services.transfer_propose,
        field,
        message,
        actor=actor(getattr(org, by)),
        project=project,
        to_person=target,
        reason=reason,
    )


def test_owner_and_backup_must_be_people(org):
    bare = get_user_model().objects.create_user("svc", password=None)
    _refused(org.project, "owner", "No such active person.", owner=bare)
    team_services.person_deactivate(actor=SYSTEM, person=org.member2)
    _refused(org.project, "backup_owner", "deactivated", backup_owner=org.member2)


@pytest.mark.parametrize(
    "write, fields, field, message",
    [
        (
            "goal_create",
            {"title": "Launch", "target_date": date(2027, 2, 1)},
            "target_date",
            "cannot be before the project starts",
        ),
        ("update_post", {"health": "great"}, "health", "'great' is not a health"),
    ],
    ids=["a-goal-before-the-project-starts", "an-unknown-health"],
)
def test_refused_by_the_services(org, project, write, fields, field, message):
    write = getattr(services, write)
    _refused(write, field, message, actor=actor(org.member), project=project, **fields)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"update_cadence_days": 0}, "update_cadence_days"),
        ({"update_cadence_days": 91}, "update_cadence_days"),
        ({"priority": 5}, "priority"),
        ({"priority": -1}, "priority"),
        ({"links": "javascript:alert(1)"}, "links"),
        ({"links": [{"title": "x", "url": "javascript:alert(1)"}]}, "links"),
        ({"status": "finished"}, "status"),
        ({"critical": "maybe"}, "critical"),
        ({"target_date": "2027-02-01"}, "target_date"),  # before the start
        ({"start_date": "2027-13-01"}, "start_date"),
        ({"name": ""}, "name"),
        ({"description": "x" * 20_001}, "description"),
        ({"slug": "map"}, "slug"),
    ],
)
def test_bad_project_fields_on_update(org, project, fields, field):
    _refused(services.project_update, field, actor=actor(org.member), project=project, **fields)
    project.refresh_from_db()
    assert project.update_cadence_days == 7 and project.priority == 0 and project.links == []


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"update_cadence_days": 0}, "update_cadence_days"),
        ({"priority": 7}, "priority"),
        ({"links": [{"url": "javascript:alert(1)"}]}, "links"),
        ({"start_date": date(2027, 3, 2), "target_date": date(2027, 3, 1)}, "target_date"),
    ],
)
def test_bad_project_fields_on_create(org, fields, field):
    _refused(org.project, field, **fields)
    assert not Project.objects.exists()


def test_script_in_markdown_is_stripped_but_the_source_kept(org):
    text = "Plan <script>document.cookie='x'</script> **now** <img src=x onerror=alert(1)>"
    project = org.project(description=text)
    assert project.description == text
    assert project.description_html == "<p>Plan  <strong>now</strong> </p>"
    update = services.update_post(
        actor=actor(org.member),
        project=project,
        health="on_track",
        body="<script>alert(1)</script>\n\n[x](javascript:alert(1))",
    )
    assert "<script" not in update.body_html and "alert(1)</" not in update.body_html
    assert "href" not in update.body_html
