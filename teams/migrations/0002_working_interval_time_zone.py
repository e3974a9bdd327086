from django.db import migrations, models


def copy_time_zones(apps, schema_editor):
    WorkingInterval = apps.get_model("teams", "WorkingInterval")
    Profile = apps.get_model("teams", "Profile")
    for profile_id, time_zone in Profile.objects.values_list("id", "time_zone").iterator():
        WorkingInterval.objects.filter(profile_id=profile_id).update(time_zone=time_zone)


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="workinginterval",
            name="time_zone",
            field=models.CharField(default="UTC", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(copy_time_zones, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="workinginterval", name="teams_worki_start_m_a99dc0_idx"
        ),
        migrations.AddIndex(
            model_name="workinginterval",
            index=models.Index(
                fields=["time_zone", "start_minute", "end_minute"],
                name="teams_worki_time_zo_95c7de_idx",
            ),
        ),
    ]
