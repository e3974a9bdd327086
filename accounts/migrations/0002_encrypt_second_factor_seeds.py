"""Encrypt the second-factor seeds stored in clear before accounts/crypto.py existed (TOTP
secrets, recovery-code seeds and migrated codes); going back decrypts them."""

from django.db import migrations

from accounts import crypto


def _convert(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data or {})
        for key in ("secret", "seed"):
            if isinstance(data.get(key), str):
                data[key] = convert(data[key])
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_seeds(apps, schema_editor):
    _convert(apps, lambda v: v if crypto.is_encrypted(v) else crypto.encrypt(v))


def decrypt_seeds(apps, schema_editor):
    _convert(apps, crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_seeds, decrypt_seeds)]
