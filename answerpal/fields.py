"""Model fields of the platform: secrets encrypted at rest with Fernet (key from the environment)."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet_key(material: str) -> bytes:
    """Accepts a real Fernet key or any passphrase (stretched with SHA-256)."""
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return material.encode()
    except (ValueError, TypeError):
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(material.encode()).digest())


@cache
def _cipher() -> MultiFernet:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEY.split(",") if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set; secrets cannot be stored.")
    # The first key encrypts; every listed key decrypts, so keys can be rotated.
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def encrypt_text(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode()


def decrypt_text(value: str) -> str:
    try:
        return _cipher().decrypt(value.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: FIELD_ENCRYPTION_KEY differs from the key it was written with."
        ) from error


class EncryptedTextField(models.TextField):
    """Stores text encrypted; Python code sees plain text. Not searchable or indexable."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt_text(value)
