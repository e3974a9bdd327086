"""Encrypt the second-factor seeds stored in clear before accounts/crypto.py existed (TOTP
secrets, recovery-code seeds and migrated codes); going back decrypts them."""

from django.db import migrations

from core import crypto
from accounts.services import second_factor_seeds_rewrite


def _rewrite(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    second_factor_seeds_rewrite(authenticators=Authenticator.objects.all(), convert=convert)


def encrypt_seeds(apps, schema_editor):
    _rewrite(apps, lambda v: v if crypto.is_encrypted(v) else crypto.encrypt(v))


def decrypt_seeds(apps, schema_editor):
    _rewrite(apps, crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_seeds, decrypt_seeds)]
