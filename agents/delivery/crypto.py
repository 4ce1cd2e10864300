"""Secrets at rest (mailbox passwords): Fernet with keys from SALESOPS_ENCRYPTION_KEY.

The first key encrypts; every key decrypts, so a key is rotated by putting a new one in front."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Any string of 32+ characters is accepted as a key: it is stretched to Fernet's 32 bytes.
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys])


def encrypt(secret: str) -> str:
    if not secret:
        return ""
    return _fernet(tuple(settings.SALESOPS_ENCRYPTION_KEYS)).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(tuple(settings.SALESOPS_ENCRYPTION_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored mailbox secret cannot be decrypted with the configured SALESOPS_ENCRYPTION_KEY; "
            "enter the password again."
        ) from None
