"""The diary's one write path (a page post and an offline replay alike) and the mentor's caseload. Flush only."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, load_only

from pwa.core import audit, clock, idempotency
from pwa.core.extensions import db
from pwa.core.idempotency import IdempotencyConflict
from pwa.diary.forms import VisitForm
from pwa.models.base import open_column
from pwa.models import (Family, Goal, GoalStatus, Match, ProgressMark, User, Visit, VisitChild, VisitGoal,
                        VisitKind)

__all__ = ["AlreadyCorrected", "IdempotencyConflict", "VisitInvalid", "record_visit", "submit_visit"]


CONSENT_WITHDRAWN = "The family has withdrawn its consent: no new visits can be recorded. Talk to your coordinator."
CASE_CLOSED = "The family's case is closed: no new visits can be recorded. Talk to your coordinator."


class VisitInvalid(Exception):
    """The form did not validate; its errors say what to fix."""

    def __init__(self, form):
        super().__init__("the visit entry has errors")
        self.form = form


class AlreadyCorrected(Exception):
    """The entry has been corrected already: correct the newest version instead."""

    def __init__(self, correction: Visit):
        super().__init__("this entry has already been corrected")
        self.correction = correction


class OfferedGoal(NamedTuple):
    """A goal as the entry form offers it: its id and its title (opened), nothing else read."""

    id: uuid.UUID
    title: str


# Built once (the form page and every entry posted read them): building and keying them cost more than running them.
_OPEN_GOALS = (sa.select(Goal.id, Goal.title)
               .where(Goal.family_id == sa.bindparam("family"),
                      sa.or_(Goal.status == GoalStatus.active, Goal.id.in_(sa.bindparam("also", expanding=True))))
               .order_by(Goal.created_at))
_ACTIVE_MATCH = sa.select(Match.id).where(Match.family_id == sa.bindparam("family"),
                                       Match.mentor_id == sa.bindparam("mentor"), Match.is_active())


def open_goals(family: Family, also=()) -> list[OfferedGoal]:
    """The family's active goals (plus any listed in `also`, e.g. those of an entry being corrected)."""
    rows = db.session.execute(_OPEN_GOALS, {"family": family.id, "also": list(also)})
    return [OfferedGoal(goal_id, open_column(Goal.title, goal_id, title)) for goal_id, title in rows]


def offered_goals(family: Family, corrects: Visit | None = None) -> list[OfferedGoal]:
    """Goals an entry may record progress on: the active ones, plus those of the entry it corrects."""
    return open_goals(family, [g.goal_id for g in corrects.goals] if corrects else ())


def submit_visit(author: User, family: Family, form, client_uuid: uuid.UUID | None, *,
                 corrects: Visit | None = None) -> tuple[Visit, bool]:
    """Validate and record an entry once per client UUID: (entry, True) when new, (first entry, False) on replay.

    Raises VisitInvalid (errors on the form), IdempotencyConflict (the UUID came with a different
    body: answer 422), or AlreadyCorrected. The caller has scoped `family` (and `corrects`) to `author`.
    """
    form.offer(family.children, offered_goals(family, corrects))
    data = form.canonical()
    digest = idempotency.body_hash({"entry": data, "author": str(author.id), "family": str(family.id),
                                    "corrects": str(corrects.id) if corrects else None})
    if client_uuid is not None:
        first = idempotency.stored(db.session, Visit, client_uuid, digest)
        if first is not None:
            return first, False
    if family.consent_withdrawn or family.closed:
        form.form_errors.append(CASE_CLOSED if family.closed else CONSENT_WITHDRAWN)
        raise VisitInvalid(form)
    if not form.validate() or client_uuid is None:
        if client_uuid is None:
            form.form_errors.append("This form was missing its submission id: please send it again.")
        raise VisitInvalid(form)
    return record_visit(author, family, data, client_uuid=client_uuid, body_hash=digest, corrects=corrects)


def record_visit(author: User, family: Family, data: dict, *, client_uuid: uuid.UUID, body_hash: str,
                 corrects: Visit | None = None) -> tuple[Visit, bool]:
    """Store validated entry data (VisitForm.canonical()) under its client UUID, once."""
    if corrects is not None:
        _check_correctable(author, family, corrects)
    visit = _build(author, family, data, client_uuid, body_hash, corrects)
    try:
        visit, created = idempotency.add_once(db.session, visit, Visit)
    except IntegrityError:  # not our UUID: a concurrent correction of the same entry won
        _check_correctable(author, family, corrects)
        raise
    if created:
        audit.record(db.session, author, "visit corrected" if corrects else "visit recorded", visit)
        from pwa.families import no_access

        no_access.after_visit(family, visit)
    return visit, created


def own_entry(author: User, client_uuid) -> Visit | None:
    """The author's own entry stored under a client UUID (None when there is none, or it is another's)."""
    visit = db.session.scalar(sa.select(Visit).where(Visit.client_uuid == client_uuid))
    return visit if visit is not None and visit.author_id == author.id else None


