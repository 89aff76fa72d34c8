"""The dashboard's sections about the programme's people: readiness checks, supervision, refused accounts.

Readiness and refusals list everything they find (a few rows), so each is probed first with the
other sections' counts (pwa.supervision.dashboard): when nothing is there, neither runs a select.
"""
from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa

from pwa import access
from pwa.core import clock, refusals
from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.models import AuditEvent, Role, SupervisionSession, User
from pwa.supervision.dashboard import Section, listed, section

SOON_DAYS = 30
REFUSAL_DAYS, REFUSALS_SHOWN_FROM = 7, 3  # accounts refused this often in a week are worth a look


def readiness_alerts(mentors: list[User], today: date) -> list[tuple[User, str, date]]:
    """(mentor, which check, when it lapses) for checks lapsed or lapsing within 30 days."""
    alerts = []
    for mentor in mentors:
        for what, lapses in mentor.expiries().items():
            if lapses <= today + timedelta(days=SOON_DAYS):
                alerts.append((mentor, what, lapses))
    return sorted(alerts, key=lambda a: a[2])


def _active_mentors(coordinator: User) -> sa.Select:
    return access.manageable_users(coordinator).where(User.role == Role.mentor, User.active.is_(True))


def _lapsing(coordinator: User, today: date, valid: tuple[int, int]) -> sa.Select:
    soon, (dbs_months, training_months) = today + timedelta(days=SOON_DAYS + 3), valid
    lapsing = sa.or_(User.dbs_checked_on <= add_months(soon, -dbs_months),
                     User.cp_trained_on <= add_months(soon, -training_months))
    return _active_mentors(coordinator).where(lapsing).order_by(User.created_at)


def _readiness_section(items: list, **lazy) -> Section:
    return Section("readiness", "Readiness checks expiring or expired", items, "supervision/_readiness.html", **lazy)


def _readiness_read(coordinator: User, today: date, valid: tuple[int, int]) -> Section:
    mentors = db.session.scalars(access.prepared(_lapsing, coordinator, today, valid)).all()
    return _readiness_section(readiness_alerts(mentors, today))


@section(60, "readiness")
def readiness(coordinator: User, today: date) -> Section:
    """Readiness checks expired (blocking new matches) or expiring within 30 days.

    The database picks the mentors whose check was made long enough ago to lapse by then (a few days'
    margin for months of different lengths); expiries() then gives each one's exact date.
    """
    valid = (coordinator.programme.dbs_valid_months, coordinator.programme.training_valid_months)
    return _readiness_section([], probe=(_lapsing, today, valid),
                              then=partial(_readiness_read, coordinator, today, valid))


def _supervision_lines(coordinator: User, today: date) -> tuple[sa.Select, None]:
    newest = (sa.select(SupervisionSession.mentor_id, sa.func.max(SupervisionSession.held_on).label("held_on"))
              .group_by(SupervisionSession.mentor_id).subquery())
    last = SupervisionSession  # the latest session: the select is of mentors, so no alias is needed
    q = (_active_mentors(coordinator).with_only_columns(User.id, User.name, last.next_on)
         .outerjoin(newest, newest.c.mentor_id == User.id)
         .outerjoin(last, sa.and_(last.mentor_id == User.id, last.held_on == newest.c.held_on))
         .where(sa.or_(newest.c.mentor_id.is_(None), last.next_on <= today)).order_by(User.created_at, User.id))
    return q, None


def _supervision_line(row) -> tuple:
    return row[0], access.staff_name(row[0], row[1]), row[2]


@section(70, "supervision")
def supervision_due(coordinator: User, today: date) -> Section:
    """Mentors whose next supervision date has come, or who have never had one (their latest session decides)."""
    return listed("supervision", "Supervision due", _supervision_lines, coordinator, today,
                  "supervision/_supervision_due.html", shape=_supervision_line)


_SINCE = sa.bindparam("refused_since", type_=AuditEvent.at.type)  # a week before now: a value, so the select is kept


def _refused(coordinator: User) -> sa.Select:
    people = access.manageable_users(coordinator).with_only_columns(User.id)
    n = sa.func.count(AuditEvent.id)
    return (sa.select(AuditEvent.actor_id, n, sa.func.max(AuditEvent.at))
            .where(AuditEvent.at >= _SINCE, AuditEvent.action.like(refusals.PREFIX + "%"),
                   AuditEvent.actor_id.in_(people))
            .group_by(AuditEvent.actor_id).having(n >= REFUSALS_SHOWN_FROM).order_by(n.desc()))


def _refusals_section(items: list, **lazy) -> Section:
    return Section("refusals", "Accounts refused access repeatedly", items, "supervision/_refusals.html",
                   empty=f"No account was refused {REFUSALS_SHOWN_FROM} or more times in the last {REFUSAL_DAYS} days.",
                   **lazy)


def _refusals_read(coordinator: User, since) -> Section:
    rows = db.session.execute(access.prepared(_refused, coordinator), {"refused_since": since}).all()
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([r[0] for r in rows])))}
    return _refusals_section([(users[actor], count, last) for actor, count, last in rows])


@section(80)
def repeated_refusals(coordinator: User, today: date) -> Section:
    """Accounts of the programme refused several times this week: probing, or someone who lacks access."""
    since = clock.now() - timedelta(days=REFUSAL_DAYS)
    return _refusals_section([], probe=(_refused,), params={"refused_since": since},
                             then=partial(_refusals_read, coordinator, since))
