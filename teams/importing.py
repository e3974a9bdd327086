"""Bulk creation of people and teams: CSV parsing, row-by-row validation, and the bulk writers.

Reading and validating never writes. The writers (`people_bulk_create`, `teams_bulk_create`,
`import_people_csv`, `import_teams_csv`, `seed_demo_org`) validate every row first, then write
everything in one transaction, or nothing when any row is bad.

People are written with bulk_create (one INSERT per batch, one shared unusable password hash)
rather than person_create per row: hashing a password costs ~0.3 s with the production hasher,
and 12,000 single-row INSERT round trips would take minutes. The rules are person_create's
own (teams.validation.clean_person: same cleaners, same messages); this module adds only what
a batch needs (each bad row with its line, duplicates within the file, bulk lookups of taken
usernames, e-mails and slugs). WorkingInterval rows come from the same
services.working_interval_rows as person_create's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from core import caching
from core.audit import Actor, audit_record
from core.tasks import enqueue_on_commit

from . import hours as hours_math
from . import validation
from .models import Membership, OrgRole, Profile, Team, TeamRole, WorkingInterval
from .selectors import PEOPLE_CACHE, TEAMS_CACHE, memberships_changed
from .services import working_interval_rows
from .tasks import send_invitation

User = get_user_model()

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
BATCH_SIZE = 500
_LOOKUP_CHUNK = 900  # under SQLite's 999 bound parameters per statement

PEOPLE_REQUIRED = ("username", "email", "display_name", "time_zone", "country")
PEOPLE_OPTIONAL = ("working_hours", "org_role", "title", "teams", "phone")
PEOPLE_COLUMNS = PEOPLE_REQUIRED + PEOPLE_OPTIONAL
TEAMS_REQUIRED = ("name", "slug")
TEAMS_OPTIONAL = ("parent_slug", "description")
TEAMS_COLUMNS = TEAMS_REQUIRED + TEAMS_OPTIONAL


# --- errors ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    line: int  # line of the file where the row starts (the header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (size, encoding, header); nothing was written."""

    def __init__(self, message: str) -> None:
        self.file_message = message
        super().__init__({"file": message})


class ImportRowsInvalid(ValidationError):
    """One or more rows are bad; `row_errors` lists each with its line. Nothing was written."""

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.row_errors = sorted(errors, key=_error_sort_key)
        super().__init__({"rows": [str(e) for e in self.row_errors] or ["Invalid rows."]})


def _error_sort_key(error: RowError) -> tuple[int, int, str]:
    columns = PEOPLE_COLUMNS + TEAMS_COLUMNS
    position = columns.index(error.column) if error.column in columns else len(columns)
    return (error.line, position, error.message)


@dataclass
class ImportResult:
    kind: str  # "people" or "teams"
    dry_run: bool
    people: int = 0
    teams: int = 0
    memberships: int = 0
    admins: list[str] = field(default_factory=list)
    managers: int = 0

    def summary(self) -> str:
        verb = "would create" if self.dry_run else "created"
        if self.kind == "teams":
            return f"{verb} {self.teams} team(s)"
        return (
            f"{verb} {self.people} person(s) and {self.memberships} team membership(s)"
            f" ({len(self.admins)} admin(s), {self.managers} manager(s))"
        )


# --- reading CSV -----------------------------------------------------------------------------


