"""CSV import of people and teams: every row checked first, all or nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from core.audit import Actor
from core.models import AuditEvent
from teams import hours as hours_math
from teams import importing, views_import
from teams.importing import (
    ImportFileError,
    ImportRowsInvalid,
    import_people_csv,
    import_teams_csv,
    parse_hours_line,
)
from teams.models import Membership, Profile, Team, WorkingInterval
from tests.factories import PersonFactory, TeamFactory

User = get_user_model()
ACTOR = Actor.system(via="test")
HEADER = "username,email,display_name,time_zone,country,working_hours,org_role,title,teams\n"

GOOD = HEADER + (
    "ana.souza,Ana@Example.com,Ana Souza,America/Sao_Paulo,BR,"
    "mon-fri 09:00-17:00; sat 10:00-14:00,member,Engineer,platform:lead|payments\n"
    'yosef.cohen,yosef@example.com,"Cohen, Yosef",Asia/Jerusalem,IL,sun-thu 08:30-17:00,'
    "manager,Support Lead,payments:member\n"
    "\n"
    "kim.ops,kim@example.com,Kim Night,Asia/Manila,PH,mon-fri 22:00-06:00,admin,,\n"
    "lee.default,lee@example.com,Lee Default,Asia/Seoul,KR,,,,\n"
)


@pytest.fixture
def teams(db):
    return TeamFactory(name="Platform"), TeamFactory(name="Payments")


def _lines_by_column(caught) -> dict[str, set[int]]:
    """The lines an import refused (an ImportRowsInvalid caught), by column ("" for a line
    that is wrong as a whole)."""
    found: dict[str, set[int]] = {}
    for error in caught.value.row_errors:
        found.setdefault(error.column, set()).add(error.line)
    return found


def _counts():
    return (
        User.objects.count(),
        Profile.objects.count(),
        WorkingInterval.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
    )


# --- parsing helpers ---------------------------------------------------------------------


def test_hours_line_uses_the_form_format_on_one_line():
    hours = parse_hours_line("mon-fri 09:00-12:30, 13:30-18:00; sat 10:00-14:00")
    assert hours["mon"] == ["09:00-12:30", "13:30-18:00"]
    assert hours["sat"] == ["10:00-14:00"] and hours["sun"] == []
    assert hours == hours_math.parse_text("mon-fri 09:00-12:30, 13:30-18:00\nsat 10:00-14:00")
    wrapped = parse_hours_line("sun-thu 08:00-16:00")
    assert [k for k, v in wrapped.items() if v] == ["mon", "tue", "wed", "thu", "sun"]


def test_hours_line_errors_name_the_part():
    with pytest.raises(hours_math.WorkingHoursError, match="^'xyz 10:00-14:00': start with"):
        parse_hours_line("mon-fri 09:00-17:00; xyz 10:00-14:00")
    with pytest.raises(hours_math.WorkingHoursError, match="Saturday: 25:00 is not a time"):
        parse_hours_line("mon-fri 09:00-17:00; sat 25:00-26:00")


# --- people ------------------------------------------------------------------------------


def test_good_people_file_creates_everyone(teams):
    platform, payments = teams
    result = import_people_csv(actor=ACTOR, data=GOOD.encode(), source="people.csv")
    assert (result.people, result.memberships) == (4, 3)
    assert result.admins == ["kim.ops"] and result.managers == 1

    ana = User.objects.get(username="ana.souza")
    assert ana.email == "ana@example.com"
    assert not ana.has_usable_password()
    profile = ana.profile
    assert profile.time_zone == "America/Sao_Paulo" and profile.country == "BR"
    assert profile.working_hours["sat"] == ["10:00-14:00"]
    stored = sorted(profile.intervals.values_list("start_minute", "end_minute"))
    assert stored == [(r.start, r.end) for r in hours_math.week_ranges(profile.working_hours)]
    roles = dict(Membership.objects.filter(person=ana).values_list("team__slug", "role"))
    assert roles == {"platform": "lead", "payments": "member"}

    yosef = Profile.objects.get(user__username="yosef.cohen")
    assert yosef.display_name == "Cohen, Yosef" and yosef.org_role == "manager"
    assert yosef.working_hours["sun"] == ["08:30-17:00"] and yosef.working_hours["fri"] == []

    kim = User.objects.get(username="kim.ops")
    assert kim.is_staff and kim.profile.org_role == "admin"
    assert kim.profile.working_hours["fri"] == ["22:00-06:00"]

    lee = Profile.objects.get(user__username="lee.default")
    assert lee.working_hours["mon"] == ["09:00-17:00"] and lee.org_role == "member"

    event = AuditEvent.objects.get(action="people.import")
    assert event.changes["people"] == 4 and event.changes["admins"] == ["kim.ops"]
    assert event.changes["source"] == "people.csv"


def test_dry_run_writes_nothing(teams):
    before = _counts()
    result = import_people_csv(actor=ACTOR, data=GOOD.encode(), dry_run=True)
    assert result.people == 4 and result.dry_run
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="people.import").exists()


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(teams, member):
    rows = [
        # line 2 is fine
        "ok.one,ok1@example.com,Ok One,Europe/London,GB,,,,platform",
        ",nouser@example.com,No User,Europe/London,GB,,,,",  # 3 username missing
        "dup,dup1@example.com,Dup One,Europe/London,GB,,,,",  # 4
        "DUP,dup2@example.com,Dup Two,Europe/London,GB,,,,",  # 5 duplicate username in file
        "mia,new@example.com,Taken,Europe/London,GB,,,,",  # 6 username in the database
        "zed,OK1@example.com,Zed,Europe/London,GB,,,,",  # 7 duplicate email in file
        "ema,mia@example.com,Ema,Europe/London,GB,,,,",  # 8 email in the database
        "zone,zone@example.com,Zone,Mars/Olympus,GB,,,,",  # 9 unknown zone
        "ctry,ctry@example.com,Ctry,Europe/London,XX,,,,",  # 10 bad country
        "hrs,hrs@example.com,Hrs,Europe/London,GB,mon-fri 9-5,,,",  # 11 malformed hours
        "role,role@example.com,Role,Europe/London,GB,,boss,,",  # 12 bad org role
        "tslug,tslug@example.com,Tslug,Europe/London,GB,,,,nope:member",  # 13 unknown team
        "trole,trole@example.com,Trole,Europe/London,GB,,,,platform:owner",  # 14 team role
        "mail,not-an-email,Mail,Europe/London,GB,,,,",  # 15 bad email
        "short,short@example.com,Short,Europe/London",  # 16 wrong number of fields
        "bad name!,bn@example.com,Bad,Europe/London,GB,,,,",  # 17 username characters
        "noname,noname@example.com,,Europe/London,GB,,,,",  # 18 display name missing
        "twice,twice@example.com,Twice,Europe/London,GB,,,,platform|platform:lead",  # 19
        "empty,empty@example.com,Empty,Europe/London,GB,,,,platform||payments",  # 20
    ]
    before = _counts()
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(actor=ACTOR, data=(HEADER + "\n".join(rows) + "\n").encode())
    assert _lines_by_column(caught) == {
        "username": {3, 5, 6, 17},
        "email": {7, 8, 15},
        "time_zone": {9},
        "country": {10},
        "working_hours": {11},
        "org_role": {12},
        "teams": {13, 14, 19, 20},
        "": {16},  # the wrong number of fields
        "display_name": {18},
    }
    messages = {(e.line, e.column): e.message for e in caught.value.row_errors}
    assert "also on line 4" in messages[(5, "username")]
    assert "already taken" in messages[(6, "username")]
    assert "also on line 2" in messages[(7, "email")]
    assert "Mars/Olympus" in messages[(9, "time_zone")]
    assert "no team with the slug 'nope'" in messages[(13, "teams")]
    assert "header has 9" in messages[(16, "")]
    assert [e.line for e in caught.value.row_errors] == sorted(
        e.line for e in caught.value.row_errors
    )
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="people.import").exists()
    # It is a ValidationError with a dict, as every service raises.
    assert caught.value.message_dict["rows"][0].startswith("line 3, username:")


def test_line_numbers_count_quoted_newlines(teams):
    text = HEADER + (
        'a.one,a1@example.com,"Multi\nLine",Europe/London,GB,,,,\n'
        "b.two,b2@example.com,B Two,Nowhere/Zone,GB,,,,\n"
    )
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(actor=ACTOR, data=text.encode())
    assert [(e.line, e.column) for e in caught.value.row_errors] == [(4, "time_zone")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"username,email,display_name,country\nx,x@example.com,X,GB\n", "time_zone"),
        (HEADER.replace("title", "job").encode(), "Unknown column(s): job"),
        (b"username,email,display_name,time_zone,country,country\n", "named twice"),
        (HEADER.encode(), "no rows"),
        (HEADER.encode() + "ana,ana@example.com,Ana\xa0,UTC,GB,,,,\n".encode("latin-1"), "UTF-8"),
        (b"\x00\x01\x02binary", "NUL"),
    ],
)
def test_file_level_problems_are_clear(db, data, message):
    with pytest.raises(ImportFileError) as caught:
        import_people_csv(actor=ACTOR, data=data)
    assert message in caught.value.file_message


def test_missing_columns_are_named(db):
    with pytest.raises(ImportFileError) as caught:
        import_people_csv(actor=ACTOR, data=b"username,email\nx,x@example.com\n")
    assert "Missing required column(s): display_name, time_zone, country" in str(
        caught.value.file_message
    )


def test_non_utf8_names_the_line(db):
    data = HEADER.encode() + "ana,ana@example.com,Aná,UTC,GB,,,,\n".encode("latin-1")
    with pytest.raises(ImportFileError, match="line 2"):
        import_people_csv(actor=ACTOR, data=data)


def test_size_and_row_limits(db, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    with pytest.raises(ImportFileError, match="limit is"):
        import_people_csv(actor=ACTOR, data=GOOD.encode())
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    with pytest.raises(ImportFileError, match="more than 2 rows"):
        import_people_csv(actor=ACTOR, data=GOOD.encode())


def test_a_bom_is_accepted(teams):
    result = import_people_csv(actor=ACTOR, data=b"\xef\xbb\xbf" + GOOD.encode())
    assert result.people == 4


def test_bulk_import_runs_a_bounded_number_of_queries(teams, django_assert_max_num_queries):
    rows = [
        f"p{i},p{i}@example.com,Person {i},Europe/Paris,FR,mon-fri 09:00-12:30, 13:30-18:00"
        f",member,,platform"
        for i in range(300)
    ]
    # Quote the hours (they contain a comma).
    rows = [
        r.replace("mon-fri 09:00-12:30, 13:30-18:00", '"mon-fri 09:00-12:30, 13:30-18:00"')
        for r in rows
    ]
    with django_assert_max_num_queries(40):
        result = import_people_csv(actor=ACTOR, data=(HEADER + "\n".join(rows)).encode())
    assert result.people == 300
    assert WorkingInterval.objects.filter(profile__user__username="p299").count() == 10


def test_invitations_are_queued_on_commit(teams, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_people_csv(actor=ACTOR, data=GOOD.encode(), send_invites=True)
    assert {m.to[0] for m in mailoutbox} == {
        "ana@example.com",
        "yosef@example.com",
        "kim@example.com",
        "lee@example.com",
    }


# --- teams -------------------------------------------------------------------------------

TEAM_HEADER = "name,slug,parent_slug,description\n"


def test_teams_file_with_parents_in_any_order(db):
    TeamFactory(name="Engineering")
    data = TEAM_HEADER + (
        "Payments Risk,payments-risk,payments,Fraud rules\n"
        "Payments,payments,engineering,Money movement\n"
        "Support,,,Everyone who helps customers\n"
    )
    result = import_teams_csv(actor=ACTOR, data=data.encode())
    assert result.teams == 3
    risk = Team.objects.select_related("parent__parent").get(slug="payments-risk")
    assert risk.parent.slug == "payments" and risk.parent.parent.slug == "engineering"
    assert Team.objects.get(slug="support").parent is None
    assert AuditEvent.objects.get(action="people.import").changes["teams"] == 3


def test_bad_teams_rows_are_all_reported(db):
    TeamFactory(name="Engineering")
    data = TEAM_HEADER + (
        "Ok,ok,engineering,\n"  # 2
        ",noname,,\n"  # 3 name missing
        "Eng Again,engineering,,\n"  # 4 slug taken in the database
        "Ok Twice,ok,,\n"  # 5 slug twice in the file
        "Bad Slug,Bad Slug!,,\n"  # 6 not a slug
        "Orphan,orphan,missing-parent,\n"  # 7 unknown parent
        "Loop A,loop-a,loop-b,\n"  # 8 cycle
        "Loop B,loop-b,loop-a,\n"  # 9 cycle
        "Self,self,self,\n"  # 10 own parent
    )
    before = Team.objects.count()
    with pytest.raises(ImportRowsInvalid) as caught:
        import_teams_csv(actor=ACTOR, data=data.encode())
    assert _lines_by_column(caught) == {
        "name": {3},
        "slug": {4, 5, 6},
        "parent_slug": {7, 8, 9, 10},
    }
    assert Team.objects.count() == before


# --- the command -------------------------------------------------------------------------


def test_command_imports_a_good_file(teams, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_people", str(path))
    assert "created 4 person(s)" in capsys.readouterr().out
    assert User.objects.filter(username="ana.souza").exists()


def test_command_dry_run_and_teams(db, tmp_path, capsys):
    path = tmp_path / "teams.csv"
    path.write_text(TEAM_HEADER + "Platform,platform,,\n", encoding="utf-8")
    call_command("import_people", str(path), "--teams", "--dry-run")
    assert "would create 1 team(s)" in capsys.readouterr().out
    assert not Team.objects.exists()
    call_command("import_people", str(path), "--teams")
    assert Team.objects.filter(slug="platform").exists()


def test_command_exits_non_zero_with_row_errors_on_stderr(teams, tmp_path, capsys, monkeypatch):
    from teams.management.commands.import_people import Command

    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "x,x@example.com,X,Mars/Base,GB,,,,\n", encoding="utf-8")
    # run_from_argv closes connections when it ends; keep the test's transaction open.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "import_people", str(path)])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert f"{path}:2: time_zone:" in err
    assert "nothing was imported" in err
    assert not User.objects.filter(username="x").exists()


def test_command_missing_file(db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", "/nonexistent/people.csv")


# --- the page ----------------------------------------------------------------------------


def _upload(content: str | bytes, name: str = "people.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_page_requires_the_import_permission(member_client, client, db):
    assert member_client.get("/people/import/").status_code == 403
    response = member_client.post("/people/import/", {"kind": "people", "file": _upload(GOOD)})
    assert response.status_code == 403
    assert not User.objects.filter(username="ana.souza").exists()
    assert client.get("/people/import/").status_code == 302  # anonymous: sign in first


def test_admin_sees_the_form(admin_client):
    response = admin_client.get("/people/import/")
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"style=" not in response.content and b"<script>" not in response.content


def test_admin_imports_people(admin_client, admin_user, teams):
    response = admin_client.post("/people/import/", {"kind": "people", "file": _upload(GOOD)})
    assert response.status_code == 302
    assert Profile.objects.filter(user__username__in=["ana.souza", "kim.ops"]).count() == 2
    event = AuditEvent.objects.get(action="people.import")
    assert event.actor == admin_user and event.via == "web"
    page = admin_client.get(response["Location"])
    assert b"created 4 person(s)" in page.content


def test_admin_sees_row_errors_in_a_table(admin_client, teams):
    bad = HEADER + "ok,ok@example.com,Ok,UTC,GB,,,,\nbad,bad@example.com,Bad,Mars/Base,ZZ,,,,\n"
    before = _counts()
    response = admin_client.post("/people/import/", {"kind": "people", "file": _upload(bad)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 problems found; nothing was imported" in html
    assert "<td>3</td>" in html and "Mars/Base" in html and "ZZ" in html
    assert _counts() == before


def test_admin_dry_run_shows_a_summary(admin_client, teams):
    response = admin_client.post(
        "/people/import/", {"kind": "people", "file": _upload(GOOD), "dry_run": "on"}
    )
    assert response.status_code == 200
    assert b"would create 4 person(s)" in response.content
    assert not User.objects.filter(username="ana.souza").exists()


def test_admin_imports_teams(admin_client):
    data = TEAM_HEADER + "Engineering,engineering,,\nPlatform,platform,engineering,\n"
    response = admin_client.post("/people/import/", {"kind": "teams", "file": _upload(data)})
    assert response.status_code == 302
    assert Team.objects.get(slug="platform").parent.slug == "engineering"


def test_page_file_errors(admin_client, monkeypatch):
    response = admin_client.post(
        "/people/import/", {"kind": "people", "file": _upload(b"username,email\n1,2\n")}
    )
    assert response.status_code == 400
    assert b"Missing required column(s)" in response.content
    monkeypatch.setattr(views_import, "MAX_FILE_BYTES", 10)
    response = admin_client.post("/people/import/", {"kind": "people", "file": _upload(GOOD)})
    assert response.status_code == 400
    assert b"the limit is" in response.content
    response = admin_client.post("/people/import/", {"kind": "people"})
    assert response.status_code == 400


def test_people_rows_do_not_conflict_with_factory_people(teams):
    PersonFactory(username="lee.default", email="someone@example.com")
    with pytest.raises(ImportRowsInvalid) as caught:
        import_people_csv(actor=ACTOR, data=GOOD.encode())
    assert [(e.line, e.column) for e in caught.value.row_errors] == [(6, "username")]


def test_a_conflicting_write_is_a_clear_error_not_a_crash(teams, member, monkeypatch):
    # As if "mia" had been created by someone else between validation and the write.
    monkeypatch.setattr(importing, "_existing_lower", lambda field_name, values: set())
    data = HEADER + "mia,other@example.com,Mia Again,UTC,GB,,,,\n"
    before = _counts()
    with pytest.raises(ImportFileError, match="Try again"):
        import_people_csv(actor=ACTOR, data=data.encode())
    assert _counts() == before
