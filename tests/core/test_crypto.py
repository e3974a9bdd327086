"""Second-factor seeds are encrypted at rest (accounts/crypto.py via allauth's MFA adapter)."""

from __future__ import annotations

import io
from importlib import import_module

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from cryptography.fernet import InvalidToken
from django.apps import apps

from core import crypto
from tests.factories import PersonFactory


def _code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_round_trip_and_fresh_ciphertexts():
    value = crypto.encrypt("JBSWY3DPEHPK3PXP")
    assert value.startswith(crypto.PREFIX) and "JBSWY3DPEHPK3PXP" not in value
    assert crypto.decrypt(value) == "JBSWY3DPEHPK3PXP"
    assert crypto.encrypt("JBSWY3DPEHPK3PXP") != value  # random IV each time
    assert crypto.decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"  # stored in clear earlier


def test_rotated_secret_key_still_reads_old_values(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 50
    value = crypto.encrypt("seed")
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    assert crypto.decrypt(value) == "seed"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(InvalidToken):  # without the old key it cannot be read, or forged
        crypto.decrypt(value)


def test_totp_and_recovery_codes_are_stored_encrypted_and_still_work(db):
    person = PersonFactory(username="enc")
    secret = generate_totp_secret()
    totp = TOTP.activate(person, secret)
    stored = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP).data
    assert secret not in str(stored) and stored["secret"].startswith(crypto.PREFIX)
    assert totp.validate_code(_code(secret))
    codes = RecoveryCodes.activate(person)
    seed = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    assert seed.data["seed"].startswith(crypto.PREFIX)
    unused = codes.get_unused_codes()
    assert len(unused) >= 10 and RecoveryCodes(seed).validate_code(unused[0])


def test_migration_encrypts_clear_seeds_once_and_reverses(db):
    migration = import_module("accounts.migrations.0002_encrypt_second_factor_seeds")
    person = PersonFactory(username="legacy")
    secret = generate_totp_secret()
    legacy = Authenticator.objects.create(
        user=person, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    # Stored in clear (before this change) the code still validates...
    assert TOTP(legacy).validate_code(_code(secret))
    migration.encrypt_seeds(apps, None)
    legacy.refresh_from_db()
    encrypted = legacy.data["secret"]
    assert encrypted.startswith(crypto.PREFIX) and crypto.decrypt(encrypted) == secret
    migration.encrypt_seeds(apps, None)  # idempotent: not encrypted twice
    legacy.refresh_from_db()
    assert legacy.data["secret"] == encrypted
    migration.decrypt_seeds(apps, None)
    legacy.refresh_from_db()
    assert legacy.data == {"secret": secret}


def test_reencrypt_command_moves_seeds_to_the_new_key(db, settings):
    from django.core.management import call_command

    settings.SECRET_KEY = "old-key-" + "x" * 50
    person = PersonFactory(username="rot")
    secret = generate_totp_secret()
    TOTP.activate(person, secret)
    RecoveryCodes.activate(person)
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "2 authenticator(s)" in out.getvalue() and "0 webhook(s)" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone: everything still reads
    totp = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    assert crypto.decrypt(totp.data["secret"]) == secret
    assert TOTP(totp).validate_code(_code(secret))


def test_webhook_secrets_are_encrypted_and_migrated(db, settings):
    from notifications import services
    from notifications.models import Webhook
    from tests.factories import SYSTEM

    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    owner = PersonFactory(username="hooky")
    hook = services.webhook_create(
        actor=SYSTEM, owner=owner, name="Mine", url="http://127.0.0.1:9/hook"
    )
    hook.refresh_from_db()
    assert hook.secret.startswith(crypto.PREFIX)
    assert hook.signing_secret.startswith("whsec_") and hook.signing_secret not in hook.secret
    migration = import_module("notifications.migrations.0002_webhook_secret_encrypted")
    migration.decrypt_secrets(apps, None)  # as stored before this change...
    hook.refresh_from_db()
    assert hook.secret.startswith("whsec_") and hook.signing_secret == hook.secret
    migration.encrypt_secrets(apps, None)  # ...and encrypted by the migration
    clear = hook.secret
    hook.refresh_from_db()
    assert crypto.is_encrypted(hook.secret) and hook.signing_secret == clear
    assert Webhook.objects.get(pk=hook.pk).signing_secret == clear