def decode_upload(data: bytes) -> str:
    """Bytes of an uploaded file -> text, or ImportFileError with a reason a person can act on."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    try:
        text = data.decode("utf-8-sig")  # a BOM is what Excel's "CSV UTF-8" writes
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"The file is not UTF-8 text (line {line} has a byte that is not UTF-8). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from exc
    if "\x00" in text:
        raise ImportFileError("The file contains NUL bytes: it looks like a binary file, not CSV.")
    return text


def read_rows(
    text: str, *, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Parse CSV text with a header row. Returns ([(line, {column: value})], row errors).

    Raises ImportFileError for a missing/unknown/duplicate column, too many rows, or CSV that
    cannot be parsed at all.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(f"Line 1: the header cannot be read as CSV ({exc}).") from exc
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError("The first line must be a header naming the columns.")
    columns = [cell.strip().lower() for cell in header]
    allowed = list(required) + list(optional)
    expected = f"Expected columns: {', '.join(allowed)} (required: {', '.join(required)})."
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportFileError(f"Missing required column(s): {', '.join(missing)}. {expected}")
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise ImportFileError(f"Unknown column(s): {', '.join(unknown)}. {expected}")
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise ImportFileError(f"Column(s) named twice in the header: {', '.join(duplicated)}.")

    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    next_line = reader.line_num + 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank lines are harmless
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."
                )
            if len(record) != len(columns):
                errors.append(
                    RowError(
                        line,
                        "",
                        f"this row has {len(record)} field(s) but the header has "
                        f"{len(columns)}; check for a missing or extra comma or quote.",
                    )
                )
                continue
            rows.append((line, {c: v.strip() for c, v in zip(columns, record, strict=True)}))
    except csv.Error as exc:
        raise ImportFileError(f"Line {next_line}: this is not valid CSV ({exc}).") from exc
    if not rows and not errors:
        raise ImportFileError("The file has a header but no rows.")
    return rows, errors


_SPEC_RE = re.compile(r"^([a-z]{3})-([a-z]{3})$")
_LINE_RE = re.compile(r"^Line (\d+): ")


def parse_hours_line(text: str) -> dict[str, list[str]]:
    """'mon-fri 09:00-17:00; sat 10:00-14:00' -> canonical hours (teams.hours.parse_text,
    one line, ';' between day specs). A wrapping range such as 'sun-thu' is accepted."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    lines = []
    for part in parts:
        spec, _, rest = part.lower().partition(" ")
        match = _SPEC_RE.match(spec)
        days = hours_math.DAY_KEYS
        if match and match[1] in days and match[2] in days:
            first, last = days.index(match[1]), days.index(match[2])
            if last < first:  # sun-thu: the week wraps past Sunday
                lines.append(f"{match[1]}-sun {rest}" if first < 6 else f"sun {rest}")
                lines.append(f"mon-{match[2]} {rest}" if last > 0 else f"mon {rest}")
                continue
        lines.append(part)
    try:
        return hours_math.parse_text("\n".join(lines))
    except hours_math.WorkingHoursError as exc:
        message = str(exc)
        found = _LINE_RE.match(message)
        if found and len(lines) == len(parts):
            index = int(found[1]) - 1
            message = f"'{parts[index]}': {message[found.end() :]}"
        raise hours_math.WorkingHoursError(message) from exc


def parse_team_refs(text: str) -> list[tuple[str, str]]:
    """'platform:lead|payments:member' -> [('platform', 'lead'), ('payments', 'member')].
    A bare slug means member. Raises ValueError for an empty part."""
    refs = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            raise ValueError("an empty team reference; use slug:role separated by '|'.")
        slug, _, role = part.partition(":")
        refs.append((slug.strip().lower(), (role.strip().lower() or TeamRole.MEMBER)))
    return refs


# --- validating people -----------------------------------------------------------------------


@dataclass
class CleanPerson:
    line: int
    username: str
    email: str
    display_name: str
    time_zone: str
    country: str
    working_hours: dict[str, list[str]]
    org_role: str
    title: str
    phone: str
    teams: list[tuple[int, str]]  # (team id, role)
    password: str | None = None


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_lower(field_name: str, values: Sequence[str]) -> set[str]:
    """Which of these (lowercased) usernames/emails are taken, case-insensitively."""
    found: set[str] = set()
    values = sorted({v for v in values if v})
    for chunk in _chunks(values, _LOOKUP_CHUNK):
        found.update(
            User.objects.annotate(value=Lower(field_name))
            .filter(value__in=chunk)
            .values_list("value", flat=True)
        )
    return found


def _team_ids(slugs: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(slugs))
    ids: dict[str, int] = {}
    for chunk in _chunks(wanted, _LOOKUP_CHUNK):
        ids.update(Team.objects.filter(slug__in=chunk).values_list("slug", "id"))
    return ids


