"""Selects built once for each user's scope and kept: a page's statements without their building.

Building a select (joins, conditions, the access rules' subqueries) and then its cache key, which
SQLAlchemy derives on every execution of a new statement object, cost the dashboard more than
running its thirty statements did (about 1 ms a statement, on the large dataset). A statement
object keeps its cache key once made, so one built once and run again skips both.

What may be kept is only the statement, never its rows: each run reads the data as it is now.
The access rules' selects depend on the user's id, role and programme alone, so those (and the
values a builder is given) name the statement; anything else a builder reads must be passed in as
a value. Kept per process, the last KEPT built.
"""
import threading
from collections import OrderedDict
from typing import Callable, TypeVar

from pwa.models import User

KEPT = 256
T = TypeVar("T")
_built: OrderedDict = OrderedDict()
_lock = threading.Lock()


def prepared(build: Callable[..., T], user: User, *values) -> T:
    """build(user, *values), built once for this user's scope and these (hashable) values, then kept.

    build is part of the key, so it must be a module's function (a lambda is new each time, never found).
    """
    key = (build, user.id, user.role, user.programme_id, *values)
    with _lock:
        found = _built.get(key)
        if found is not None:
            _built.move_to_end(key)
            return found
    made = build(user, *values)
    with _lock:
        _built[key] = made
        while len(_built) > KEPT:
            _built.popitem(last=False)
    return made
