"""Supervision sessions. Flush only."""
from datetime import date

from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import SupervisionSession, User


def record_supervision(coordinator: User, mentor: User, *, held_on: date, notes: str,
                       next_on: date | None) -> SupervisionSession:
    """Record a supervision session with a mentor."""
    session = SupervisionSession(mentor_id=mentor.id, supervisor_id=coordinator.id, held_on=held_on,
                                 notes=notes.strip(), next_on=next_on)
    db.session.add(session)
    db.session.flush()
    audit.record(db.session, coordinator, "supervision recorded", session)
    return session
