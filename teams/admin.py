from django.contrib import admin

from .models import AuditEvent, Membership, OrgSettings, Profile, Team


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "org_role", "time_zone", "country")
    list_filter = ("org_role", "country")
    search_fields = ("display_name", "user__username")
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent")
    search_fields = ("name", "slug")
    raw_id_fields = ("parent",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("team", "person", "role")
    list_filter = ("role",)
    raw_id_fields = ("team", "person")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_repr", "action", "target_repr", "ip_address", "via")
    list_filter = ("action", "via")
    search_fields = ("actor_repr", "target_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(OrgSettings)
