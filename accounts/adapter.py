import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter

from core import crypto


class BatonAccountAdapter(DefaultAccountAdapter):
    def add_message(self, request, level, message_template=None, *args, **kwargs):
        """ "Successfully signed in" only once the person is really in: someone who still has
        to set up their second factor is not signed in yet, as far as Baton is concerned."""
        if message_template == "account/messages/logged_in.txt":
            from .verification import is_verified

            user = getattr(request, "user", None)
            if user is None or not is_verified(request, user):
                return
        super().add_message(request, level, message_template, *args, **kwargs)

    def is_open_for_signup(self, request) -> bool:
        """No self sign-up: admins invite or import people."""
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth's failed-login limit per login (ACCOUNT_RATE_LIMITS "key") is keyed by the
        login typed, lower-cased, and by the request's host. Baton is one site: a key per
        host name would give each allowed host its own budget, and an admin's unlock
        (accounts.services.signin_unlock) could not name the key without the person's
        request. So the login alone."""
        login = credentials.get("email", credentials.get("username", ""))
        return str(login or "").lower()

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Sensitive changes (password, MFA, API tokens) need a password or MFA proof from the
        last few minutes. Signing in is such a proof, so a person who must set up MFA right
        after signing in is not asked for their password twice."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        window = account_settings.REAUTHENTICATION_TIMEOUT
        now = time.time()
        records = get_authentication_records(request, user)
        return not any(now - record.get("at", 0) < window for record in records)


class BatonMFAAdapter(DefaultMFAAdapter):
    """Second-factor seeds are encrypted at rest (core/crypto.py): a copy of the database
    alone does not let anyone generate a person's codes."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)
