"""Seed a realistic demo org: people in 50+ countries, ~150 teams, working hours, roles,
on-call schedules: whatever each app's demo.py adds, asked in layer order (core.demo).

    python manage.py seed_demo [--people 1200] [--teams 150] [--schedules 300] [--seed 1]

Runs once: if any person exists already it says so and changes nothing.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from core import demo
from core.audit import Actor


class Command(BaseCommand):
    help = "Create demo people, teams and the admin/demo sign-ins (once; skipped if present)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        for seeder in demo.seeders():
            if seeder.arguments is not None:
                seeder.arguments(parser)
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, **options):
        run = demo.DemoRun(
            options=options,
            actor=Actor.system(via="cli"),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        started = time.monotonic()
        try:
            for seeder in demo.seeders():
                seeder.seed(run)
        except demo.AlreadySeeded as exc:
            self.stdout.write("Demo data already present; nothing to do.")
            if exc.message:
                self.stdout.write(exc.message)
            return
        elapsed = time.monotonic() - started
        for summary in run.summaries:
            self.stdout.write(self.style.SUCCESS(f"{summary} in {elapsed:.1f} s."))
        for text in run.closing:
            self.stdout.write(text)
