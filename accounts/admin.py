"""Sign-in data in the admin site, read-only (see core/admin.py): tokens are revoked on the
tokens page, second factors reset on the person page, sessions ended on the sessions page.
Lockout records are shown, never changed or deleted here (deleting an attempt would unlock
someone without an audit record)."""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import ApiToken, ScrapeToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")
    raw_id_fields = ("user",)


@admin.register(ScrapeToken)
class ScrapeTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("token_hash", "prefix")


# allauth's own admins would change e-mail addresses, delete second factors and sessions
# without the audit log: replaced by read-only ones.
class ReadOnlyEmailAddressAdmin(ReadOnlyAdmin, EmailAddressAdmin):
    pass


class ReadOnlyAuthenticatorAdmin(ReadOnlyAdmin, AuthenticatorAdmin):
    # The data holds the TOTP secret and the recovery-code seed: nobody reads those here.
    exclude = ("data",)


class ReadOnlyUserSessionAdmin(ReadOnlyAdmin, UserSessionAdmin):
    pass


# axes' own admins offer "Change", delete (which unlocks) and a bulk "clean up" that deletes.
class ReadOnlyAccessAttemptAdmin(ReadOnlyAdmin, AccessAttemptAdmin):
    actions = []


class ReadOnlyAccessLogAdmin(ReadOnlyAdmin, AccessLogAdmin):
    actions = []


class ReadOnlyAccessFailureLogAdmin(ReadOnlyAdmin, AccessFailureLogAdmin):
    actions = []


for model, model_admin in (
    (EmailAddress, ReadOnlyEmailAddressAdmin),
    (Authenticator, ReadOnlyAuthenticatorAdmin),
    (UserSession, ReadOnlyUserSessionAdmin),
    (AccessAttempt, ReadOnlyAccessAttemptAdmin),
    (AccessLog, ReadOnlyAccessLogAdmin),
    (AccessFailureLog, ReadOnlyAccessFailureLogAdmin),
):
    if admin.site.is_registered(model):  # axes registers its admins only if AXES_ENABLE_ADMIN
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
