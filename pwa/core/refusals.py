"""Refused requests leave a trace: an audit row in its own short transaction.

A 403/404 rolls the request's work back, so a refusal cannot be audited in
the request's own transaction. `record` ends that transaction, appends one
audit row ("refused <action>", who, the object asked for) and commits it. If
the row cannot be written the refusal still stands: the caller aborts anyway.
"""
import logging

from flask import g, has_app_context
from sqlalchemy.exc import SQLAlchemyError

from pwa.core import audit, audit_family
from pwa.core.extensions import db

log = logging.getLogger(__name__)
PREFIX = "refused "


def record(user, action: str, object_type: str, object_id) -> None:
    """Commit an audit row saying `user` was refused `action` on the object."""
    actor = getattr(user, "id", None)
    audit.take_pending(db.session)  # what the request read before the refusal is not shown: no reads
    db.session.rollback()
    if has_app_context():
        g.writing = True  # SQLite: this short transaction writes, so it takes the write lock up front
    try:  # the family the refused object belongs to, for "who has seen this record"
        family_id = audit_family.of_reference(db.session, object_type, object_id)
    except SQLAlchemyError:
        family_id = None
    audit.record(db.session, actor, (PREFIX + action)[:40], object_type=object_type[:40],
                 object_id=None if object_id is None else str(object_id)[:40], family_id=family_id)
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not audit a refused request")
