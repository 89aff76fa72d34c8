"""The impact report: known answers from seeded data, period boundaries, CSV neutralisation, audit."""
import csv
import io
import uuid
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import (AuditEvent, Concern, EndingReason, Goal, GoalStatus, Match, OutcomeArea, OutcomeFramework,
                        OutcomeReading, OutcomeScore, ReadingOccasion, Urgency, Visit, VisitKind, VisitReview)
from pwa.reports.csv_export import neutralise, to_csv

START, END = date(2026, 1, 1), date(2026, 3, 31)
PERIOD = f"start={START}&end={END}"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def _visit(match, day, minutes=60, tenth_miles=20):
    v = Visit(family_id=match.family_id, match_id=match.id, author_id=match.mentor_id, visit_on=day,
              started_at=_at(day, 10), duration_minutes=minutes, kind=VisitKind.home_visit, what_done="x",
              travel_tenth_miles=tenth_miles, client_uuid=uuid.uuid4(), body_hash="0" * 64, created_at=_at(day, 18))
    db.session.add(v)
    return v


def _seed(app, world):
    """One programme with known answers for January to March 2026."""
    with app.app_context():
        own = db.session.get(Match, world.match.id)
        own.started_on, own.agreed_end_on = date(2025, 12, 1), date(2026, 6, 1)
        others = db.session.get(Match, world.others_match.id)
        others.started_on, others.agreed_end_on = date(2026, 3, 25), date(2026, 9, 25)  # one week in the period
        # Own match: a visit every 7 days from 1 Jan to 25 Mar (13), plus one on each boundary's far side.
        days = [START + timedelta(days=7 * i) for i in range(13)]
        visits = [_visit(own, d) for d in days]
        _visit(own, END)                      # on the boundary: counts
        _visit(own, START - timedelta(days=1))  # outside
        _visit(own, END + timedelta(days=1))    # outside
        db.session.flush()
        db.session.add(VisitReview(visit_id=visits[0].id, reviewer_id=world.coordinator.id,
                                   reviewed_at=visits[0].created_at + timedelta(days=3)))
        db.session.add(VisitReview(visit_id=visits[1].id, reviewer_id=world.coordinator.id,
                                   reviewed_at=visits[1].created_at + timedelta(days=10)))
        _concerns(world)
        _goals(world)
        _readings(world)
        db.session.commit()


def _concerns(world):
    for minutes in (30, 90):
        created = _at(date(2026, 2, 10))
        db.session.add(Concern(family_id=world.family.id, author_id=world.mentor.id, urgency=Urgency.urgent,
                               what_seen="seen", client_uuid=uuid.uuid4(), body_hash="0" * 64, created_at=created,
                               acknowledged_at=created + timedelta(minutes=minutes),
                               acknowledged_by_id=world.social_worker.id))


def _goals(world):
    common = dict(family_id=world.family.id, success_looks_like="s", proposed_by_id=world.social_worker.id,
                  agreed_by_id=world.social_worker.id, agreed_at=_at(date(2026, 1, 2)),
                  closed_by_id=world.social_worker.id)
    db.session.add(Goal(title="a", status=GoalStatus.achieved, closed_on=date(2026, 2, 1), **common))
    db.session.add(Goal(title="b", status=GoalStatus.dropped, closed_on=date(2026, 2, 2), close_reason="r", **common))
    db.session.add(Goal(title="c", status=GoalStatus.achieved, closed_on=date(2026, 4, 2), **common))  # outside


def _readings(world):
    framework = OutcomeFramework(key=f"test-{uuid.uuid4().hex[:6]}", name="Test", scale_min=1, scale_max=10)
    db.session.add(framework)
    db.session.flush()
    area = OutcomeArea(framework_id=framework.id, position=1, key="routines", name="Routines")
    db.session.add(area)
    db.session.flush()
    for day, fam, men in ((date(2025, 12, 5), 3, 4), (END, 6, 5), (END + timedelta(days=1), 9, 9)):
        reading = OutcomeReading(family_id=world.family.id, framework_id=framework.id, taken_on=day,
                                 occasion=ReadingOccasion.review, recorded_by_id=world.mentor.id)
        db.session.add(reading)
        db.session.flush()
        db.session.add(OutcomeScore(reading_id=reading.id, area_id=area.id, family_score=fam, mentor_score=men))


