"""AuditEvent now belongs to core (core/migrations/0001_initial.py explains the move): teams
forgets the model in its state only; the table "teams_auditevent" and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    # core's 0001 depends on this one, so going back to teams 0004 undoes both at once.
    dependencies = [("teams", "0004_verbose_names")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
