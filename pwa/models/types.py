"""Column types: UTC timestamps and encrypted text."""
from datetime import timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from pwa.crypto.runtime import keyring


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use pwa.core.clock.now()")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Sealed(str):
    """A stored ciphertext read from the database, not yet opened."""


class BoundText(str):
    """Plain text that knows where it lives (table.column:row), for sealing."""

    ad: str

    def __new__(cls, value: str, ad: str):
        obj = super().__new__(cls, value)
        obj.ad = ad
        return obj


class EncryptedText(TypeDecorator):
    """Text sealed with AES-256-GCM, bound to its table, column and row.

    Values reach the database only as BoundText (see models.base), so a value
    can never be written without knowing the row it belongs to.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return str(value)
        if not isinstance(value, BoundText):
            raise TypeError("encrypted columns are written through mapped objects only")
        return keyring().encrypt(str(value), value.ad)

    def process_result_value(self, value, dialect):
        return None if value is None else Sealed(value)
