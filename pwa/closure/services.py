"""Closing and reopening a family's case, and legal holds. Flush only.

A closure needs the family's match ended first: an ending is its own recorded decision, with a
summary and its own notice, and the coordinator writes it on the match page (the closure form says so
and links there) rather than having it made up by the closure.
"""
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import ClosureReason, Family, FamilyClosure, LegalHold, Match, User
from pwa.outbox.mailer import queue_notice
from pwa.web.templating import day


class ClosureRefused(Exception):
    """The case cannot be closed (or reopened) now; the message says why, for the coordinator."""


def active_match(family: Family) -> Match | None:
    """The family's match still under way, if any."""
    return db.session.scalar(sa.select(Match).where(Match.family_id == family.id, Match.is_active()))


def open_closure(family: Family) -> FamilyClosure | None:
    """The closure in force (not reopened), if the case is closed."""
    q = sa.select(FamilyClosure).where(FamilyClosure.family_id == family.id, FamilyClosure.reopened_at.is_(None))
    return db.session.scalar(q.order_by(FamilyClosure.closed_at.desc()))


def close_case(actor: User, family: Family, *, closed_on: date, reason: ClosureReason, note: str) -> FamilyClosure:
    """Close the family's case: read-only from now, off the working lists; the social worker is told."""
    if family.closed:
        raise ClosureRefused("This family's case is already closed.")
    if active_match(family) is not None:
        raise ClosureRefused("The family's match is still active. End the match first (with its ending "
                             "summary), then close the case.")
    if closed_on < family.referred_at.date():
        raise ClosureRefused("The case cannot close before the family was referred.")
    closure = FamilyClosure(family_id=family.id, closed_on=closed_on, reason=reason, note=note.strip(),
                            closed_by_id=actor.id, closed_at=clock.now())
    db.session.add(closure)
    family.closed_on = closed_on
    db.session.flush()
    audit.record(db.session, actor, "case closed", closure)
    _tell_social_worker(family, f"Case closed: family {family.reference}",
                        f"The case of family {family.reference} was closed on {day(closed_on)}. "
                        "The reason is recorded in Bridge.")
    return closure


def reopen_case(actor: User, family: Family, *, reason: str) -> FamilyClosure:
    """Reopen a closed case, saying why; the social worker is told."""
    closure = open_closure(family)
    if closure is None:
        raise ClosureRefused("This family's case is open.")
    closure.reopened_at, closure.reopened_by_id, closure.reopen_reason = clock.now(), actor.id, reason.strip()
    family.closed_on = None
    db.session.flush()
    audit.record(db.session, actor, "case reopened", closure)
    _tell_social_worker(family, f"Case reopened: family {family.reference}",
                        f"The case of family {family.reference} was reopened. The reason is recorded in Bridge.")
    return closure


def _tell_social_worker(family: Family, subject: str, what: str) -> None:
    """A reference-only notice to the responsible social worker, filed under the family (retention finds it)."""
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/families/{family.id}"
    queue_notice(family.social_worker_id, subject, f"{what}\n\nSign in to see the record: {link}\n",
                 subject_id=family.id)


def active_hold(family: Family) -> LegalHold | None:
    """The legal hold in force on the family, if any."""
    return db.session.scalar(sa.select(LegalHold).where(LegalHold.family_id == family.id,
                                                        LegalHold.lifted_at.is_(None)))


def hold_since(family: Family) -> datetime | None:
    """When the legal hold in force on the family was set, if one is (its moment only: no row, no accounts joined)."""
    return db.session.scalar(sa.select(LegalHold.set_at).where(LegalHold.family_id == family.id,
                                                               LegalHold.lifted_at.is_(None)))


def holds_of(family: Family) -> list[LegalHold]:
    """Every hold set on the family, newest first."""
    return list(db.session.scalars(sa.select(LegalHold).where(LegalHold.family_id == family.id)
                                   .order_by(LegalHold.set_at.desc())))


def set_hold(actor: User, family: Family, reason: str) -> LegalHold:
    """Put the family's records under a legal hold: nothing of it is deleted until it is lifted."""
    if active_hold(family) is not None:
        raise ClosureRefused("A legal hold is already in force on this family.")
    hold = LegalHold(family_id=family.id, reason=reason.strip(), set_by_id=actor.id, set_at=clock.now())
    db.session.add(hold)
    db.session.flush()
    audit.record(db.session, actor, "legal hold set", hold)
    return hold


def lift_hold(actor: User, family: Family, reason: str) -> LegalHold:
    """Lift the hold in force, saying why: the retention schedule applies again."""
    hold = active_hold(family)
    if hold is None:
        raise ClosureRefused("There is no legal hold in force on this family.")
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = clock.now(), actor.id, reason.strip()
    db.session.flush()
    audit.record(db.session, actor, "legal hold lifted", hold)
    return hold
