"""Import people (or teams) from a CSV file; every row is checked before anything is written.

    python manage.py import_people people.csv [--dry-run] [--invite]
    python manage.py import_people teams.csv --teams [--dry-run]

People columns: username,email,display_name,time_zone,country (required), working_hours,
org_role,title,teams,phone. working_hours is one line like 'mon-fri 09:00-17:00; sat
10:00-14:00'; teams is 'slug:role|slug:role' (role member or lead).
Teams columns: name,slug (required), parent_slug,description.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.audit import Actor
from teams.importing import (
    MAX_FILE_BYTES,
    ImportFileError,
    ImportRowsInvalid,
    import_people_csv,
    import_teams_csv,
)


class Command(BaseCommand):
    help = "Import people (or, with --teams, teams) from a CSV file; all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file (UTF-8)")
        parser.add_argument("--teams", action="store_true", help="the file lists teams")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument(
            "--invite", action="store_true", help="email each new person an invitation"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(
                    f"{path} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB; split it."
                )
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        actor = Actor.system(via="cli")
        try:
            if options["teams"]:
                result = import_teams_csv(
                    actor=actor, data=data, dry_run=options["dry_run"], source=path.name
                )
            else:
                result = import_people_csv(
                    actor=actor,
                    data=data,
                    dry_run=options["dry_run"],
                    send_invites=options["invite"],
                    source=path.name,
                )
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc.file_message}") from exc
        except ImportRowsInvalid as exc:
            for error in exc.row_errors:
                self.stderr.write(f"{path}:{error.line}: {error.column or 'row'}: {error.message}")
            raise CommandError(
                f"{len(exc.row_errors)} problem(s) in {path}; nothing was imported."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"{path}: {result.summary()}."))
