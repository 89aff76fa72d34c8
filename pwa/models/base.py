"""The declarative base: uuid keys assigned at construction, and the sealing hooks.

Encrypted columns need their row's id as associated data, so every case row
gets its uuid in the constructor, before any field is set. Plain text set on
an encrypted attribute becomes BoundText (text plus table.column:row); text
read back is opened by the load and refresh hooks below.
"""
import uuid

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, attributes, mapped_column

from pwa.crypto.runtime import keyring
from pwa.models.types import BoundText, EncryptedText, Sealed

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every model: constructor sets the uuid key first."""

    metadata = sa.MetaData(naming_convention=NAMING)

    def __init__(self, **kwargs):
        cls = type(self)
        if getattr(cls, "__uuid_key__", False):
            self.id = kwargs.pop("id", None) or uuid.uuid4()
        for name, value in kwargs.items():
            if not hasattr(cls, name):
                raise TypeError(f"{name!r} is not a field of {cls.__name__}")
            setattr(self, name, value)


class UUIDKey:
    """A random, non-guessable primary key, safe to show in URLs."""

    __uuid_key__ = True
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)


def encrypted_columns(mapper: Mapper) -> list[str]:
    """Name the attributes of a mapper stored as EncryptedText."""
    return [c.key for c in mapper.columns if isinstance(c.type, EncryptedText)]


def associated_data(obj, key: str) -> str:
    """The table, column and row a value is bound to."""
    return f"{obj.__table__.name}.{key}:{obj.id}"


_bound_to: dict[int, str] = {}  # id of a column or mapped attribute -> "table.column:" (columns live as long as the models)


def open_column(column, row_id, value) -> str | None:
    """Open one encrypted value read by a Core select (mapped objects are opened by the load hook below).

    `column` is a table column or a mapped attribute (Family.display_name); naming an attribute's table
    goes through several proxies (6 µs), so each one's name is worked out once.
    """
    if value is None:
        return None
    prefix = _bound_to.get(id(column))
    if prefix is None:
        prefix = _bound_to[id(column)] = f"{column.table.name}.{column.key}:"
    return keyring().decrypt(value, f"{prefix}{row_id}")


def _open(obj, keys) -> None:
    for key in keys:
        value = obj.__dict__.get(key)
        if isinstance(value, Sealed):
            ad = associated_data(obj, key)
            attributes.set_committed_value(obj, key, BoundText(keyring().decrypt(value, ad), ad))


@event.listens_for(Mapper, "mapper_configured")
def _install_sealing(mapper: Mapper, cls) -> None:
    """Wire the sealing hooks onto each model that has encrypted columns."""
    keys = encrypted_columns(mapper)
    if not keys or getattr(cls, "_sealing_installed", None) is cls:
        return
    cls._sealing_installed = cls

    def bind(target, value, oldvalue, initiator, key):
        if value is None or isinstance(value, (BoundText, Sealed)):
            return value
        return BoundText(str(value), associated_data(target, key))

    for key in keys:
        event.listen(getattr(cls, key), "set", lambda t, v, o, i, key=key: bind(t, v, o, i, key), retval=True)
    event.listen(cls, "load", lambda target, ctx: _open(target, keys))
    event.listen(cls, "refresh", lambda target, ctx, attrs: _open(target, attrs or keys))
