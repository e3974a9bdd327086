from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in, MFA and API tokens"

    def ready(self) -> None:
        # Before any URL module is loaded (they load lazily, after every app is ready).
        from django.urls import register_converter

        from config.converters import IdConverter
        from notifications.kinds import register_kind

        register_converter(IdConverter, "id")
        register_kind("accounts.mfa_reset", "An admin reset my two-factor authentication")
