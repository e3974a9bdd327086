"""projects.cadence: when an update falls due, when the owner is reminded and when a project
turns stale, in the owner's zone and working hours. Pure, so checked directly and with
hypothesis properties against a minute-by-minute reference built on teams.hours.is_working."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from projects import cadence
from teams import hours

MINUTE = timedelta(minutes=1)
WEEKDAYS_9_17 = {key: ["09:00-17:00"] for key in ("mon", "tue", "wed", "thu", "fri")}
AUCKLAND = ZoneInfo("Pacific/Auckland")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ranges_of(working_hours: dict) -> list[hours.WeekRange]:
    return hours.week_ranges(hours.normalize(working_hours))


# --- the reported cases ----------------------------------------------------------------------


def test_due_date_is_the_cadence_after_the_last_update():
    assert cadence.update_due_on(date(2027, 3, 8), 7) == date(2027, 3, 15)
    assert cadence.update_due_on(date(2027, 12, 30), 3) == date(2028, 1, 2)


def test_auckland_reminder_stays_at_9_local_when_dst_ends():
    # NZ leaves daylight time on Sun 4 Apr 2027 (+13 -> +12): 09:00 moves from 20:00 UTC the
    # day before to 21:00 UTC the day before.
    ranges = ranges_of(WEEKDAYS_9_17)
    before = cadence.reminder_at(ranges, AUCKLAND, date(2027, 3, 29))
    after = cadence.reminder_at(ranges, AUCKLAND, date(2027, 4, 5))
    assert before == utc(2027, 3, 28, 20, 0)
    assert after == utc(2027, 4, 4, 21, 0)
    assert after.astimezone(AUCKLAND).time() == before.astimezone(AUCKLAND).time() == time(9)


def test_los_angeles_reminder_stays_at_9_local_when_dst_starts():
    # The US enters daylight time on Sun 14 Mar 2027 (-8 -> -7).
    ranges = ranges_of(WEEKDAYS_9_17)
    assert cadence.reminder_at(ranges, LOS_ANGELES, date(2027, 3, 8)) == utc(2027, 3, 8, 17)
    assert cadence.reminder_at(ranges, LOS_ANGELES, date(2027, 3, 15)) == utc(2027, 3, 15, 16)


def test_a_due_date_on_a_day_off_reminds_on_the_next_working_day():
    ranges = ranges_of(WEEKDAYS_9_17)
    # Sat 13 Mar 2027 -> Mon 15 Mar, 09:00 PDT.
    assert cadence.reminder_at(ranges, LOS_ANGELES, date(2027, 3, 13)) == utc(2027, 3, 15, 16)


def test_the_first_range_of_the_day_counts_not_the_longest():
    ranges = ranges_of({"tue": ["07:30-08:00", "10:00-18:00"]})
    zone = ZoneInfo("Europe/Berlin")
    assert cadence.reminder_at(ranges, zone, date(2027, 6, 7)) == datetime(
        2027, 6, 8, 7, 30, tzinfo=zone
    )


def test_a_sunday_to_thursday_week():
    ranges = ranges_of({k: ["08:00-16:00"] for k in ("sun", "mon", "tue", "wed", "thu")})
    zone = ZoneInfo("Asia/Riyadh")
    assert cadence.working_weekdays(ranges) == frozenset({6, 0, 1, 2, 3})
    # Fri 5 Mar 2027 -> Sun 7 Mar, 08:00 local.
    assert cadence.reminder_at(ranges, zone, date(2027, 3, 5)) == datetime(
        2027, 3, 7, 8, tzinfo=zone
    )


def test_no_hours_on_record_means_weekdays_from_nine():
    zone = ZoneInfo("Asia/Tokyo")
    assert cadence.working_weekdays([]) == cadence.DEFAULT_WORKING_WEEKDAYS
    assert cadence.reminder_at([], zone, date(2027, 3, 6)) == datetime(2027, 3, 8, 9, tzinfo=zone)
    assert cadence.first_working_instant([], zone, date(2027, 3, 6)) is None


def test_a_night_shift_day_starts_where_its_first_working_minute_is():
    # Fri 22:00 to Sat 06:00: Saturday is a working day that starts at 00:00 (the shift goes
    # on), Friday one that starts at 22:00.
    ranges = ranges_of({"fri": ["22:00-06:00"]})
    zone = ZoneInfo("Asia/Manila")
    assert cadence.working_weekdays(ranges) == frozenset({4, 5})
    assert cadence.first_working_instant(ranges, zone, date(2027, 3, 5)) == datetime(
        2027, 3, 5, 22, tzinfo=zone
    )
    assert cadence.first_working_instant(ranges, zone, date(2027, 3, 6)) == datetime(
        2027, 3, 6, 0, tzinfo=zone
    )


def test_a_day_whose_only_range_falls_into_the_dst_gap_is_no_working_day():
    # New York skips 02:00-03:00 on Sun 14 Mar 2027: someone who works only Sundays 02:00-02:30
    # does not work that Sunday. The reminder goes to the next Sunday, at a working minute
    # (it used to fall back to 09:00 that Sunday, when they were not working).
    zone = ZoneInfo("America/New_York")
    ranges = ranges_of({"sun": ["02:00-02:30"]})
    assert not cadence.is_working_day(ranges, zone, date(2027, 3, 14))
    reminder = cadence.reminder_at(ranges, zone, date(2027, 3, 14))
    assert reminder == datetime(2027, 3, 21, 2, 0, tzinfo=zone)
    assert hours.is_working(ranges, zone, reminder)


def test_stale_counts_only_working_days():
    ranges = ranges_of(WEEKDAYS_9_17)
    zone = ZoneInfo("Europe/London")
    # Updated Mon 1 Mar 2027; three working days without one: Tue, Wed, Thu. Stale from the
    # start of Friday.
    assert cadence.stale_at(ranges, zone, date(2027, 3, 1), 3) == datetime(
        2027, 3, 5, 9, tzinfo=zone
    )
    # Updated Thu 4 Mar: Fri, Mon, Tue -> stale from Wednesday 10 March (the weekend skipped).
    assert cadence.stale_at(ranges, zone, date(2027, 3, 4), 3) == datetime(
        2027, 3, 10, 9, tzinfo=zone
    )
    # Ten working days = two weeks.
    assert cadence.stale_at(ranges, zone, date(2027, 3, 1), 10) == datetime(
        2027, 3, 16, 9, tzinfo=zone
    )


def test_stale_for_someone_who_works_two_days_a_week():
    ranges = ranges_of({"tue": ["10:00-14:00"], "thu": ["10:00-14:00"]})
    zone = ZoneInfo("America/Sao_Paulo")
    # Updated Mon 1 Mar 2027; 2 working days: Tue 2, Thu 4 -> stale Tue 9 Mar 10:00.
    assert cadence.stale_at(ranges, zone, date(2027, 3, 1), 2) == datetime(
        2027, 3, 9, 10, tzinfo=zone
    )


def test_stale_across_auckland_dst_end_keeps_local_time():
    ranges = ranges_of(WEEKDAYS_9_17)
    stale = cadence.stale_at(ranges, AUCKLAND, date(2027, 3, 29), 5)
    # Tue 30, Wed 31, Thu 1, Fri 2, Mon 5 -> stale Tue 6 Apr 09:00 NZST.
    assert stale == datetime(2027, 4, 6, 9, tzinfo=AUCKLAND) == utc(2027, 4, 5, 21)


# --- properties ------------------------------------------------------------------------------

ALL_ZONES = sorted(available_timezones() - {"Factory", "localtime"})
AWKWARD_ZONES = [
    "Pacific/Auckland",
    "America/Los_Angeles",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "Pacific/Apia",
    "Europe/London",
    "Asia/Gaza",
]
zones = st.one_of(st.sampled_from(AWKWARD_ZONES), st.sampled_from(ALL_ZONES))
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2034, 12, 31))


def _hhmm(quarter: int) -> str:
    return f"{quarter * 15 // 60:02d}:{quarter * 15 % 60:02d}"


@st.composite
def working_hours(draw) -> dict[str, list[str]]:
    """Non-empty weekly hours: one day with a sure interval, each day none, one or two
    intervals in quarter hours (some crossing midnight)."""
    result: dict[str, list[str]] = {}
    for key in hours.DAY_KEYS:
        cuts = sorted(
            draw(st.lists(st.integers(min_value=0, max_value=95), max_size=4, unique=True))
        )
        result[key] = [f"{_hhmm(cuts[i])}-{_hhmm(cuts[i + 1])}" for i in range(0, len(cuts) - 1, 2)]
    sure_day = draw(st.sampled_from(hours.DAY_KEYS))
    start = draw(st.integers(min_value=0, max_value=95))
    length = draw(st.integers(min_value=1, max_value=48))
    result[sure_day] = [f"{_hhmm(start)}-{_hhmm((start + length) % 96)}"]
    try:
        ranges_of(result)
    except hours.WorkingHoursError:
        assume(False)  # an overlap across midnight
    return result


def local_day_bounds(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The instants [first, next) whose local date is `day` (fold=0 midnights)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def working_minutes_of(ranges, zone: ZoneInfo, day: date):
    """Every whole UTC minute whose local date is `day` and at which the person works."""
    start, end = local_day_bounds(zone, day)
    t = start
    while t < end:
        if t.astimezone(zone).date() == day and hours.is_working(ranges, zone, t):
            yield t
        t += MINUTE


def is_working_day_reference(ranges, zone: ZoneInfo, day: date) -> bool:
    return next(working_minutes_of(ranges, zone, day), None) is not None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(working_hours(), zones, days)
# The range a DST gap swallows (New York, Sun 14 Mar 2027), found by hand.
@example({"sun": ["02:00-02:30"]}, "America/New_York", date(2027, 3, 14))
@example({"sun": ["23:30-00:30"]}, "America/Santiago", date(2027, 9, 4))
def test_reminder_is_the_first_working_minute_of_the_first_working_day_on_or_after_due(
    schedule, zone_name, due
):
    zone = ZoneInfo(zone_name)
    ranges = ranges_of(schedule)
    reminder = cadence.reminder_at(ranges, zone, due)
    local_day = reminder.astimezone(zone).date()
    assert local_day >= due
    assert hours.is_working(ranges, zone, reminder)
    # The first working minute of that date.
    assert reminder == next(working_minutes_of(ranges, zone, local_day))
    # No earlier working day since the due date.
    day = due
    while day < local_day:
        assert not is_working_day_reference(ranges, zone, day), day
        day += timedelta(days=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(working_hours(), zones, days, st.integers(min_value=1, max_value=12))
def test_stale_is_after_the_update_on_a_working_day_after_n_working_days(
    schedule, zone_name, last, n
):
    zone = ZoneInfo(zone_name)
    ranges = ranges_of(schedule)
    stale = cadence.stale_at(ranges, zone, last, n)
    _, end_of_update_day = local_day_bounds(zone, last)
    assert stale >= end_of_update_day  # after any instant of the update's local date
    stale_day = stale.astimezone(zone).date()
    assert hours.is_working(ranges, zone, stale)
    assert cadence.first_working_instant(ranges, zone, stale_day) == stale
    # Exactly n working days lie strictly between the update's date and the stale date.
    between = [
        last + timedelta(days=k)
        for k in range(1, (stale_day - last).days)
        if cadence.is_working_day(ranges, zone, last + timedelta(days=k))
    ]
    assert len(between) == n


@settings(max_examples=40, deadline=None)
@given(working_hours(), zones, days)
def test_first_working_instant_agrees_with_is_working(schedule, zone_name, day):
    zone = ZoneInfo(zone_name)
    ranges = ranges_of(schedule)
    first = cadence.first_working_instant(ranges, zone, day)
    expected = next(working_minutes_of(ranges, zone, day), None)
    assert first == expected


@settings(max_examples=100, deadline=None)
@given(zones, days, st.integers(min_value=1, max_value=90))
def test_no_hours_on_record_reminds_on_a_weekday_at_nine_local(zone_name, due, cadence_days):
    zone = ZoneInfo(zone_name)
    reminder = cadence.reminder_at([], zone, cadence.update_due_on(due, cadence_days))
    local = reminder.astimezone(zone)
    assert local.weekday() < 5
    assert local.date() >= due + timedelta(days=cadence_days)
    assert (local.date() - (due + timedelta(days=cadence_days))).days <= 2
