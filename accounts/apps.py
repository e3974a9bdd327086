from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in, MFA and API tokens"

    def ready(self) -> None:
        from core import crypto, nav
        from core import panels as core_panels
        from notifications.kinds import register_kind

        from . import panels, services

        register_kind(
            "accounts.mfa_reset", "An admin reset my two-factor authentication", unmutable=False
        )
        # The person page shows admins a sign-in lockout (teams may not import accounts).
        core_panels.register("person_admin", panels.signin_lockout)
        nav.register_link("api-tokens", "API tokens", section=nav.ACCOUNT, order=10)
        nav.register_link("usersessions_list", "Sessions", section=nav.ACCOUNT, order=20)
        nav.register_link("mfa_index", "Security", section=nav.ACCOUNT, order=30)
        # TOTP secrets and recovery-code seeds (the MFA adapter encrypts them).
        crypto.register_encrypted(
            "the seeds of {count} authenticator(s)", services.second_factor_seeds_reencrypt
        )