def _rows(page: str, label: str) -> str:
    cell = page.split(f'<th scope="row">{label}</th>', 1)[1]
    return cell.split("</tr>", 1)[0]


def test_impact_report_known_answers(world, auth, app):
    _seed(app, world)
    with app.app_context():
        ended = db.session.get(Match, world.others_match.id)
        assert ended.started_on == date(2026, 3, 25)
    auth.login(world.coordinator)
    page = auth.client.get(f"/reports/impact?{PERIOD}").get_data(as_text=True)
    assert "<td>2</td>" in _rows(page, "Families supported")
    assert "<td>14</td>" in _rows(page, "Visits and contacts logged")  # 13 weekly + the one on 31 March
    assert "<td>14.0</td>" in _rows(page, "Volunteer hours")
    assert "£210.00" in page  # 14 hours at £15.00
    assert "<td>28.0</td>" in _rows(page, "Miles travelled")
    assert "50% (1 of 2)" in _rows(page, "Families visited at least as often as planned")
    assert "7% (1 of 14)" in _rows(page, "Diary entries reviewed within 7 days")
    assert "60 minutes (2 of 2 acknowledged)" in _rows(page, "Median time to acknowledge a concern: urgent")
    assert "50% (1 of 2)" in _rows(page, "Goals achieved")
    routines = _rows(page, "Routines")
    assert "<td>1</td><td>1</td><td>0</td><td>0</td><td>+3.0</td><td>+1.0</td>" in routines.replace("\n", "")


def test_match_ending_on_time_and_plans_completed(world, auth, app):
    with app.app_context():
        m = db.session.get(Match, world.match.id)
        m.started_on, m.agreed_end_on = date(2025, 9, 1), date(2026, 3, 1)
        m.ended_on, m.ending_reason, m.ending_summary = date(2026, 2, 15), EndingReason.plan_completed, "Done"
        db.session.commit()
    auth.login(world.coordinator)
    page = auth.client.get(f"/reports/impact?{PERIOD}").get_data(as_text=True)
    assert "100% (1 of 1)" in _rows(page, "Matches ended on time (within 14 days of the agreed end, without extension)")
    assert "0% (0 of 1)" in _rows(page, "Matches ended early (more than 14 days before the agreed end)")
    assert "100% (1 of 1)" in _rows(page, "Matches ended: plan completed")


def test_empty_period_and_bad_dates_are_explained(world, auth):
    auth.login(world.coordinator)
    page = auth.client.get("/reports/impact?start=2020-01-01&end=2020-01-31").get_data(as_text=True)
    assert "<td>0</td>" in _rows(page, "Visits and contacts logged")
    bad = auth.client.get("/reports/impact?start=yesterday").get_data(as_text=True)
    assert "Dates must look like 2026-04-01." in bad


def test_other_programmes_data_never_counts(world, auth, app):
    _seed(app, world)
    auth.login(world.far_coordinator)
    page = auth.client.get(f"/reports/impact?{PERIOD}").get_data(as_text=True)
    assert "<td>0</td>" in _rows(page, "Visits and contacts logged")


def test_csv_export_is_neutralised_and_audited(world, auth, app):
    _seed(app, world)
    auth.login(world.coordinator)
    r = auth.client.get(f"/reports/impact.csv?table=better_off&{PERIOD}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeff") and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][0] == "Outcome area" and rows[1][0] == "Routines"
    assert float(rows[1][5]) == 3.0 and float(rows[1][6]) == 1.0  # a number, not the text '+3.0'
    with app.app_context():
        exports = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export better_off")).all()
        assert [e.actor_id for e in exports] == [world.coordinator.id]
    assert auth.client.get(f"/reports/impact.csv?table=nope&{PERIOD}").status_code == 404


def test_neutralise_every_formula_start():
    for cell in ("=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx", "\uff1dSUM(A1)", "\uff0b1", "\uff0d1", "\uff20cmd",
                 "  =1+2"):
        assert neutralise(cell).startswith("'"), repr(cell)
    assert neutralise("plain") == "plain" and neutralise(3) == 3 and neutralise(-1.5) == -1.5 and neutralise(None) == ""
    assert to_csv(["=h"], [["-2", "ok", -2]]).splitlines() == ["\ufeff'=h", "'-2,ok,-2"]


