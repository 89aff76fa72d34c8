"""The coordinator's visit-level export: one row per current diary entry in a period.

Without free text unless asked for: the what-was-done, the child's words and who was there
are the most sensitive cells, so they are left out of the default file.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from pwa import access
from pwa.core.extensions import db
from pwa.models import Family, User, Visit, VisitReview

HEADERS = ["Date", "Start", "Family reference", "Mentor", "Kind", "Outcome", "Minutes", "Miles", "Children seen",
           "Children spoken to", "Adult not met before", "Wants to talk to the coordinator", "Reviewed"]
TEXT_HEADERS = ["Who was there", "What was done", "The child's words"]


def rows(user: User, since: date, until: date, *, with_text: bool = False) -> tuple[list[str], list[list]]:
    """The user's programme's visits in the period, oldest first, as CSV rows (numbers as numbers)."""
    reviewed = sa.select(VisitReview.visit_id)
    q = (access.visible_visits(user)
         .where(Visit.visit_on.between(since, until), Visit.is_current())
         .join(Family, Family.id == Visit.family_id)
         .add_columns(Family.reference, Visit.id.in_(reviewed))
         .order_by(Visit.visit_on, Visit.started_at)
         .options(selectinload(Visit.children)))
    out = []
    for visit, reference, was_reviewed in db.session.execute(q):
        row = [visit.visit_on.isoformat(), visit.started_at.strftime("%H:%M"), reference, visit.author.name,
               visit.kind.value, visit.outcome.value, visit.duration_minutes, visit.travel_miles,
               len(visit.seen), len(visit.spoken_to), bool(visit.unknown_adult), bool(visit.talk_to_coordinator),
               bool(was_reviewed)]
        if with_text:
            row += [visit.present, visit.what_done, visit.child_words]
        out.append(row)
    return HEADERS + (TEXT_HEADERS if with_text else []), out
