"""The social worker's view: caseload, one chronology filterable by kind and date, a printable report."""
import uuid
from datetime import date, datetime, time, timedelta, timezone

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Goal, GoalStatus, MatchReview, Visit, VisitKind


def _seed(app, world):
    """A visit, a review, a proposed goal, on known days."""
    with app.app_context():
        db.session.add(Visit(family_id=world.family.id, match_id=world.match.id, author_id=world.mentor.id,
                             visit_on=date(2026, 3, 3), started_at=datetime(2026, 3, 3, 10, tzinfo=timezone.utc),
                             duration_minutes=60, kind=VisitKind.outing, what_done="Went to the park",
                             client_uuid=uuid.uuid4(), body_hash="0" * 64))
        db.session.add(MatchReview(match_id=world.match.id, held_on=date(2026, 4, 7), notes="Review went well",
                                   recorded_by_id=world.coordinator.id))
        db.session.add(Goal(family_id=world.family.id, title="Bedtime by eight", success_looks_like="Calm nights",
                            status=GoalStatus.proposed, proposed_by_id=world.mentor.id,
                            created_at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc)))
        db.session.commit()


def test_caseload_shows_goals_waiting_for_agreement(world, auth, app):
    _seed(app, world)
    auth.login(world.social_worker)
    page = auth.client.get("/caseload").get_data(as_text=True)
    assert "Goals waiting for your agreement (1)" in page and "Bedtime by eight" in page
    assert "The Own family" in page and "The Others family" not in page


def test_social_worker_lands_on_the_caseload(world, auth):
    auth.login(world.social_worker)
    assert auth.client.get("/").headers["Location"].endswith("/caseload")


def test_chronology_holds_every_kind_newest_first(world, auth, app):
    _seed(app, world)
    auth.login(world.social_worker)
    page = auth.client.get(f"/families/{world.family.id}/chronology").get_data(as_text=True)
    order = [page.index(t) for t in ("Bedtime by eight", "Review went well", "Went to the park")]
    assert order == sorted(order)
    assert "Matched with" in page


def test_chronology_filters_by_kind_and_date(world, auth, app):
    _seed(app, world)
    auth.login(world.social_worker)
    base = f"/families/{world.family.id}/chronology"
    visits_only = auth.client.get(base + "?kind=visit").get_data(as_text=True)
    assert "Went to the park" in visits_only and "Review went well" not in visits_only
    april = auth.client.get(base + "?since=2026-04-01&until=2026-04-30").get_data(as_text=True)
    assert "Review went well" in april and "Went to the park" not in april and "Bedtime" not in april
    swapped = auth.client.get(base + "?since=2026-04-30&until=2026-04-01").get_data(as_text=True)
    assert "back to front" in swapped and "Review went well" in swapped


def test_mentor_cannot_open_the_chronology_or_report(world, auth):
    auth.login(world.mentor)
    assert auth.client.get(f"/families/{world.family.id}/chronology").status_code == 403
    assert auth.client.get(f"/families/{world.family.id}/report").status_code == 403


def test_printable_report_for_a_date_range(world, auth, app):
    _seed(app, world)
    auth.login(world.social_worker)
    page = auth.client.get(f"/families/{world.family.id}/report?since=2026-03-01&until=2026-03-31")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Family support report" in text and world.family.reference in text
    assert "Went to the park" in text and "Review went well" not in text
    assert "Goals and progress" in text and "Bedtime by eight" in text
    assert "Journey of change" in text and "<svg" in text
    assert "1 Mar 2026 to 31 Mar 2026" in text


def test_print_stylesheet_hides_navigation_and_forms(client):
    css = client.get("/static/css/app.css")
    text = css.get_data(as_text=True)
    css.close()
    assert "@media print" in text and ".top" in text.split("@media print", 1)[1]
    assert timedelta and time and clock
