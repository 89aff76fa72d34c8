"""Which family an audit event is about, so "who has seen this record" finds it by an index.

An event names one object; the family is that object itself, its `family_id`, or its parent's
(an addendum's concern, a review's match, a visit review's visit, a child change's child). Parents
are usually in the session already (the service just worked on them), so this rarely queries.
"""
import uuid

from sqlalchemy.orm import Session

# A child row's column naming its parent, and the parent's table.
PARENTS = (("concern_id", "concerns"), ("match_id", "matches"), ("visit_id", "visits"), ("child_id", "children"))


def _model(table: str):
    """The mapped class with a UUID id for a table name, or None."""
    from pwa.models.base import Base, UUIDKey

    return next((m.class_ for m in Base.registry.mappers
                 if m.class_.__tablename__ == table and issubclass(m.class_, UUIDKey)), None)


def of_object(session: Session, obj) -> uuid.UUID | None:
    """The family `obj` belongs to, or None (an account, a programme, a list)."""
    if getattr(obj, "__tablename__", None) == "families":
        return obj.id
    if getattr(obj, "family_id", None) is not None:
        return obj.family_id
    for column, table in PARENTS:
        parent_id = getattr(obj, column, None)
        if parent_id is not None:
            with session.no_autoflush:
                parent = session.get(_model(table), parent_id)
            return of_object(session, parent) if parent is not None else None
    return None


def of_reference(session: Session, object_type: str, object_id) -> uuid.UUID | None:
    """The family of an object named only by table and id (a refused request), or None."""
    try:
        wanted = object_id if isinstance(object_id, uuid.UUID) else uuid.UUID(str(object_id))
    except ValueError:
        return None
    if object_type == "families":
        return wanted
    model = _model(object_type)
    if model is None:
        return None
    with session.no_autoflush:
        found = session.get(model, wanted)
    return of_object(session, found) if found is not None else None
