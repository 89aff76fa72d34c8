"""Repeated no access is a warning sign, not missing data.

After each entry: two attempted visits in a row (no answer, cancelled, family out), or a
third in 30 days, send the coordinator and the social worker a reference-only notice — once
as each threshold is reached, not for every later attempt. Flush only.
"""
from datetime import timedelta

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.families.record import tell_team
from pwa.models import Family, Visit, VisitOutcome

IN_A_ROW = 2
IN_A_MONTH = 3
MONTH_DAYS = 30


def _attempted():
    return Visit.outcome != VisitOutcome.completed


def after_visit(family: Family, visit: Visit) -> None:
    """Alert the team when this entry makes the second attempt in a row or the third in a month."""
    if visit.outcome is VisitOutcome.completed:
        return
    db.session.flush()
    current = sa.select(Visit).where(Visit.family_id == family.id, Visit.is_current())
    latest = list(db.session.scalars(current.order_by(Visit.started_at.desc(), Visit.created_at.desc())
                                     .limit(IN_A_ROW + 1)))
    streak = 0
    for entry in latest:
        if entry.outcome is VisitOutcome.completed:
            break
        streak += 1
    since = visit.visit_on - timedelta(days=MONTH_DAYS - 1)
    in_month = db.session.scalar(current.where(_attempted(), Visit.visit_on.between(since, visit.visit_on))
                                 .with_only_columns(sa.func.count()))
    if streak == IN_A_ROW:
        what = f"The last {IN_A_ROW} visits did not happen (no answer, cancelled or family out)."
    elif in_month == IN_A_MONTH:
        what = f"{IN_A_MONTH} visits in {MONTH_DAYS} days did not happen (no answer, cancelled or family out)."
    else:
        return
    tell_team(family, f"Repeated no access: family {family.reference}",
              what + " Repeated no access is a warning sign: please follow it up.")
