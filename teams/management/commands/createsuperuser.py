"""`manage.py createsuperuser`, Baton's way: the first admin is a whole person.

Django's own command makes a bare user, which Baton does not count as a person (no profile,
zone or country, so no sign-in: accounts.verification). This one, in the app that owns people,
replaces it (teams comes before django.contrib.auth in INSTALLED_APPS) and creates the admin
through teams.services.person_create: user, profile, the org role `admin` (is_staff and
is_superuser follow it), one transaction, audited as person.create by "cli".

    python manage.py createsuperuser            # asks for each field
    DJANGO_SUPERUSER_USERNAME=ada DJANGO_SUPERUSER_EMAIL=ada@example.com \\
    DJANGO_SUPERUSER_PASSWORD=... DJANGO_SUPERUSER_TIME_ZONE=Europe/Lisbon \\
    DJANGO_SUPERUSER_COUNTRY=PT [DJANGO_SUPERUSER_DISPLAY_NAME="Ada Lovelace"] \\
    python manage.py createsuperuser --noinput

Each option (--username, --email, --display-name, --time-zone, --country) beats its
DJANGO_SUPERUSER_* variable; the password comes from DJANGO_SUPERUSER_PASSWORD only, as in
Django. Values are checked by teams.validation, the password by AUTH_PASSWORD_VALIDATORS (with
--noinput too: this account can do everything); a bad value is an error and nothing is
created. The admin signs in with the password and must set up two-factor authentication first.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable

from django.contrib.auth.management import get_default_username
from django.contrib.auth.management.commands import createsuperuser as django_command
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS

from core.audit import Actor
from core.validation import invalid
from core.zones import zones_for_country
from teams import services, validation
from teams.models import OrgRole

ENV_PREFIX = "DJANGO_SUPERUSER_"
PASSWORD_ENV = ENV_PREFIX + "PASSWORD"
# The person's fields this command takes, in the order it asks for them, with the option and
# environment variable of each (Django's own: --username, --email).
FIELDS = ("username", "email", "display_name", "time_zone", "country")
PROMPTS = {
    "username": "Username",
    "email": "Email address",
    "display_name": "Display name",
    "time_zone": "Time zone (IANA, e.g. Europe/Lisbon)",
    "country": "Country (ISO 3166 code, e.g. PT)",
}


def option_of(field: str) -> str:
    return "--" + field.replace("_", "-")


def env_of(field: str) -> str:
    return ENV_PREFIX + field.upper()


def country_of_zone(zone: str) -> str:
    """The one country whose zones include `zone`; "" when there are none or several."""
    countries = [code for code, zones in zones_for_country().items() if zone in zones]
    return countries[0] if len(countries) == 1 else ""


class Command(django_command.Command):
    help = (
        "Create an admin: a Baton person (profile with time zone and country, org role admin) "
        "who signs in with a password and sets up two-factor authentication first."
    )

    def add_arguments(self, parser):
        # Django's options, with Baton's meaning (its help promises a user who cannot sign in).
        parser.add_argument("--username", help=f"the login (or {env_of('username')})")
        parser.add_argument("--email", help=f"the e-mail address (or {env_of('email')})")
        parser.add_argument(
            "--display-name",
            help=f"the name people see (default: the username; or {env_of('display_name')})",
        )
        parser.add_argument(
            "--time-zone", help=f"IANA time zone, e.g. Europe/Lisbon (or {env_of('time_zone')})"
        )
        parser.add_argument(
            "--country", help=f"ISO 3166 country code, e.g. PT (or {env_of('country')})"
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=(
                "Ask nothing: every field comes from its option or DJANGO_SUPERUSER_* variable, "
                f"the password from {PASSWORD_ENV}."
            ),
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=(DEFAULT_DB_ALIAS,),
            help="Baton keeps people in the default database only.",
        )

    def handle(self, *args, **options):
        try:
            if options["interactive"]:
                if hasattr(self.stdin, "isatty") and not self.stdin.isatty():
                    self.stdout.write(
                        "Superuser creation skipped: not running in a terminal. Use --noinput "
                        "with the DJANGO_SUPERUSER_* variables (see --help)."
                    )
                    return
                person, password = self._ask_everything(options)
            else:
                person, password = self._from_options_and_environment(options)
            user = services.person_create(
                actor=Actor.system(via="cli"),
                org_role=OrgRole.ADMIN,
                password=password,
                send_invite=False,
                **person,
            )
        except KeyboardInterrupt:
            self.stderr.write("\nOperation cancelled.")
            sys.exit(1)
        except ValidationError as exc:
            raise CommandError(self._problems(exc)) from exc
        if options["verbosity"] >= 1:
            profile = user.profile
            self.stdout.write(
                f"Superuser created successfully: {user.username}, an admin in "
                f"{profile.time_zone} ({profile.country}). They sign in with the password and "
                "set up two-factor authentication first."
            )

    # --- --noinput ----------------------------------------------------------------------------

    def _from_options_and_environment(self, options) -> tuple[dict[str, str], str]:
        values = {}
        for field in FIELDS:
            given = options[field]
            values[field] = given if given is not None else os.environ.get(env_of(field))
        if not values["display_name"] and values["username"]:
            values["display_name"] = values["username"]
        password = os.environ.get(PASSWORD_ENV) or ""
        missing = [
            f"{option_of(f)} (or {env_of(f)})"
            for f in FIELDS
            if not values[f] and f != "display_name"  # the username's when left out
        ]
        if not password:
            missing.append(PASSWORD_ENV)
        if missing:
            raise CommandError(
                "With --noinput, give " + ", ".join(missing) + ". Nothing was created."
            )
        cleaned, errors = validation.clean_person(values)
        if errors:
            raise ValidationError(errors)
        person = {field: cleaned[field] for field in FIELDS}
        validate_password(password, self._user_for_password(person))
        return person, password

    # --- interactive --------------------------------------------------------------------------

    def _ask_everything(self, options) -> tuple[dict[str, str], str]:
        asked: dict[str, str] = {}
        defaults: dict[str, Callable[[], str]] = {
            "username": lambda: get_default_username(database=DEFAULT_DB_ALIAS),
            "display_name": lambda: asked["username"],
            "country": lambda: country_of_zone(asked["time_zone"]),
        }
        for field in FIELDS:
            clean = self._clean_username if field == "username" else validation.PERSON_RULES[field]
            default = defaults.get(field, str)()
            asked[field] = self._ask(field, clean, given=options[field], default=default)
        return asked, self._ask_password(asked)

    def _ask(self, field: str, clean: Callable[[object], object], *, given, default: str) -> str:
        """Ask until `clean` accepts the answer; an option's value (`given`) is tried first."""
        value = given
        while True:
            if value is None:
                hint = f" (leave blank to use '{default}')" if default else ""
                value = input(f"{PROMPTS[field]}{hint}: ").strip() or default
            try:
                return clean(value)
            except ValidationError as exc:
                self.stderr.write("Error: " + "; ".join(exc.messages))
                value = None

    def _clean_username(self, value: object) -> str:
        username = validation.clean_username(value)
        # Django's check (the exact name); services.person_create checks it ignoring case too.
        error = self._validate_username(username, "username", DEFAULT_DB_ALIAS)
        if error:
            raise invalid("username", error.removeprefix("Error: "))
        return username

    def _ask_password(self, person: dict[str, str]) -> str:
        while True:
            password = getpass.getpass()
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("Error: Your passwords didn't match.")
                continue
            if not password.strip():
                self.stderr.write("Error: Blank passwords aren't allowed.")
                continue
            try:
                validate_password(password, self._user_for_password(person))
            except ValidationError as exc:
                self.stderr.write("\n".join(exc.messages))
                answer = input("Bypass password validation and create user anyway? [y/N]: ")
                if answer.lower() != "y":
                    continue
            return password

    def _user_for_password(self, person: dict[str, str]):
        """An unsaved user with the person's names, for the similarity validator."""
        return self.UserModel(
            username=person["username"],
            email=person["email"],
            first_name=validation.first_name_for(person["display_name"]),
        )

    @staticmethod
    def _problems(exc: ValidationError) -> str:
        if hasattr(exc, "error_dict"):
            lines = [
                f"{option_of(field) if field in FIELDS else field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            lines = exc.messages
        return "; ".join(lines) + " Nothing was created."
