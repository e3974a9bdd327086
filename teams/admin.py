"""People, teams and org settings in the admin site, read-only like the rest of it (see
core/admin.py): people, roles, teams and memberships are changed on Baton's own pages and API."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from core.admin import ReadOnlyAdmin

from .models import Membership, OrgSettings, Profile, Team

# Django's own user and group admins would change passwords, superuser flags and "active"
# without the audit log or ending sessions: replaced by read-only ones.
User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class ReadOnlyUserAdmin(ReadOnlyAdmin, UserAdmin):
    pass


@admin.register(Group)
class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "user", "org_role", "time_zone", "country")
    list_filter = ("org_role", "country")
    search_fields = ("display_name", "user__username")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "slug", "parent")
    search_fields = ("name", "slug")
    raw_id_fields = ("parent",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("team", "person", "role")
    list_filter = ("role",)
    raw_id_fields = ("team", "person")


admin.site.register(OrgSettings, ReadOnlyAdmin)
