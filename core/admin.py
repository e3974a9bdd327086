"""The admin site is an inspection console for admins: it shows everything and changes
nothing. Every write to Baton's data goes through a service, which validates it, keeps derived
rows in step (working intervals, caches, ended sessions) and writes the audit log; a write made
here would skip all three. Every app's admin.py builds on the read-only classes below."""

from django.contrib import admin
from django_celery_beat import admin as beat_admin
from django_celery_beat import models as beat_models

from .models import AuditEvent


class ViewOnly:
    """No add, change or delete: the admin site only shows (see the module docstring)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ViewOnly, admin.ModelAdmin):
    def get_actions(self, request):
        # Bulk actions write (delete, and third-party ones such as celery-beat's "enable" or
        # "run", which ask for no permission at all): none. It also refuses posted actions.
        return {}


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    extra = 0


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_repr", "action", "target_repr", "ip_address", "via")
    list_filter = ("action", "via")
    search_fields = ("actor_repr", "target_repr")


# Beat schedules are code (core/beat.py); django-celery-beat's admins would add, edit, enable,
# disable, run and delete periodic tasks and their schedules unaudited. Shown read-only. (The
# import above registers django-celery-beat's admins, whatever the order of INSTALLED_APPS.)
for model, model_admin in (
    (beat_models.PeriodicTask, beat_admin.PeriodicTaskAdmin),
    (beat_models.IntervalSchedule, beat_admin.IntervalScheduleAdmin),
    (beat_models.CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (beat_models.SolarSchedule, beat_admin.SolarScheduleAdmin),
    (beat_models.ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (beat_models.PeriodicTasks, admin.ModelAdmin),  # not registered today; never writable
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        view_only = type(f"ReadOnly{model_admin.__name__}", (ReadOnlyAdmin, model_admin), {})
        admin.site.register(model, view_only)
