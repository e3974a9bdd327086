"""`manage.py createsuperuser` makes the first admin a whole person (issue 15, part 1).

Django's own command would make a bare user, who is not a person in Baton and cannot sign in;
teams' command replaces it. Both ways of running it are covered: --noinput with the usual
DJANGO_SUPERUSER_* variables, and the interactive prompts (input and getpass patched, stdin a
terminal, as Django's own tests do it). The admin then signs in through the real forms and is
sent to set up TOTP first.
"""

from __future__ import annotations

import getpass
from io import StringIO

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, get_commands

from core.models import AuditEvent
from teams.models import OrgRole, Profile, WorkingInterval
from tests.accounts.signin import assert_dashboard, new_client, password_step
from tests.browser import totp_code

pytestmark = pytest.mark.django_db

User = get_user_model()

PASSWORD = "a-first-admin-passphrase-7"
ENV = {
    "DJANGO_SUPERUSER_USERNAME": "ada",
    "DJANGO_SUPERUSER_EMAIL": "Ada@Example.com",
    "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    "DJANGO_SUPERUSER_DISPLAY_NAME": "Ada Lovelace",
    "DJANGO_SUPERUSER_TIME_ZONE": "Asia/Manila",
    "DJANGO_SUPERUSER_COUNTRY": "ph",
}
ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.fixture
def superuser_env(monkeypatch):
    """The DJANGO_SUPERUSER_* variables of ENV, and no others from the outer environment."""
    import os

    for name in os.environ:
        if name.startswith("DJANGO_SUPERUSER_"):
            monkeypatch.delenv(name)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def _run(*args: str, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createsuperuser", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _nothing_created() -> None:
    assert not User.objects.exists()
    assert not Profile.objects.exists()
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_the_command_is_teams_own():
    assert get_commands()["createsuperuser"] == "teams"


def test_noinput_makes_an_admin_who_signs_in_and_must_set_up_mfa(
    superuser_env, django_capture_on_commit_callbacks
):
    out, _err = _run("--noinput")

    user = User.objects.get(username="ada")
    assert "Superuser created successfully: ada" in out
    assert user.email == "ada@example.com"
    assert user.is_active and user.is_staff and user.is_superuser
    profile = user.profile
    assert profile.display_name == "Ada Lovelace"
    assert (profile.time_zone, profile.country) == ("Asia/Manila", "PH")
    assert profile.org_role == OrgRole.ADMIN
    assert WorkingInterval.objects.filter(profile=profile, time_zone="Asia/Manila").exists()
    event = AuditEvent.objects.get(action="person.create", target_id=str(user.pk))
    assert event.via == "cli"
    assert event.changes == {"username": "ada", "org_role": "admin", "time_zone": "Asia/Manila"}

    # The password signs in; the second factor must be set up before anything else.
    client = new_client()
    response = password_step(client, "ada", PASSWORD)
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    assert client.get("/api/v1/me/").status_code == 403
    assert client.get(ACTIVATE).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert_dashboard(client)
    assert AuditEvent.objects.filter(action="auth.mfa_added", target_id=str(user.pk)).exists()


def test_options_beat_the_environment_and_the_display_name_defaults_to_the_username(
    superuser_env,
):
    superuser_env.delenv("DJANGO_SUPERUSER_DISPLAY_NAME")
    _run("--noinput", "--username=grace", "--time-zone=America/Sao_Paulo", "--country=BR")

    profile = Profile.objects.select_related("user").get()
    assert profile.user.username == "grace"
    assert profile.display_name == "grace"
    assert (profile.time_zone, profile.country) == ("America/Sao_Paulo", "BR")


def test_noinput_without_a_password_is_refused(superuser_env):
    superuser_env.delenv("DJANGO_SUPERUSER_PASSWORD")
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        _run("--noinput")
    _nothing_created()


def test_noinput_names_every_missing_field(superuser_env):
    superuser_env.delenv("DJANGO_SUPERUSER_TIME_ZONE")
    superuser_env.delenv("DJANGO_SUPERUSER_COUNTRY")
    with pytest.raises(CommandError) as caught:
        _run("--noinput")
    message = str(caught.value)
    assert "--time-zone (or DJANGO_SUPERUSER_TIME_ZONE)" in message
    assert "--country (or DJANGO_SUPERUSER_COUNTRY)" in message
    _nothing_created()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "DJANGO_SUPERUSER_TIME_ZONE",
            "Europe/Londn",
            "--time-zone: 'Europe/Londn' is not a time zone we know. Did you mean Europe/London?",
        ),
        ("DJANGO_SUPERUSER_TIME_ZONE", "Mars/Olympus_Mons", "is not a time zone we know"),
        ("DJANGO_SUPERUSER_COUNTRY", "XX", "--country: 'XX' is not an ISO 3166 country code"),
        ("DJANGO_SUPERUSER_EMAIL", "ada-at-example", "--email: 'ada-at-example' is not a valid"),
        ("DJANGO_SUPERUSER_USERNAME", "ada lovelace", "--username: 'ada lovelace' may only"),
        ("DJANGO_SUPERUSER_PASSWORD", "password", "This password is too common"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_created(superuser_env, variable, value, expected):
    superuser_env.setenv(variable, value)
    with pytest.raises(CommandError) as caught:
        _run("--noinput")
    assert expected in str(caught.value)
    assert "Nothing was created." in str(caught.value)
    _nothing_created()


@pytest.mark.parametrize(
    ("username", "email", "expected"),
    [
        ("ada", "ada@example.com", "The username 'ada' is already taken."),
        ("ADA", "other@example.com", "The username 'ADA' is already taken."),
        ("ada2", "ADA@example.com", "The email 'ada@example.com' is already in use."),
    ],
)
def test_running_it_again_for_the_same_person_changes_nothing(
    superuser_env, username, email, expected
):
    _run("--noinput")
    first = User.objects.get()
    password_hash, events = first.password, AuditEvent.objects.count()

    superuser_env.setenv("DJANGO_SUPERUSER_USERNAME", username)
    superuser_env.setenv("DJANGO_SUPERUSER_EMAIL", email)
    superuser_env.setenv("DJANGO_SUPERUSER_PASSWORD", "another-passphrase-for-ada")
    superuser_env.setenv("DJANGO_SUPERUSER_TIME_ZONE", "Europe/Oslo")
    superuser_env.setenv("DJANGO_SUPERUSER_COUNTRY", "NO")
    with pytest.raises(CommandError, match=expected):
        _run("--noinput")

    assert User.objects.get() == first
    assert User.objects.get().password == password_hash
    assert Profile.objects.get().time_zone == "Asia/Manila"
    assert AuditEvent.objects.count() == events


# --- interactive ------------------------------------------------------------------------------


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """Answers typed at the prompts: `terminal.type(...)` for input(), `terminal.secret(...)`
    for getpass(). Records the prompts shown."""

    class Keyboard:
        def __init__(self) -> None:
            self.answers: list[str] = []
            self.secrets: list[str] = []
            self.prompts: list[str] = []

        def type(self, *answers: str) -> None:
            self.answers.extend(answers)

        def secret(self, *answers: str) -> None:
            self.secrets.extend(answers)

        def _input(self, prompt: str = "") -> str:
            self.prompts.append(prompt)
            return self.answers.pop(0)

        def _getpass(self, prompt: str = "Password: ") -> str:
            self.prompts.append(prompt)
            return self.secrets.pop(0)

    keyboard = Keyboard()
    monkeypatch.setattr("builtins.input", keyboard._input)
    monkeypatch.setattr(getpass, "getpass", keyboard._getpass)
    return keyboard


def test_interactive_asks_for_each_field_until_it_is_right(terminal):
    terminal.type(
        "ada",
        "not-an-address",
        "ada@example.com",
        "",  # display name: the username
        "Europe/Londn",
        "Europe/Lisbon",
        "",  # country: the zone's
    )
    # Mismatched, then too common (not bypassed), then a good one.
    terminal.secret("one-passphrase-1", "another-one-2", "password", "password", PASSWORD, PASSWORD)
    terminal.type("n")  # "Bypass password validation?"

    out, err = _run(stdin=Terminal())

    assert "Superuser created successfully: ada" in out
    assert "'not-an-address' is not a valid email address." in err
    assert "Did you mean Europe/London?" in err
    assert "Your passwords didn't match." in err
    assert "This password is too common." in err
    assert "Country (ISO 3166 code, e.g. PT) (leave blank to use 'PT'): " in terminal.prompts
    assert terminal.answers == [] and terminal.secrets == []
    user = User.objects.get(username="ada")
    assert user.check_password(PASSWORD)
    assert user.is_superuser
    profile = user.profile
    assert (profile.display_name, profile.time_zone, profile.country) == (
        "ada",
        "Europe/Lisbon",
        "PT",
    )
    assert profile.org_role == OrgRole.ADMIN
    assert AuditEvent.objects.filter(action="person.create", target_id=str(user.pk)).exists()


def test_interactive_takes_options_and_asks_again_for_a_taken_username(terminal, make_person):
    make_person(username="ada")
    terminal.type("grace", "Grace Hopper")
    terminal.secret(PASSWORD, PASSWORD)

    _out, err = _run(
        "--username=ada",
        "--email=grace@example.com",
        "--time-zone=America/New_York",
        "--country=US",
        stdin=Terminal(),
    )

    assert "That username is already taken." in err
    profile = Profile.objects.get(user__username="grace")
    assert profile.display_name == "Grace Hopper"
    assert (profile.time_zone, profile.country, profile.org_role) == (
        "America/New_York",
        "US",
        OrgRole.ADMIN,
    )


def test_interactive_without_a_terminal_creates_nothing():
    out, _err = _run(stdin=StringIO())
    assert "skipped" in out
    _nothing_created()
