"""API tokens in the admin site, read-only (see teams/admin.py): revoke on the tokens page."""

from django.contrib import admin

from teams.admin import ReadOnlyAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")
    raw_id_fields = ("user",)
