"""The policy: who may do what, and the one fetch-or-refuse helper every scoped lookup uses."""
import uuid
from functools import wraps

import sqlalchemy as sa
from typing import NoReturn

from flask import abort, request
from flask_login import current_user, login_required
from werkzeug.exceptions import Conflict

from pwa.access.kept import prepared
from pwa.core import audit, refusals
from pwa.core.extensions import db
from pwa.models import Role, User


CASE_ROLES = (Role.coordinator, Role.social_worker, Role.mentor)

# What each role may do to a family it can see.
FAMILY_ACTIONS: dict[str, set[Role]] = {
    "read": set(CASE_ROLES),
    "edit": {Role.coordinator, Role.social_worker},
    "record_consent": {Role.coordinator, Role.social_worker},
    "reassign": {Role.coordinator},
    "match": {Role.coordinator},
    "log_visit": {Role.mentor},
    "add_goal": set(CASE_ROLES),
    "record_reading": set(CASE_ROLES),
    "raise_concern": set(CASE_ROLES),  # staff raise one through the same path and alerts
    "close": {Role.coordinator},  # close or reopen the case
    "hold": {Role.coordinator},  # set or lift a legal hold
    "subject_access": {Role.coordinator},  # everything held about the family, as one download
    "who_has_seen": {Role.coordinator},  # the family's audit trail, in words
}
# What a closed case still allows: reading it, a safeguarding concern (never refused), reopening, holds.
CLOSED_CASE_ACTIONS = {"read", "raise_concern", "close", "hold", "subject_access", "who_has_seen"}


class CaseClosed(Conflict):
    """A change to a closed family's record: refused, saying why and what can still be done."""

    name = "This family's case is closed"

    def __init__(self, family):
        super().__init__(f"The case of family {family.reference} was closed on {family.closed_on:%-d %b %Y}, "
                         "so its record is read-only. A coordinator can reopen it. A safeguarding concern "
                         "can still be raised.")


def refuse_if_closed(user: User, family, action: str) -> None:
    """Refuse (audited) any change but those CLOSED_CASE_ACTIONS allow to a closed family's record."""
    if family is not None and family.closed and action not in CLOSED_CASE_ACTIONS:
        refusals.record(user, f"{action} (closed)", "families", family.id)
        raise CaseClosed(family)


def roles_required(*roles: Role):
    """Let only signed-in users with one of these roles reach a view."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                refuse(current_user, 403, "route", object_type="route", object_id=request.endpoint)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def refuse(user: User, status: int, action: str, *, object_type: str, object_id) -> NoReturn:
    """Answer 403/404, first recording who asked for what in its own short transaction."""
    refusals.record(user, action, object_type, object_id)
    abort(status)


def _as_uuid(user: User, model, value, action: str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        refuse(user, 404, action, object_type=model.__tablename__, object_id=value)


def _verb(action: str) -> str:
    return "read" if action == "read" else f"open:{action}"


def one(user: User, visible, model, object_id, action: str = "read", may=True, audit_as=None):
    """Fetch one object of a scoped select, or 404 (out of scope) / 403 (`may` false); audit either way.

    `visible` is a scoped select, or the access rule that builds one from the user alone
    (`visible_families`): then the select by id is built once for the user's scope and kept
    (pwa.access.kept), the id bound at each run. `may` is a bool or a callable given the object;
    a refusal is audited as such and never as a read.
    """
    wanted = _as_uuid(user, model, object_id, action)
    if callable(visible):
        q, params = prepared(_by_id, user, visible, model), {"one_id": wanted}
    else:
        q, params = visible.where(model.id == wanted), None
    found = db.session.scalars(q, params).unique().one_or_none()
    if found is None:
        refuse(user, 404, action, object_type=model.__tablename__, object_id=wanted)
    if not (may(found) if callable(may) else may):
        refuse(user, 403, action, object_type=model.__tablename__, object_id=wanted)
    audit.record(db.session, user, audit_as or _verb(action), found)
    return found


def _by_id(user: User, rule, model) -> sa.Select:
    """The rule's select for one object, its id left to bind (kept by `one`)."""
    return rule(user).where(model.id == sa.bindparam("one_id", type_=model.id.type))
