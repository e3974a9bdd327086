"""The audit log moves from teams to core, without touching its rows.

AuditEvent was teams' model (table "teams_auditevent", created by teams' 0001). Teams' 0005
removes it from teams' state only and this migration, which runs after it, adds it to core's
state only (SeparateDatabaseAndState: no SQL either way). So on an existing database the table
and every row stay where they are, and on a fresh one teams' 0001 creates the table as before.

The order (teams' 0005, then this one) means no migration state ever holds the model twice:
`migrate teams 0004` undoes both, and `migrate core zero` leaves it in neither app for a
moment; with both, Django would create a second content type for it after a partial undo.

The table keeps its name (Meta.db_table) rather than being renamed to "core_auditevent": a
rename would also have to rename its indexes (their names are derived from the table name),
its sequence and its foreign-key constraint on PostgreSQL, and would lock the biggest table
for a cosmetic gain. The index name below is the one teams' 0001 created.

The content type (teams, auditevent) becomes (core, auditevent), so the permissions and admin
log entries attached to it follow the model; going back renames it again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="auditevent").exists():
        ContentType.objects.filter(app_label=old, model="auditevent").update(app_label=new)


def content_type_to_core(apps, schema_editor):
    _relabel(apps, "teams", "core")


def content_type_to_teams(apps, schema_editor):
    _relabel(apps, "core", "teams")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("teams", "0005_auditevent_moved_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("actor_repr", models.CharField(blank=True, max_length=150)),
                        ("action", models.CharField(db_index=True, max_length=64)),
                        (
                            "target_type",
                            models.CharField(blank=True, db_index=True, max_length=64),
                        ),
                        ("target_id", models.CharField(blank=True, max_length=64)),
                        ("target_repr", models.CharField(blank=True, max_length=200)),
                        ("changes", models.JSONField(blank=True, default=dict)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("user_agent", models.CharField(blank=True, max_length=300)),
                        ("via", models.CharField(blank=True, max_length=16)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "teams_auditevent",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["actor", "-created_at"],
                                name="teams_audit_actor_i_f2e9b4_idx",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_core, content_type_to_teams),
    ]