def validate_people(rows: Sequence[Mapping]) -> tuple[list[CleanPerson], list[RowError]]:
    """Check every row as person_create would, plus duplicates within the rows and unknown
    team slugs. Each row is a mapping with: line, username, email, display_name, time_zone,
    country, and optionally working_hours (dict; None = default), org_role, title, phone,
    teams ([(slug, role)]) and password. Reads the database; never writes."""
    errors: list[RowError] = []
    taken_usernames = _existing_lower(
        "username", [str(r.get("username") or "").strip().lower() for r in rows]
    )
    taken_emails = _existing_lower(
        "email", [str(r.get("email") or "").strip().lower() for r in rows]
    )
    team_ids = _team_ids(slug for r in rows for slug, _role in (r.get("teams") or ()))
    seen_usernames: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    cleaned: list[CleanPerson] = []
    hours_cache: dict[str, dict | str] = {}

    def clean_hours(value: object) -> dict[str, list[str]]:
        # Many people share a pattern; normalising each distinct one once keeps seeds fast.
        key = repr(value)
        if key not in hours_cache:
            try:
                hours_cache[key] = validation.clean_working_hours(value)
            except ValidationError as exc:
                hours_cache[key] = validation.message_of(exc, "working_hours")
        found = hours_cache[key]
        if isinstance(found, str):
            raise ValidationError({"working_hours": found})
        return found

    for row in rows:
        line = int(row.get("line") or 0)
        bad: list[RowError] = []

        def fail(column: str, message: str, line: int = line, bad: list = bad) -> None:
            bad.append(RowError(line, column, message))

        data = {column: row.get(column) for column in validation.PERSON_FIELDS}
        data["org_role"] = data["org_role"] or None  # blank: the default role
        person, problems = validation.clean_person(data, clean_hours=clean_hours)
        for column, message in problems.items():
            fail(column, message)

        username = person.get("username")
        if username:
            key = username.lower()
            if key in taken_usernames:
                fail("username", validation.username_taken(username))
            elif key in seen_usernames:
                fail("username", f"'{username}' is also on line {seen_usernames[key]}.")
            else:
                seen_usernames[key] = line
        email = person.get("email")
        if email:
            if email in taken_emails:
                fail("email", validation.email_taken(email))
            elif email in seen_emails:
                fail("email", f"'{email}' is also on line {seen_emails[email]}.")
            else:
                seen_emails[email] = line

        memberships: list[tuple[int, str]] = []
        seen_slugs: set[str] = set()
        for slug, role in row.get("teams") or ():
            try:
                role = validation.clean_team_role(role)
            except ValidationError as exc:
                fail("teams", f"Team '{slug}': {validation.message_of(exc, 'role')}")
            else:
                if slug in seen_slugs:
                    fail("teams", f"The team '{slug}' is listed twice.")
                elif slug not in team_ids:
                    fail("teams", f"There is no team with the slug '{slug}'.")
                else:
                    memberships.append((team_ids[slug], role))
            seen_slugs.add(slug)

        if bad:
            errors.extend(bad)
            continue
        cleaned.append(
            CleanPerson(
                line=line,
                username=person["username"],
                email=person["email"],
                display_name=person["display_name"],
                time_zone=person["time_zone"],
                country=person["country"],
                working_hours=person["working_hours"],
                org_role=person["org_role"],
                title=person["title"],
                phone=person["phone"],
                teams=memberships,
                password=row.get("password") or None,
            )
        )
    return cleaned, errors


