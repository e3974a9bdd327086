"""Encryption at rest for secrets Baton has to read back: the seeds of people's second factors
(TOTP secrets, recovery-code seeds), which allauth would otherwise store in clear.

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) with keys derived
from SECRET_KEY and SECRET_KEY_FALLBACKS by HKDF: rotating SECRET_KEY (the old one moved to
the fallbacks) keeps stored values readable. Values carry a prefix, so a value stored before
encryption was turned on is recognised and read as it is.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc1:"


def _derive(secret: str) -> Fernet:
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
