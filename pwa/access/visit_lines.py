"""A family's diary entries as a chronology shows them: one Core select of the shown columns, no ORM objects.

The family page draws twenty entries; loading each as a Visit with its author, children, goals and
corrections cost more than drawing them. Here the entries, their author's name and any later entry
correcting them come in one select, the children named in them in a second; only the shown text
is opened (each child once; authors through staff_name, once per process). Scoped and audited like family_visits.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from pwa.access.diary import _family_visits, child_id
from pwa.access.kept import prepared
from pwa.access.staff import staff_name
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Child, Family, User, Visit, VisitChild, VisitKind, VisitOutcome
from pwa.models.base import open_column

_TEXT = (Visit.child_words, Visit.what_done, Visit.unknown_adult_note)
_PLAIN = (Visit.id, Visit.visit_on, Visit.started_at, Visit.created_at, Visit.duration_minutes, Visit.kind,
          Visit.outcome, Visit.talk_to_coordinator, Visit.unknown_adult, Visit.corrects_id)


@dataclass(frozen=True)
class Named:
    """Someone shown by name (an entry's author), or a later entry shown by its id."""

    id: object
    name: str = ""
    first_name: str = ""


@dataclass
class VisitLine:
    """What a chronology entry shows of a diary entry (the attributes the templates read of a Visit)."""

    id: object
    visit_on: date
    started_at: datetime
    created_at: datetime
    duration_minutes: int
    kind: VisitKind
    outcome: VisitOutcome
    talk_to_coordinator: bool
    unknown_adult: bool
    corrects_id: object
    child_words: str | None
    what_done: str | None
    unknown_adult_note: str | None
    author: Named
    corrected_by: Named | None
    seen: list[Named] = field(default_factory=list)
    spoken_to: list[Named] = field(default_factory=list)

    @property
    def attempted(self) -> bool:
        """The visit did not happen: no answer, cancelled or the family out."""
        return self.outcome is not VisitOutcome.completed


def _opener(column):
    """Open a column's values, each distinct (row, value) once."""
    opened: dict = {}

    def open_(row_id, value):
        if (row_id, value) not in opened:
            opened[row_id, value] = open_column(column, row_id, value)
        return opened[row_id, value]

    return open_


def family_visit_lines(user: User, family: Family, limit: int, *, since=None, until=None,
                       child=None) -> list[VisitLine]:
    """A family's newest diary entries the user may read, as shown in its chronology; audited once."""
    q = prepared(_lines, user, family.id, since, until, child_id(user, child), limit)
    lines = {}
    for row in db.session.execute(q):
        plain, text = row[:len(_PLAIN)], row[len(_PLAIN):len(_PLAIN) + len(_TEXT)]
        author_id, name, corrected_by = row[len(_PLAIN) + len(_TEXT):]
        opened = [open_column(column, plain[0], value) for column, value in zip(_TEXT, text)]
        lines[plain[0]] = VisitLine(*plain, *opened, author=Named(author_id, staff_name(author_id, name)),
                                    corrected_by=Named(corrected_by) if corrected_by else None)
    _name_children(lines)
    audit.record(db.session, user, "read diary", family)
    return list(lines.values())


def _lines(user: User, family_id, since, until, child_id, limit: int) -> sa.Select:
    """The entries' select, with their author's name and the id of any later entry correcting each (kept)."""
    later = aliased(Visit)
    return (_family_visits(user, family_id, since, until, child_id).limit(limit)
            .with_only_columns(*_PLAIN, *_TEXT, User.id, User.name, later.id)
            .join(User, User.id == Visit.author_id).outerjoin(later, later.corrects_id == Visit.id))


# Built once: the children named in a page's entries, in each entry's order.
_CHILDREN = (sa.select(VisitChild.visit_id, VisitChild.seen, VisitChild.spoken_to, Child.id, Child.first_name)
             .join(Child, Child.id == VisitChild.child_id).where(VisitChild.visit_id.in_(sa.bindparam("ids", expanding=True)))
             .order_by(VisitChild.visit_id, VisitChild.position))


def _name_children(lines: dict) -> None:
    """Fill each entry's children seen and spoken to, in the entry's order."""
    if not lines:
        return
    first_name = _opener(Child.first_name)
    for visit_id, seen, spoken_to, child_id_, name in db.session.execute(_CHILDREN, {"ids": list(lines)}):
        named = Named(child_id_, first_name=first_name(child_id_, name))
        if seen:
            lines[visit_id].seen.append(named)
        if spoken_to:
            lines[visit_id].spoken_to.append(named)
