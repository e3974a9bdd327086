"""Store working ranges longer than a day as pieces of at most a day (1,440 minutes), which
lets "working now" read only the rows that start within the last day."""

from django.db import migrations
from django.db.models import F

PIECE_MINUTES = 1440  # teams.hours.MAX_STORED_MINUTES when this migration was written


def split_long_intervals(apps, schema_editor):
    WorkingInterval = apps.get_model("teams", "WorkingInterval")
    long_rows = WorkingInterval.objects.filter(end_minute__gt=F("start_minute") + PIECE_MINUTES)
    for row in list(long_rows):
        start, end = row.start_minute, row.end_minute
        pieces = []
        while end - start > PIECE_MINUTES:
            pieces.append((start, start + PIECE_MINUTES))
            start += PIECE_MINUTES
        pieces.append((start, end))
        row.start_minute, row.end_minute = pieces[0]
        row.save(update_fields=["start_minute", "end_minute"])
        WorkingInterval.objects.bulk_create(
            WorkingInterval(
                profile_id=row.profile_id, time_zone=row.time_zone, start_minute=s, end_minute=e
            )
            for s, e in pieces[1:]
        )


def join_pieces(apps, schema_editor):
    # Going back: merge each profile's touching rows into one range again.
    WorkingInterval = apps.get_model("teams", "WorkingInterval")
    rows = WorkingInterval.objects.order_by("profile_id", "start_minute")
    previous = None
    for row in list(rows):
        if (
            previous is not None
            and previous.profile_id == row.profile_id
            and previous.end_minute == row.start_minute
        ):
            previous.end_minute = row.end_minute
            previous.save(update_fields=["end_minute"])
            row.delete()
        else:
            previous = row


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_working_interval_time_zone")]

    operations = [migrations.RunPython(split_long_intervals, join_pieces)]