def _check_correctable(author: User, family: Family, corrects: Visit | None) -> None:
    if corrects is None:
        return
    if corrects.author_id != author.id or corrects.family_id != family.id:
        raise ValueError("only the author corrects their own entry")
    later = db.session.scalar(sa.select(Visit).where(Visit.corrects_id == corrects.id))
    if later is not None:
        raise AlreadyCorrected(later)


def _active_match(author: User, family: Family) -> uuid.UUID:
    """The id of the author's active match with the family (only its id: the entry names it)."""
    match_id = db.session.scalar(_ACTIVE_MATCH, {"family": family.id, "mentor": author.id})
    if match_id is None:
        raise ValueError("only a mentor with an active match logs visits for a family")
    return match_id


def local_start(on: date, hhmm: str) -> datetime:
    """A local date and HH:MM as an aware time."""
    return clock.at_local(on, time.fromisoformat(hhmm))


def _build(author, family, data, client_uuid, body_hash, corrects) -> Visit:
    on = date.fromisoformat(data["visit_on"])
    visit = Visit(family_id=family.id, match_id=_active_match(author, family), author_id=author.id,
                  visit_on=on, started_at=local_start(on, data["started_at"]),
                  kind=VisitKind[data["kind"]], **VisitForm.columns(data), travel_tenth_miles=data["travel_tenth_miles"],
                  corrects_id=corrects.id if corrects else None, correction_reason=data.get("correction_reason"),
                  client_uuid=client_uuid, body_hash=body_hash, created_at=clock.now())
    seen, spoken = set(data["children_seen"]), set(data["children_spoken"])
    order = {str(c.id): i for i, c in enumerate(family.children)}
    visit.children = [VisitChild(child_id=uuid.UUID(cid), position=order.get(cid, 0), seen=cid in seen,
                                 spoken_to=cid in spoken) for cid in sorted(seen | spoken, key=order.get)]
    visit.goals = [VisitGoal(goal_id=uuid.UUID(gid), position=i, mark=ProgressMark[mark], note=note)
                   for i, (gid, mark, note) in enumerate(data["goals"])]
    return visit


@dataclass
class Card:
    """One family on the mentor's home screen."""

    family: Family
    matched_on: date  # the day its active match started
    last_visit_on: date | None
    next_contact_on: date | None
    open_goals: list[Goal]
    days_without_visit: int
    overdue: bool


def caseload(mentor: User, families: list[Family], starts: dict) -> list[Card]:
    """The mentor's families with their last visit, next contact, open goals and overdue mark.

    starts: the day each family's active match started (access.active_match_starts); a family without
    one is left out.
    """
    ids = [f.id for f in families]
    audit.record(db.session, mentor, "read caseload", object_type="visits")
    latest = _latest_entries(mentor, ids)
    goals: dict = {}
    for goal in open_goals_of(ids):
        goals.setdefault(goal.family_id, []).append(goal)
    today, limit = clock.today(), mentor.programme.overdue_days
    cards = []
    for family in families:
        matched_on = starts.get(family.id)
        if matched_on is None:
            continue
        last_on, next_on = latest.get(family.id, (None, None))
        since = (today - (last_on or matched_on)).days
        cards.append(Card(family, matched_on, last_on, next_on, goals.get(family.id, []), since, since > limit))
    return sorted(cards, key=lambda c: (not c.overdue, -c.days_without_visit))


def _latest_entries(mentor: User, family_ids) -> dict:
    """Each family's newest current entry by this mentor: (visit date, next planned contact)."""
    if not family_ids:
        return {}
    rows = db.session.execute(_LATEST, {"mentor": mentor.id, "families": list(family_ids)})
    return {family_id: (on, next_on) for family_id, on, next_on in rows}


def open_goals_of(family_ids) -> list[Goal]:
    """Active goals of several families, in one query."""
    if not family_ids:
        return []
    return list(db.session.scalars(_GOALS_OF, {"families": list(family_ids)}))


# The home screen's selects, built once (building and keying them cost more than running them).
_RANK = sa.func.row_number().over(partition_by=Visit.family_id,
                                  order_by=(Visit.started_at.desc(), Visit.created_at.desc()))
_NEWEST = (sa.select(Visit.family_id, Visit.visit_on, Visit.next_contact_on, _RANK.label("rank"))
           .where(Visit.author_id == sa.bindparam("mentor"),
                  Visit.family_id.in_(sa.bindparam("families", expanding=True)), Visit.is_current())
           .subquery())
_LATEST = sa.select(_NEWEST.c.family_id, _NEWEST.c.visit_on, _NEWEST.c.next_contact_on).where(_NEWEST.c.rank == 1)
_GOALS_OF = (sa.select(Goal).where(Goal.family_id.in_(sa.bindparam("families", expanding=True)),
                                   Goal.status == GoalStatus.active)
             .options(load_only(Goal.family_id, Goal.title, Goal.status, Goal.created_at), lazyload("*"))
             .order_by(Goal.created_at))
