"""Encryption at rest for secrets Baton has to read back: the seeds of people's second factors
(TOTP secrets, recovery-code seeds), which allauth would otherwise store in clear, and webhook
signing secrets. Each app registers what it stores encrypted (register_encrypted, from its
AppConfig.ready()), so `manage.py reencrypt_secrets` finds it all after a key rotation.

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) with keys derived
from SECRET_KEY and SECRET_KEY_FALLBACKS by HKDF: rotating SECRET_KEY (the old one moved to
the fallbacks) keeps stored values readable. Values carry a prefix, so a value stored before
encryption was turned on is recognised and read as it is.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings

PREFIX = "enc1:"


def _derive(secret: str) -> Fernet:
    # The salt names the module's first home; changing it would make every stored value
    # unreadable, so it stays.
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"baton.accounts.crypto", info=b"at rest"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=4)
def _fernet(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret) for secret in secrets])


def _current() -> MultiFernet:
    fallbacks = tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ())
    return _fernet((settings.SECRET_KEY, *fallbacks))


def encrypt(text: str) -> str:
    """`text` encrypted with the current SECRET_KEY, as a prefixed string."""
    return PREFIX + _current().encrypt(text.encode()).decode()


def decrypt(value: str) -> str:
    """The text of an encrypt() value (under SECRET_KEY or a fallback); a value without the
    prefix was stored in clear and is returned as it is."""
    if not value.startswith(PREFIX):
        return value
    return _current().decrypt(value[len(PREFIX) :].encode()).decode()


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


# --- what is stored encrypted (reencrypt_secrets rewrites each after a key rotation) ---------

# rewrite(convert=fn) applies fn to every stored value, inside the caller's transaction (rows
# locked), and returns how many rows it counted.
Rewrite = Callable[..., int]


@dataclass(frozen=True)
class Encrypted:
    label: str  # what the count is of, for the command's report: "the secrets of {count} ..."
    rewrite: Rewrite


_encrypted: list[Encrypted] = []


def register_encrypted(label: str, rewrite: Rewrite) -> None:
    """Values `rewrite` can re-encrypt; `label` has a {count} placeholder, e.g. "the secrets of
    {count} webhook(s)". Registering the same twice is harmless (ready() runs again in tests)."""
    entry = Encrypted(label, rewrite)
    if entry not in _encrypted:
        _encrypted.append(entry)


def registered() -> list[Encrypted]:
    """Everything registered, in registration (INSTALLED_APPS) order."""
    return list(_encrypted)


@dataclass(frozen=True)
class EncryptedColumn:
    """The Rewrite of a text column that holds one encrypt() value per row (equal by value,
    so registering it again is recognised)."""

    model_label: str  # "app_label.ModelName"
    field: str

    def __call__(self, *, convert: Callable[[str], str]) -> int:
        model = apps.get_model(self.model_label)
        rows = list(model.objects.select_for_update().order_by("pk"))
        for row in rows:
            setattr(row, self.field, convert(getattr(row, self.field)))
        model.objects.bulk_update(rows, [self.field])
        return len(rows)
