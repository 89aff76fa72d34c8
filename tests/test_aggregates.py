"""The monthly visit tallies: kept by real writes, equal to a recount from the base tables, rebuilt on demand.

Every write here goes through the app's own forms (visits, attempted visits, a correction, reviews);
after each step the tallies are compared with a recount from the visits and their reviews.
"""
import uuid
from collections import defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Match, Visit, VisitReview, VisitTally
from pwa.models.tally import fast
from pwa.reports import tallies
from tests.support.diary_helpers import log_visit, visit_data


def _recount(app) -> dict:
    """(match, month) -> [visits, minutes, tenth miles, reviewed within a week], from the base tables."""
    with app.app_context():
        corrected = set(db.session.scalars(sa.select(Visit.corrects_id).where(Visit.corrects_id.is_not(None))))
        reviewed = dict(db.session.execute(sa.select(VisitReview.visit_id, VisitReview.reviewed_at)).all())
        out = defaultdict(lambda: [0, 0, 0, 0])
        for v in db.session.scalars(sa.select(Visit)):
            if v.id in corrected:
                continue
            row = out[(v.match_id, v.visit_on.replace(day=1))]
            row[0] += 1
            row[1] += v.duration_minutes
            row[2] += v.travel_tenth_miles or 0
            row[3] += int(fast(reviewed.get(v.id), v.created_at))
        return {k: v for k, v in out.items()}


def _tallies(app) -> dict:
    with app.app_context():
        rows = db.session.scalars(sa.select(VisitTally)).all()
        return {(t.match_id, t.month): [t.visits, t.minutes, t.tenth_miles, t.reviewed_fast] for t in rows
                if (t.visits, t.minutes, t.tenth_miles, t.reviewed_fast) != (0, 0, 0, 0)}


def _same(app) -> dict:
    counted = _recount(app)
    assert _tallies(app) == counted
    return counted


def _log(auth, world, days_ago: int, **fields) -> str:
    answer = log_visit(auth.client, world.family.id, visit_on=(clock.today() - timedelta(days=days_ago)).isoformat(),
                       next_contact_on="", **fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:1000]
    return answer.headers["Location"]


def _start_match_early(app, world, days: int = 120) -> None:
    with app.app_context():
        db.session.get(Match, world.match.id).started_on = clock.today() - timedelta(days=days)
        db.session.commit()


def test_tallies_follow_visits_attempts_corrections_and_reviews(world, auth, app):
    _start_match_early(app, world)
    auth.login(world.mentor)
    first = _log(auth, world, 2, duration_minutes="45", travel_miles="3.2")
    _log(auth, world, 40, duration_minutes="90")  # an earlier month
    _log(auth, world, 1, outcome="no_answer", what_done="Knocked twice", child_words="", duration_minutes="15")
    counted = _same(app)
    assert sum(row[0] for row in counted.values()) == 3
    correction = auth.client.post(first + "/correct", data={
        "csrf_token": auth.token(), "client_uuid": str(uuid.uuid4()),
        **visit_data(visit_on=(clock.today() - timedelta(days=3)).isoformat(), duration_minutes="60",
                     next_contact_on="", correction_reason="It was the day before, and an hour")})
    assert correction.status_code == 302
    counted = _same(app)
    assert sum(row[0] for row in counted.values()) == 3 and sum(row[1] for row in counted.values()) == 165
    auth.logout()
    auth.login(world.coordinator)
    for path in (correction.headers["Location"], first):  # the corrected entry's review must not count
        assert auth.post(path + "/review", {"comment": ""}, token_from=path).status_code == 302
    counted = _same(app)
    assert sum(row[3] for row in counted.values()) == 1


def test_a_slow_review_is_not_counted_and_a_rebuild_recounts_after_rows_are_deleted(world, auth, app, runner):
    _start_match_early(app, world)
    auth.login(world.mentor)
    _log(auth, world, 10)
    _log(auth, world, 5)
    with app.app_context():
        older, newer = db.session.scalars(sa.select(Visit).order_by(Visit.visit_on)).all()
        db.session.add(VisitReview(visit_id=older.id, reviewer_id=world.coordinator.id,
                                   reviewed_at=older.created_at + timedelta(days=8)))
        db.session.add(VisitReview(visit_id=newer.id, reviewer_id=world.coordinator.id,
                                   reviewed_at=newer.created_at + timedelta(days=6)))
        newer_id = newer.id
        db.session.commit()
    assert sum(row[3] for row in _same(app).values()) == 1
    with app.app_context():  # retention deleting rows outside the ORM: the tallies are stale until rebuilt
        db.session.execute(sa.delete(VisitReview).where(VisitReview.visit_id == newer_id))
        db.session.commit()
    assert _tallies(app) != _recount(app)
    result = runner.invoke(args=["aggregates", "rebuild"])
    assert result.exit_code == 0 and "Visit tallies rebuilt" in result.output
    assert sum(row[3] for row in _same(app).values()) == 0


def test_a_period_with_part_months_at_both_edges_counts_like_the_diary(world, auth, app):
    _start_match_early(app, world, 200)
    auth.login(world.mentor)
    for days_ago in (3, 20, 35, 50, 64, 80, 100):
        _log(auth, world, days_ago, duration_minutes=str(10 + days_ago))
    today = clock.today()
    start, end = today - timedelta(days=70), today - timedelta(days=10)
    with app.app_context():
        visits = db.session.scalars(sa.select(Visit).where(Visit.visit_on.between(start, end))).all()
        counts = tallies.per_match(world.programme.id, start, end)
    assert counts[world.match.id].visits == len(visits) == 4
    assert counts[world.match.id].minutes == sum(v.duration_minutes for v in visits)


def test_whole_months_inside_a_period():
    assert tallies._whole_months(date(2026, 1, 1), date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 1))
    assert tallies._whole_months(date(2026, 1, 15), date(2026, 3, 30)) == (date(2026, 2, 1), date(2026, 2, 1))
    assert tallies._whole_months(date(2026, 1, 15), date(2026, 2, 10)) is None
