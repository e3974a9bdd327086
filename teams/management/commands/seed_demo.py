"""Seed a realistic demo org: people in 50+ countries, ~150 teams, working hours, roles.

    python manage.py seed_demo [--people 1200] [--teams 150] [--seed 1]

Runs once: if any person exists already it says so and changes nothing.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from teams.audit import Actor
from teams.importing import ImportRowsInvalid, seed_demo_org
from teams.models import Profile


class Command(BaseCommand):
    help = "Create demo people, teams and the admin/demo sign-ins (once; skipped if present)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=1200, help="people (default 1200)")
        parser.add_argument("--teams", type=int, default=150, help="teams (default 150)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--schedules", type=int, default=300, help="on-call schedules (default 300)"
        )
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
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, **options):
        people, teams = options["people"], options["teams"]
        if people < 0 or teams < 0:
            raise CommandError("--people and --teams must be zero or more.")
        if people > 200_000 or teams > 50_000:
            raise CommandError("At most 200,000 people and 50,000 teams.")
        if Profile.objects.exists():
            self._already_present(options)
            return
        started = time.monotonic()
        # tqdm writes carriage returns, so give it the raw stream, not Django's line wrapper.
        stream = getattr(self.stderr, "_out", self.stderr)
        with tqdm(
            total=people + 2,
            desc="Seeding people",
            unit="person",
            file=stream,
            disable=options["no_progress"],
        ) as bar:
            try:
                result = seed_demo_org(
                    actor=Actor.system(via="cli"),
                    people=people,
                    teams=teams,
                    seed=options["seed"],
                    admin_password=options["admin_password"],
                    demo_password=options["demo_password"],
                    progress=bar.update,
                )
            except ImportRowsInvalid as exc:
                for error in exc.row_errors[:20]:
                    self.stderr.write(f"  {error}")
                raise CommandError("The demo data could not be created (see above).") from exc
            except ValidationError as exc:
                reason = " ".join(exc.messages)
                raise CommandError(f"The demo data could not be created: {reason}") from exc
        if result is None:  # someone seeded in the meantime
            self._already_present(options)
            return
        from oncall.demo import seed_schedules

        schedules = seed_schedules(
            actor=Actor.system(via="cli"), count=max(0, options["schedules"]), seed=options["seed"]
        )
        self.stdout.write(f"Created {schedules} on-call schedules.")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.people} people in {result.countries} countries, "
                f"{result.teams} teams and {result.memberships} memberships in {elapsed:.1f} s."
            )
        )
        self._print_sign_ins(options)

    def _already_present(self, options) -> None:
        self.stdout.write("Demo data already present; nothing to do.")
        # Repeat the sign-ins for `make run`, as long as they still work.
        admin = get_user_model().objects.filter(username="admin").first()
        if admin is not None and admin.check_password(options["admin_password"]):
            self._print_sign_ins(options)

    def _print_sign_ins(self, options) -> None:
        self.stdout.write(
            "Sign in as:\n"
            f"  admin / {options['admin_password']}  (org admin; MFA is required for admins, "
            "so you will set up an authenticator app (TOTP) at the first sign-in)\n"
            f"  demo / {options['demo_password']}  (member)\n"
            "Other demo people have no password; an admin can invite them."
        )
