from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in, MFA and API tokens"

    def ready(self) -> None:
        # Before any URL module is loaded (they load lazily, after every app is ready).
        from django.urls import register_converter

        from config.converters import IdConverter
        from notifications.kinds import register_kind
        from teams import panels as team_panels

        from . import panels

        register_converter(IdConverter, "id")
        register_kind("accounts.mfa_reset", "An admin reset my two-factor authentication")
        # The person page shows admins a sign-in lockout (teams may not import accounts).
        team_panels.register("person_admin", panels.signin_lockout)