@contextmanager
def _conflicts_as_errors():
    """A row created by someone else between validation and the write (same username or
    slug) hits a unique constraint: report it like any other problem, never as a 500."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ImportFileError(
            "Someone created one of these people or teams while this batch was being "
            "written; nothing was imported. Try again."
        ) from exc


# --- writing people --------------------------------------------------------------------------


@dataclass
class _Written:
    users: list[AbstractBaseUser]
    memberships: int


def _write_people(
    people: Sequence[CleanPerson],
    *,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> _Written:
    # One unusable hash for everyone without a password: each call to make_password(None)
    # only draws a random string, but there is no need for 12,000 of them.
    unusable = make_password(None)
    all_users: list[AbstractBaseUser] = []
    membership_count = 0
    for chunk in _chunks(list(people), batch_size):
        users = []
        for person in chunk:
            is_admin = person.org_role == OrgRole.ADMIN
            users.append(
                User(
                    username=person.username,
                    email=person.email,
                    first_name=validation.first_name_for(person.display_name),
                    password=make_password(person.password) if person.password else unusable,
                    is_staff=is_admin,
                    is_superuser=is_admin,
                )
            )
        User.objects.bulk_create(users, batch_size=batch_size)
        profiles = [
            Profile(
                user_id=user.pk,
                display_name=person.display_name,
                time_zone=person.time_zone,
                country=person.country,
                working_hours=person.working_hours,
                org_role=person.org_role,
                title=person.title,
                phone=person.phone,
            )
            for user, person in zip(users, chunk, strict=True)
        ]
        Profile.objects.bulk_create(profiles, batch_size=batch_size)
        intervals = [row for profile in profiles for row in working_interval_rows(profile)]
        WorkingInterval.objects.bulk_create(intervals, batch_size=batch_size)
        memberships = [
            Membership(team_id=team_id, person_id=user.pk, role=role)
            for user, person in zip(users, chunk, strict=True)
            for team_id, role in person.teams
        ]
        Membership.objects.bulk_create(memberships, batch_size=batch_size)
        membership_count += len(memberships)
        all_users.extend(users)
        if progress is not None:
            progress(len(chunk))
    caching.bump(PEOPLE_CACHE)
    memberships_changed()  # selectors.team_ids_of memos read them again
    return _Written(all_users, membership_count)


_ranges_cache: dict[str, list[hours_math.WeekRange]] = {}


def _ranges(working_hours: dict) -> list[hours_math.WeekRange]:
    key = repr(working_hours)
    ranges = _ranges_cache.get(key)
    if ranges is None:
        ranges = hours_math.week_ranges(working_hours)
        if len(_ranges_cache) < 10_000:
            _ranges_cache[key] = ranges
    return ranges


def _queue_invitations(users: Sequence[AbstractBaseUser]) -> None:
    for user in users:
        if not user.has_usable_password():
            enqueue_on_commit(send_invitation, user.pk)


def _people_changes(people: Sequence[CleanPerson], memberships: int) -> dict:
    return {
        "people": len(people),
        "memberships": memberships,
        "admins": [p.username for p in people if p.org_role == OrgRole.ADMIN],
        "managers": sum(1 for p in people if p.org_role == OrgRole.MANAGER),
    }


@transaction.atomic
def people_bulk_create(
    *,
    actor: Actor,
    rows: Sequence[Mapping],
    send_invites: bool = False,
    audit: bool = True,
    audit_action: str = "people.bulk_create",
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[AbstractBaseUser]:
    """Create many people at once (rows as for validate_people); all or nothing.

    Raises ImportRowsInvalid (a ValidationError) listing every bad row; writes nothing then.
    Records one audit event for the batch (admins created are named in it).
    """
    people, errors = validate_people(rows)
    if errors:
        raise ImportRowsInvalid(errors)
    with _conflicts_as_errors():
        written = _write_people(people, progress=progress, batch_size=batch_size)
    if audit:
        audit_record(
            actor=actor, action=audit_action, changes=_people_changes(people, written.memberships)
        )
    if send_invites:
        _queue_invitations(written.users)
    return written.users


# --- teams -----------------------------------------------------------------------------------


@dataclass
class CleanTeam:
    line: int
    name: str
    slug: str
    parent_slug: str
    description: str
    depth: int = 0  # 0 = parent already in the database (or none)


def validate_teams(rows: Sequence[Mapping]) -> tuple[list[CleanTeam], list[RowError]]:
    """Rows: line, name, slug (blank = from the name), parent_slug, description. A parent may
    be an existing team or another row of the same batch (in any order); cycles are refused."""
    errors: list[RowError] = []
    drafts: list[tuple[CleanTeam, bool]] = []
    by_slug: dict[str, CleanTeam] = {}
    raw_slugs = [slugify(str(r.get("slug") or r.get("name") or "")) for r in rows]
    parent_slugs = [str(r.get("parent_slug") or "").strip().lower() for r in rows]
    existing = _team_ids([s for s in raw_slugs + parent_slugs if s])

    for row, derived, parent_slug in zip(rows, raw_slugs, parent_slugs, strict=True):
        line = int(row.get("line") or 0)
        bad: list[RowError] = []
        name = str(row.get("name") or "").strip()
        try:
            name = validation.clean_team_name(name)
        except ValidationError as exc:
            bad.append(RowError(line, "name", validation.message_of(exc, "name")))
        # A blank slug comes from the name (as team_create makes one).
        given = str(row.get("slug") or "").strip()
        slug = given.lower() if given else derived
        try:
            slug = validation.clean_team_slug(given or derived)
        except ValidationError as exc:
            bad.append(RowError(line, "slug", validation.message_of(exc, "slug")))
        else:
            if slug in existing:
                bad.append(RowError(line, "slug", validation.slug_taken(slug)))
            elif slug in by_slug:
                line_there = by_slug[slug].line
                bad.append(RowError(line, "slug", f"'{slug}' is also on line {line_there}."))
        team = CleanTeam(line, name, slug, parent_slug, str(row.get("description") or "").strip())
        if slug and slug not in by_slug:
            by_slug[slug] = team
        errors.extend(bad)
        drafts.append((team, not bad))

    # Parents: existing, or in this batch; compute each row's depth within the batch.
    for team, _ok in drafts:
        if not team.parent_slug or team.parent_slug in existing:
            continue
        if team.parent_slug == team.slug:
            errors.append(RowError(team.line, "parent_slug", "A team cannot be its own parent."))
            continue
        if team.parent_slug not in by_slug:
            errors.append(
                RowError(
                    team.line,
                    "parent_slug",
                    f"There is no team with the slug '{team.parent_slug}' (in the database or "
                    "this file).",
                )
            )
            continue
        chain, node = {team.slug}, by_slug[team.parent_slug]
        depth = 1
        while True:
            if node.slug in chain:
                errors.append(
                    RowError(team.line, "parent_slug", "The parents in this file form a cycle.")
                )
                break
            chain.add(node.slug)
            if not node.parent_slug or node.parent_slug in existing:
                team.depth = depth
                break
            if node.parent_slug not in by_slug:
                team.depth = depth  # the missing parent is reported on its own row
                break
            node, depth = by_slug[node.parent_slug], depth + 1

    bad_lines = {e.line for e in errors}
    return [t for t, ok in drafts if ok and t.line not in bad_lines], errors


def _write_teams(teams: Sequence[CleanTeam], *, batch_size: int = BATCH_SIZE) -> list[Team]:
    ids = _team_ids(t.parent_slug for t in teams if t.parent_slug)
    created: list[Team] = []
    for depth in sorted({t.depth for t in teams}):
        level = [
            Team(
                name=t.name,
                slug=t.slug,
                parent_id=ids.get(t.parent_slug) if t.parent_slug else None,
                description=t.description,
            )
            for t in teams
            if t.depth == depth
        ]
        # Parents come first, so bulk_create has returned their ids before their children.
        Team.objects.bulk_create(level, batch_size=batch_size)
        ids.update((team.slug, team.pk) for team in level)
        created.extend(level)
    caching.bump(TEAMS_CACHE)
    return created


@transaction.atomic
def teams_bulk_create(
    *,
    actor: Actor,
    rows: Sequence[Mapping],
    audit: bool = True,
    audit_action: str = "teams.bulk_create",
) -> list[Team]:
    """Create many teams (parents before children); all or nothing, one audit event."""
    teams, errors = validate_teams(rows)
    if errors:
        raise ImportRowsInvalid(errors)
    with _conflicts_as_errors():
        created = _write_teams(teams)
    if audit:
        audit_record(actor=actor, action=audit_action, changes={"teams": len(created)})
    return created


# --- CSV import ------------------------------------------------------------------------------


def people_rows_from_csv(
    rows: Sequence[tuple[int, dict[str, str]]],
) -> tuple[list[dict], list[RowError]]:
    """CSV records -> rows for validate_people, with errors for the text formats."""
    out, errors = [], []
    for line, record in rows:
        hours = None
        text = record.get("working_hours", "")
        if text:
            try:
                hours = parse_hours_line(text)
            except hours_math.WorkingHoursError as exc:
                errors.append(RowError(line, "working_hours", str(exc)))
                hours = None
        teams: list[tuple[str, str]] = []
        if record.get("teams"):
            try:
                teams = parse_team_refs(record["teams"])
            except ValueError as exc:
                errors.append(RowError(line, "teams", f"The teams column has {exc}"))
        out.append(
            {
                "line": line,
                "username": record.get("username", ""),
                "email": record.get("email", ""),
                "display_name": record.get("display_name", ""),
                "time_zone": record.get("time_zone", ""),
                "country": record.get("country", ""),
                "working_hours": hours,
                "org_role": (record.get("org_role") or OrgRole.MEMBER).lower(),
                "title": record.get("title", ""),
                "phone": record.get("phone", ""),
                "teams": teams,
            }
        )
    return out, errors


@transaction.atomic
def import_people_csv(
    *,
    actor: Actor,
    data: bytes,
    dry_run: bool = False,
    send_invites: bool = False,
    source: str = "",
) -> ImportResult:
    """Import people from CSV bytes. Every row is checked before anything is written.

    Raises ImportFileError (file-level problem) or ImportRowsInvalid (every bad row with its
    line), both ValidationErrors; then nothing is written.
    """
    text = decode_upload(data)
    records, errors = read_rows(text, required=PEOPLE_REQUIRED, optional=PEOPLE_OPTIONAL)
    rows, parse_errors = people_rows_from_csv(records)
    people, row_errors = validate_people(rows)
    errors = errors + parse_errors + row_errors
    if errors:
        raise ImportRowsInvalid(errors)
    result = ImportResult(kind="people", dry_run=dry_run)
    memberships = sum(len(p.teams) for p in people)
    if not dry_run:
        with _conflicts_as_errors():
            written = _write_people(people)
        memberships = written.memberships
        changes = _people_changes(people, memberships)
        audit_record(
            actor=actor,
            action="people.import",
            changes={"kind": "people", "source": source[:200], **changes},
        )
        if send_invites:
            _queue_invitations(written.users)
    result.people = len(people)
    result.memberships = memberships
    result.admins = [p.username for p in people if p.org_role == OrgRole.ADMIN]
    result.managers = sum(1 for p in people if p.org_role == OrgRole.MANAGER)
    return result


@transaction.atomic
def import_teams_csv(
    *, actor: Actor, data: bytes, dry_run: bool = False, source: str = ""
) -> ImportResult:
    """Import teams from CSV bytes (name,slug,parent_slug,description); all or nothing."""
    text = decode_upload(data)
    records, errors = read_rows(text, required=TEAMS_REQUIRED, optional=TEAMS_OPTIONAL)
    rows = [{"line": line, **record} for line, record in records]
    teams, row_errors = validate_teams(rows)
    errors = errors + row_errors
    if errors:
        raise ImportRowsInvalid(errors)
    if not dry_run:
        with _conflicts_as_errors():
            created = _write_teams(teams)
        audit_record(
            actor=actor,
            action="people.import",
            changes={"kind": "teams", "source": source[:200], "teams": len(created)},
        )
    return ImportResult(kind="teams", dry_run=dry_run, teams=len(teams))


# --- the demo org ----------------------------------------------------------------------------


@dataclass
class SeedResult:
    people: int
    teams: int
    memberships: int
    countries: int


@transaction.atomic
def seed_demo_org(
    *,
    actor: Actor,
    people: int,
    teams: int,
    seed: int = 1,
    admin_password: str,
    demo_password: str,
    progress: Callable[[int], None] | None = None,
) -> SeedResult | None:
    """Create the demo org (see teams.demo_data) plus the `admin` and `demo` sign-ins.

    Runs once: returns None and writes nothing when any person already exists.
    """
    from .demo_data import build_plan

    if Profile.objects.exists():
        return None
    plan = build_plan(people=people, teams=teams, seed=seed)
    teams_bulk_create(actor=actor, rows=plan.team_rows(), audit=False)
    top = [t.slug for t in plan.teams if t.level == 1]
    # The admin sits in Operations when the plan has it (IT lives there).
    home = "operations" if "operations" in top else (top[0] if top else None)
    squads = [t.slug for t in plan.teams if t.level == 3] or top
    rows = list(plan.people)
    rows.append(
        {
            "line": len(rows) + 1,
            "username": "admin",
            "email": "admin@baton.example",
            "display_name": "Demo Admin",
            "time_zone": "Europe/London",
            "country": "GB",
            "org_role": OrgRole.ADMIN,
            "title": "Org Administrator",
            "teams": [(home, TeamRole.MEMBER)] if home else [],
            "password": admin_password,
        }
    )
    rows.append(
        {
            "line": len(rows) + 1,
            "username": "demo",
            "email": "demo@baton.example",
            "display_name": "Demo Member",
            "time_zone": "America/New_York",
            "country": "US",
            "org_role": OrgRole.MEMBER,
            "title": "Software Engineer",
            "teams": [(squads[0], TeamRole.MEMBER)] if squads else [],
            "password": demo_password,
        }
    )
    created = people_bulk_create(actor=actor, rows=rows, audit=False, progress=progress)
    memberships = sum(len(r["teams"]) for r in rows)
    result = SeedResult(
        people=len(created),
        teams=len(plan.teams),
        memberships=memberships,
        countries=len({r["country"] for r in rows}),
    )
    audit_record(
        actor=actor,
        action="demo.seed",
        changes={
            "seed": seed,
            "people": result.people,
            "teams": result.teams,
            "memberships": result.memberships,
            "countries": result.countries,
            "admins": [r["username"] for r in rows if r["org_role"] == OrgRole.ADMIN],
        },
    )
    return result
