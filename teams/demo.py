"""teams' part of `manage.py seed_demo` (registered in teams.apps through core.demo): the
people, teams, working hours and roles of a demo org, plus the `admin` and `demo` sign-ins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from core.demo import AlreadySeeded, DemoRun

from .importing import ImportRowsInvalid, seed_demo_org
from .models import Profile


def add_arguments(parser) -> None:
    parser.add_argument("--people", type=int, default=1200, help="people (default 1200)")
    parser.add_argument("--teams", type=int, default=150, help="teams (default 150)")
    parser.add_argument(
        "--admin-password",
        default="baton-demo-admin",
        help="password of the demo admin 'admin' (default baton-demo-admin)",
    )
    parser.add_argument(
        "--demo-password",
        default="baton-demo-member",
        help="password of the demo member 'demo' (default baton-demo-member)",
    )


def seed(run: DemoRun) -> None:
    options = run.options
    people, teams = options["people"], options["teams"]
    if people < 0 or teams < 0:
        raise CommandError("--people and --teams must be zero or more.")
    if people > 200_000 or teams > 50_000:
        raise CommandError("At most 200,000 people and 50,000 teams.")
    if Profile.objects.exists():
        raise AlreadySeeded(_sign_ins_if_valid(options))
    with tqdm(
        total=people + 2,
        desc="Seeding people",
        unit="person",
        file=run.raw_stderr,
        disable=options["no_progress"],
    ) as bar:
        try:
            result = seed_demo_org(
                actor=run.actor,
                people=people,
                teams=teams,
                seed=options["seed"],
                admin_password=options["admin_password"],
                demo_password=options["demo_password"],
                progress=bar.update,
            )
        except ImportRowsInvalid as exc:
            for error in exc.row_errors[:20]:
                run.stderr.write(f"  {error}")
            raise CommandError("The demo data could not be created (see above).") from exc
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            raise CommandError(f"The demo data could not be created: {reason}") from exc
    if result is None:  # someone seeded in the meantime
        raise AlreadySeeded(_sign_ins_if_valid(options))
    run.finish(
        f"Created {result.people} people in {result.countries} countries, "
        f"{result.teams} teams and {result.memberships} memberships",
        closing=_sign_ins(options),
    )


def _sign_ins_if_valid(options) -> str:
    # Repeat the sign-ins for `make run`, as long as they still work.
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is not None and admin.check_password(options["admin_password"]):
        return _sign_ins(options)
    return ""


def _sign_ins(options) -> str:
    # scripts/run.py reads the lines after "Sign in as:"; keep their shape.
    return (
        "Sign in as:\n"
        f"  admin / {options['admin_password']}  (org admin; MFA is required for admins, "
        "so you will set up an authenticator app (TOTP) at the first sign-in)\n"
        f"  demo / {options['demo_password']}  (member)\n"
        "Other demo people have no password; an admin can invite them."
    )