def test_every_share_in_the_csv_is_numbers_that_parse(world, auth, app):
    _seed(app, world)
    auth.login(world.coordinator)
    for table in ("how_much", "how_well", "goals"):
        body = auth.client.get(f"/reports/impact.csv?table={table}&{PERIOD}").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
        assert rows[0] == ["Measure", "Value", "Unit", "Count", "Out of"]
        for _label, value, _unit, _count, _out_of in rows[1:]:
            if value:
                float(value)  # every value parses as a number
            assert "%" not in value and "£" not in value and "(" not in value
        if table == "how_well":
            found = {r[0]: r for r in rows}
            assert found["Families visited at least as often as planned"][1:] == ["50.0", "%", "1", "2"]
        if table == "how_much":
            money = next(r for r in rows if r[0].startswith("Value of volunteer time"))
            assert money[1:3] == ["210.0", "GBP"] and "£15.00" in money[0]


def _extend_and_end(app, world):
    from pwa.models import MatchExtension

    with app.app_context():
        live = db.session.get(Match, world.match.id)
        live.started_on, live.agreed_end_on = date(2025, 9, 1), date(2026, 6, 1)
        db.session.add(MatchExtension(match_id=live.id, previous_end_on=date(2026, 3, 1), new_end_on=date(2026, 6, 1),
                                      reason="More time for routines", decided_by_id=world.coordinator.id))
        early = db.session.get(Match, world.others_match.id)
        early.started_on, early.agreed_end_on = date(2025, 10, 1), date(2026, 6, 30)
        early.ended_on, early.ending_reason, early.ending_summary = date(2026, 2, 27), EndingReason.family_withdrew, "x"
        db.session.commit()


def test_a_live_extension_counts_and_an_early_ending_is_early(world, auth, app):
    _extend_and_end(app, world)
    auth.login(world.coordinator)
    page = auth.client.get(f"/reports/impact?{PERIOD}").get_data(as_text=True)
    assert "50% (1 of 2)" in _rows(page, "Matches extended by an explicit decision (live and ended)")
    assert "100% (1 of 1)" in _rows(page, "Matches ended early (more than 14 days before the agreed end)")
    assert "0% (0 of 1)" in _rows(page, "Matches ended on time (within 14 days of the agreed end, without extension)")


def test_financial_year_and_quarter_periods_and_captioned_charts(world, auth, app):
    from pwa.core import clock
    from pwa.reports import periods

    auth.login(world.coordinator)
    page = auth.client.get("/reports/impact?period=fy2025q4").get_data(as_text=True)
    assert "1 Jan 2026 to 31 Mar 2026" in page
    year = periods.financial_year_of(clock.today())
    assert f"Financial year {year}/{str(year + 1)[-2:]}" in page
    assert auth.client.get("/reports/impact?period=fy2025").get_data(as_text=True).count("1 Apr 2025 to 31 Mar 2026")
    assert page.count("<figcaption>") == page.count("<svg") == 2


def test_the_visit_export_leaves_out_free_text_unless_asked_and_is_audited(world, auth, app):
    _seed(app, world)
    with app.app_context():
        v = db.session.scalars(sa.select(Visit).where(Visit.visit_on == END)).one()
        v.what_done, v.child_words = "=HYPERLINK(\"x\")", "I am scared"
        db.session.commit()
    auth.login(world.coordinator)
    plain = auth.client.get(f"/reports/visits.csv?{PERIOD}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(plain.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["Date", "Start", "Family reference"] and len(rows) == 15
    assert "I am scared" not in plain and "HYPERLINK" not in plain
    assert int(rows[1][6]) == 60 and rows[1][2] == world.family.reference
    full = auth.client.get(f"/reports/visits.csv?{PERIOD}&text=1").get_data(as_text=True)
    assert "I am scared" in full and "'=HYPERLINK" in full
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("export visits%"))
                                          .order_by(AuditEvent.id)))
    assert actions == ["export visits", "export visits with text"]


def test_print_view_has_a_table_for_every_part(world, auth):
    auth.login(world.coordinator)
    page = auth.client.get(f"/reports/impact?{PERIOD}").get_data(as_text=True)
    for title in ("How much did we do?", "How well did we do it?", "Is anyone better off?"):
        assert title in page
    assert page.count("<svg") == 2 and 'role="img"' in page
