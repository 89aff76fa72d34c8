"""People around a caseload: notices to social workers and before readiness lapses, mentors at a glance,
the accounts list (programme column, filter, paging), small wording fixes."""
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.dates import add_months
from pwa.core.extensions import db
from pwa.models import MailKind, OutboxMessage, Role, User
from pwa.supervision import readiness_notices
from tests.support.caseload_helpers import add_visit, showing


def _notices(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == MailKind.notice)
                                  .order_by(OutboxMessage.created_at)).all()
        return [(r.to_address, r.subject, r.body_text) for r in rows]


def test_the_social_worker_is_told_of_match_extension_and_ending_by_reference_only(world, auth, app,
                                                                                     make_family):
    family = make_family(world.social_worker, name="The Notice family")
    auth.login(world.coordinator)
    path = f"/families/{family.id}/match"
    made = auth.post(path, {"mentor": str(world.other_mentor.id), "started_on": clock.today().isoformat()},
                     token_from=path)
    assert made.status_code == 302
    match_path = made.headers["Location"]
    end = clock.today() + timedelta(days=400)
    assert auth.post(match_path + "/extend", {"new_end_on": end.isoformat(), "reason": "Going well"},
                     token_from=match_path).status_code == 302
    assert auth.post(match_path + "/end", {"ended_on": clock.today().isoformat(), "reason": "plan_completed",
                                           "summary": "Done"}, token_from=match_path).status_code == 302
    notices = [n for n in _notices(app) if n[0] == world.social_worker.email and family.reference in n[1]]
    assert [n[1].split(":")[0] for n in notices] == ["Mentor matched", "Match extended", "Match ended"]
    for _, subject, body in notices:
        assert family.reference in subject and family.reference in body
        assert "Notice" not in subject + body and world.other_mentor.name not in body and "Going well" not in body


def _lapse_in(app, mentor, days: int) -> None:
    with app.app_context():
        user = db.session.get(User, mentor.id)
        lapses = clock.today() + timedelta(days=days)
        checked = lapses
        while add_months(checked, user.programme.dbs_valid_months) > lapses:
            checked -= timedelta(days=1)
        user.dbs_checked_on = checked
        db.session.commit()


def _lapse_notices(app) -> list[tuple[str, str, str]]:
    return [n for n in _notices(app) if "DBS check" in n[1]]


def _run(app) -> int:
    with app.app_context():
        queued = readiness_notices.queue_readiness_notices(clock.today())
        db.session.commit()
        return queued


def test_readiness_notices_go_at_60_30_and_7_days_and_on_the_day_once_each(world, app):
    _lapse_in(app, world.mentor, 60)
    assert _run(app) == 2 and _run(app) == 0  # the mentor and their coordinator, once
    first = _lapse_notices(app)
    assert sorted(n[0] for n in first) == sorted([world.mentor.email, world.coordinator.email])
    assert all("lapses in 60 days" in n[1] for n in first)
    assert all(world.mentor.name not in n[1] + n[2] for n in first)  # no names in email
    for days_ahead, words in ((30, "lapses in 30 days"), (23, "lapses in 7 days"), (7, "has lapsed")):
        clock.advance(days_ahead * 86400)
        assert _run(app) == 2, words
        assert _run(app) == 0
        assert all(words in n[1] for n in _lapse_notices(app)[-2:])
    assert "no new match can be made" in _lapse_notices(app)[-1][2]
    assert len(_lapse_notices(app)) == 8


def test_a_threshold_missed_while_stopped_sends_only_the_most_urgent(world, app):
    _lapse_in(app, world.mentor, 20)
    assert _run(app) == 2
    assert all("lapses in 20 days" in n[1] for n in _lapse_notices(app))


def test_mentors_at_a_glance_when_matching(world, auth, app, make_family, make_user):
    from pwa.matches import services

    with app.app_context():
        services.record_profile(db.session.get(User, world.coordinator.id), db.session.get(User, world.mentor.id),
                                languages="English, Polish", area="North Riverside")
        db.session.commit()
    unready = make_user(Role.mentor, world.programme, ready=False, name="Una Unready")
    add_visit(app, world.match, on=clock.today() - timedelta(days=2))
    family = make_family(world.social_worker, name="The Choosing family")
    auth.login(world.coordinator)
    page = auth.client.get(f"/families/{family.id}/match").get_data(as_text=True)
    table = page.split("Mentors at a glance")[1].split("</table>")[0]
    row = table.split(world.mentor.name)[1].split("</tr>")[0]
    assert "English, Polish" in row and "North Riverside" in row and "2 days ago" in row
    assert '<td data-label="Current families">1</td>' in row
    assert "Not ready: no DBS check recorded" in table.split(unready.name)[1].split("</tr>")[0]
    assert f"{unready.name} — not ready</option>" in page and "(not ready) (not ready)" not in page


def test_a_coordinator_records_languages_and_area_on_the_readiness_page(world, auth):
    auth.login(world.coordinator)
    path = f"/mentors/{world.mentor.id}/readiness"
    today = clock.today().isoformat()
    saved = auth.post(path, {"dbs_checked_on": today, "cp_trained_on": today, "inducted_on": today,
                             "languages": "Urdu", "area": "East side"}, token_from=path)
    assert saved.status_code == 302
    assert 'value="Urdu"' in auth.client.get(path).get_data(as_text=True)
    assert "speaks Urdu" in auth.client.get("/mentors").get_data(as_text=True)


def test_mentors_list_is_paged_with_a_count(world, auth, make_user):
    for _ in range(50):
        make_user(Role.mentor, world.programme)
    auth.login(world.coordinator)
    assert showing(auth.client.get("/mentors").get_data(as_text=True)) == "Showing 1–50 of 52"
    assert showing(auth.client.get("/mentors?page=2").get_data(as_text=True)) == "Showing 51–52 of 52"


def test_accounts_list_has_a_programme_column_a_filter_and_pages(world, auth, make_user):
    for _ in range(45):
        make_user(Role.mentor, world.other_programme)
    auth.login(world.admin)
    everyone = auth.client.get("/admin/users").get_data(as_text=True)
    assert showing(everyone) == "Showing 1–50 of 54" and '<td data-label="Programme">Home</td>' in everyone
    assert showing(auth.client.get("/admin/users?page=2").get_data(as_text=True)) == "Showing 51–54 of 54"
    home = auth.client.get(f"/admin/users?programme={world.programme.id}").get_data(as_text=True)
    assert showing(home) == "Showing 1–5 of 5" and "Elsewhere</td>" not in home
    assert world.mentor.email in home and world.far_mentor.email not in home
    auth.logout()
    auth.login(world.coordinator)
    own = auth.client.get(f"/admin/users?programme={world.other_programme.id}").get_data(as_text=True)
    assert showing(own) == "Showing 1–5 of 5"  # a coordinator's list is their programme's whatever the URL says


def test_deadlines_read_in_hours_not_minutes(world, auth):
    auth.login(world.admin)
    page = auth.client.get("/admin/programmes").get_data(as_text=True)
    assert "worried 24 hours" in page and "1440 min" not in page and "immediate 15 minutes" in page
