"""The coordinator dashboard's record sections: adults not met before, and repeated no access."""
import uuid
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from pwa import access
from pwa.core import audit
from pwa.core.database import columns
from pwa.core.extensions import db
from pwa.models import Family, User, Visit, VisitOutcome
from pwa.models.base import open_column
from pwa.supervision.dashboard import Section, section

DAYS = 30
# Equality (not "is not completed", not "IS true") lets both sections read the visits indexes on
# (outcome, visit_on) and (unknown_adult, visit_on): only the rare rows, however long the diary.
ATTEMPTED = tuple(o for o in VisitOutcome if o is not VisitOutcome.completed)


def _recent(coordinator: User, today: date) -> sa.Select:
    return access.visible_visits(coordinator).where(Visit.visit_on >= today - timedelta(days=DAYS - 1),
                                                    Visit.is_current())


class Met(NamedTuple):
    """A visit where the mentor met an adult they had not met before, as its dashboard line shows it."""

    id: uuid.UUID
    visit_on: date
    author_name: str
    unknown_adult_note: str | None


def _unknown_adults(coordinator: User, today: date) -> sa.Select:
    return (_recent(coordinator, today).where(Visit.unknown_adult == sa.true()).order_by(Visit.visit_on.desc())
            .with_only_columns(Visit.id, Visit.visit_on, User.id, User.name, Visit.unknown_adult_note)
            .join(User, User.id == Visit.author_id))


class FamilyRef(NamedTuple):
    id: uuid.UUID
    reference: str


def _attempted(coordinator: User, today: date) -> sa.Select:
    return (_recent(coordinator, today).where(Visit.outcome.in_(ATTEMPTED))
            .with_only_columns(Visit.family_id, Family.reference, sa.func.count(), sa.func.max(Visit.visit_on))
            .join(Family, Family.id == Visit.family_id).group_by(Visit.family_id, Family.reference)
            .having(sa.func.count() >= 2).order_by(sa.func.count().desc()))


@section(13)
def unknown_adults(coordinator: User, today: date) -> Section:
    """Visits in the last 30 days where the mentor met an adult they had not met before."""
    visits = [Met(vid, on, access.staff_name(uid, name), open_column(Visit.unknown_adult_note, vid, note))
              for vid, on, uid, name, note in columns(access.prepared(_unknown_adults, coordinator, today))]
    audit.record(db.session, coordinator, "list", object_type="visits")
    return Section("unknown_adults", f"An adult the mentor had not met before (last {DAYS} days)", visits,
                   "families/_dash_unknown_adults.html", empty="None reported.")


@section(14)
def no_access(coordinator: User, today: date) -> Section:
    """Families with two or more attempted visits (no answer, cancelled, out) in the last 30 days."""
    items = [(FamilyRef(fid, reference), n, last)
             for fid, reference, n, last in columns(access.prepared(_attempted, coordinator, today))]
    return Section("no_access", f"Repeated no access (last {DAYS} days)", items, "families/_dash_no_access.html",
                   empty="No family with repeated attempted visits.")
