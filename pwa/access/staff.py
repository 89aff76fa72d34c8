"""Staff names for lists and filter dropdowns: read as (id, ciphertext) pairs, each opened once per process.

A families page names up to two people per row and offers every social worker and mentor of
the programme in its filters: a couple of hundred names a request, all of them staff (never
case data). Opening each costs an AES-GCM open; the names change rarely. So an opened name is
kept, keyed by the account's id and the stored ciphertext itself: a renamed (or re-keyed)
account has a new ciphertext, so a kept name is never stale, and nothing needs invalidating.
The trade-off: staff names stay in the worker's memory (as its keys already do), at most
KEEP of them; a new keyring (tests, key rotation) starts afresh.
"""
import uuid
from typing import NamedTuple

import sqlalchemy as sa

from pwa.access.kept import prepared
from pwa.access.people import manageable_users
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.crypto.runtime import keyring
from pwa.models import Programme, Role, User
from pwa.models.base import open_column

KEEP = 5000
_USERS = User.__table__.c  # table columns, for the prebuilt statement below
_kept: dict = {"ring": None, "names": {}, "choices": {}}


def _kept_with(ring) -> dict:
    """What this process keeps, emptied when the keyring changes or too many names are kept."""
    if _kept["ring"] is not ring or len(_kept["names"]) + len(_kept["choices"]) > KEEP:
        _kept.update(ring=ring, names={}, choices={})
    return _kept


def staff_name(user_id, sealed) -> str | None:
    """A staff member's name read by a Core select (User.id, User.name), opened once per process."""
    if sealed is None:
        return None
    names = _kept_with(keyring())["names"]
    name = names.get((user_id, sealed))
    if name is None:
        name = names[(user_id, sealed)] = open_column(_USERS.name, user_id, sealed)
    return name


class Person(NamedTuple):
    """Someone to pick from a list: only the id (as text, as a form sends it back) and the opened name."""

    id: str
    name: str


# Built once (a statement's cache key is worked out once per object): raw (id, ciphertext, role, active) rows of
# the roles asked for, no per-row conversion.
_OF_ROLES = (sa.select(sa.type_coerce(_USERS.id, sa.String), sa.type_coerce(_USERS.name, sa.String),
                       sa.type_coerce(_USERS.role, sa.String), _USERS.active)
             .where(_USERS.programme_id == sa.bindparam("programme"),
                    _USERS.role.in_(sa.bindparam("roles", expanding=True)))
             .order_by(_USERS.created_at))


def staff_choices(programme_id, role: Role, *, active_only: bool) -> tuple[Person, ...]:
    """A programme's people of one role (oldest account first), their names only opened: for a filter list."""
    return staff_lists(programme_id, ((role, active_only),))[0]


def staff_lists(programme_id, wanted: tuple[tuple[Role, bool], ...]) -> tuple[tuple[Person, ...], ...]:
    """For each (role, active only) asked for, a programme's people of that role, all read in one select.

    Read every time, in a plain Core select: converting a couple of hundred ids and ciphertexts
    a request cost more than the query. The people are rebuilt only when the rows differ from
    the last ones read (an account added, renamed, disabled or re-keyed).
    """
    roles = sorted({role for role, _ in wanted}, key=lambda role: role.name)
    rows = tuple(map(tuple, columns(_OF_ROLES, {"programme": programme_id, "roles": roles}).all()))
    kept, key = _kept_with(keyring())["choices"], (programme_id, wanted)
    if kept.get(key, (None,))[0] != rows:
        people = [(uuid.UUID(str(uid)), name, of_role, active) for uid, name, of_role, active in rows]
        lists = tuple(tuple(Person(str(uid), staff_name(uid, name))
                            for uid, name, of_role, active in people if of_role == role.name and (active or not only_active))
                      for role, only_active in wanted)
        kept[key] = (rows, lists)
    return kept[key][1]


class Staff(NamedTuple):
    """Someone named in a record of who did what: id, opened name and role."""

    id: uuid.UUID
    name: str
    role: Role


_BY_ID = sa.select(User.id, User.name, User.role).where(User.id.in_(sa.bindparam("ids", expanding=True)))


def staff_by_id(ids) -> dict:
    """The people with these ids (None and repeats left out), by id, in one select of the three columns shown."""
    wanted = list({i for i in ids if i is not None})
    if not wanted:
        return {}
    return staff_from(columns(_BY_ID, {"ids": wanted}))


def staff_from(rows) -> dict:
    """People read as (User.id, User.name, User.role) rows, by id, their names opened (once per process)."""
    return {uid: Staff(uid, staff_name(uid, name), role) for uid, name, role in rows}


class Account(NamedTuple):
    """An account on the accounts list: what its row shows, and no more."""

    id: uuid.UUID
    name: str
    email: str
    role: Role
    programme_name: str | None
    active: bool
    has_password: bool
    awaiting_approval: bool


def accounts(user: User, programme_id, *, limit: int, offset: int) -> list[Account]:
    """One page of the accounts the user manages (access.manageable_users; of one programme if given), by role
    then email: the shown columns only, by a select built once for the user's scope and page (pwa.access.kept).

    The total is counted apart (count_accounts): riding on the rows as a window count, it made SQLite
    keep every account's row to sort, which cost more than the second statement.
    """
    return [Account(uid, staff_name(uid, name), *rest)
            for uid, name, *rest in columns(prepared(_accounts, user, programme_id, limit, offset))]


def count_accounts(user: User, programme_id) -> int:
    """How many accounts accounts() pages through."""
    return db.session.scalar(prepared(_counted, user, programme_id))


def _scoped(user: User, programme_id) -> sa.Select:
    q = manageable_users(user)
    return q if programme_id is None else q.where(User.programme_id == programme_id)


def _counted(user: User, programme_id) -> sa.Select:
    return _scoped(user, programme_id).with_only_columns(sa.func.count()).select_from(User)


def _accounts(user: User, programme_id, limit: int, offset: int) -> sa.Select:
    by_role = sa.case(*((User.role == r, i) for i, r in enumerate(Role)))
    return (_scoped(user, programme_id).with_only_columns(
            User.id, User.name, User.email, User.role, Programme.name, User.active, User.password_hash.is_not(None),
            User.approval_requested_by_id.is_not(None))
            .outerjoin(Programme, Programme.id == User.programme_id)
            .order_by(by_role, User.email).limit(limit).offset(offset))
