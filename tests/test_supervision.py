"""The coordinator's dashboard counts against seeded data with known answers; supervision sessions."""
import re
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Match, Role, User
from tests.support.caseload_helpers import section


def _counts(auth) -> dict[str, int]:
    page = auth.client.get("/dashboard").get_data(as_text=True)
    return {title: int(n) for title, n in re.findall(r'<h2 id="[\w-]+">(.+?) \((\d+)\)</h2>', page)}


def _set(app, model, row_id, **values):
    with app.app_context():
        row = db.session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def test_match_ending_today_is_not_past_its_end_but_yesterday_is(world, auth, app):
    today = clock.today()
    _set(app, Match, world.match.id, agreed_end_on=today)
    _set(app, Match, world.others_match.id, agreed_end_on=today - timedelta(days=1))
    auth.login(world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert _counts(auth)["Matches past their agreed end"] == 1
    assert "The Others family" in page.split('id="overrun"')[1].split("</section>")[0]


def test_reviews_due_within_a_week_or_overdue(world, auth, app):
    today = clock.today()
    _set(app, Match, world.match.id, next_review_on=today - timedelta(days=2))
    _set(app, Match, world.others_match.id, next_review_on=today + timedelta(days=8))
    auth.login(world.coordinator)
    assert _counts(auth)["Reviews due or overdue"] == 1
    _set(app, Match, world.others_match.id, next_review_on=today + timedelta(days=7))
    assert _counts(auth)["Reviews due or overdue"] == 2
    assert "overdue since" in auth.client.get("/dashboard").get_data(as_text=True)


def test_readiness_expired_and_expiring(world, auth, app, make_user):
    today = clock.today()
    lapsing = make_user(Role.mentor, world.programme, name="Lapsing Lou")
    lapsed = make_user(Role.mentor, world.programme, name="Lapsed Len")
    _set(app, User, lapsing.id, dbs_checked_on=today - timedelta(days=365 * 3 - 20))
    _set(app, User, lapsed.id, cp_trained_on=today - timedelta(days=365 * 3 + 10))
    auth.login(world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert _counts(auth)["Readiness checks expiring or expired"] == 2
    assert "blocks new matches" in page and "Lapsing Lou" in page and "Lapsed Len" in page


def test_readiness_lists_a_check_lapsing_in_thirty_days_and_not_one_lapsing_in_thirty_one(world, auth, app,
                                                                                          make_user):
    from pwa.core.dates import add_months

    months, on_the_day = world.programme.dbs_valid_months, clock.today() + timedelta(days=30)
    first_too_late = add_months(on_the_day, -months)  # the first check date that lapses after day 30
    while add_months(first_too_late, months) <= on_the_day:
        first_too_late += timedelta(days=1)
    in_time = make_user(Role.mentor, world.programme, name="Thirty Days Tess")
    too_far = make_user(Role.mentor, world.programme, name="Thirty One Days Tom")
    _set(app, User, in_time.id, dbs_checked_on=first_too_late - timedelta(days=1))
    _set(app, User, too_far.id, dbs_checked_on=first_too_late)
    auth.login(world.coordinator)
    readiness = section(auth.client.get("/dashboard").get_data(as_text=True), "readiness")
    assert "Thirty Days Tess" in readiness and "Thirty One Days Tom" not in readiness
    assert _counts(auth)["Readiness checks expiring or expired"] == 1


def test_reviews_due_lists_the_first_few_and_the_see_all_page_has_every_one(world, auth, app, make_family, make_match):
    from pwa.supervision.dashboard import SHOWN

    for i in range(SHOWN + 4):
        family = make_family(world.social_worker, name=f"The Review {i} family")
        match = make_match(family, world.mentor, world.coordinator)
        _set(app, Match, match.id, next_review_on=clock.today() + timedelta(days=1))
    auth.login(world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert _counts(auth)["Reviews due or overdue"] == SHOWN + 4
    assert f"Showing the first {SHOWN} of {SHOWN + 4}." in page
    every = auth.client.get("/dashboard/reviews").get_data(as_text=True)
    assert len(set(re.findall(r"The Review \d+ family", every))) == SHOWN + 4


def test_other_programmes_never_count(world, auth, app):
    _set(app, Match, world.far_match.id, agreed_end_on=clock.today() - timedelta(days=3))
    auth.login(world.coordinator)
    assert _counts(auth)["Matches past their agreed end"] == 0


def test_queued_entries_and_talk_requests_count_only_in_their_familys_programme(world, auth, app):
    """The review queue and talk requests carry their family's programme (migration 0015): each coordinator
    counts their own programme's, never the other's."""
    import uuid

    from pwa.models import ReviewQueue, TalkRequest, Visit, VisitKind

    with app.app_context():
        for family, match, mentor in ((world.far_family, world.far_match, world.far_mentor),) * 2:
            db.session.add(Visit(family_id=family.id, match_id=match.id, author_id=mentor.id, visit_on=clock.today(),
                                 started_at=clock.now(), duration_minutes=30, kind=VisitKind.outing, what_done="Park",
                                 client_uuid=uuid.uuid4(), body_hash="0" * 64, talk_to_coordinator=True))
        db.session.commit()
        programmes = {*db.session.scalars(sa.select(ReviewQueue.programme_id)),
                      *db.session.scalars(sa.select(TalkRequest.programme_id))}
        assert programmes == {world.other_programme.id}
    auth.login(world.coordinator)
    home = _counts(auth)
    assert home["Diary entries awaiting review"] == 0 and home["Mentors asking to talk to you"] == 0
    auth.logout()
    auth.login(world.far_coordinator)
    far = _counts(auth)
    assert far["Diary entries awaiting review"] == 2 and far["Mentors asking to talk to you"] == 2


def test_supervision_sessions_and_when_they_fall_due(world, auth, app):
    auth.login(world.coordinator)
    assert _counts(auth)["Supervision due"] == 2  # nobody has had one yet
    path = f"/mentors/{world.mentor.id}/supervision"
    today = clock.today()
    bad = auth.post(path, {"held_on": today.isoformat(), "notes": "", "next_on": today.isoformat()},
                    token_from=path)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Notes: This field is required." in text
    assert "The next session must be after this one." in text
    ok = auth.post(path, {"held_on": today.isoformat(), "notes": "Talked about boundaries",
                          "next_on": (today + timedelta(days=28)).isoformat()}, token_from=path)
    assert ok.status_code == 302
    assert "Talked about boundaries" in auth.client.get(path).get_data(as_text=True)
    assert _counts(auth)["Supervision due"] == 1
    clock.advance(28 * 86400)
    auth.login(world.coordinator)
    assert _counts(auth)["Supervision due"] == 2


def test_dashboard_query_count_is_constant(world, auth, app, make_user, make_family, make_match):
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        auth.login(world.coordinator)
        small = int(auth.client.get("/dashboard").headers["X-Query-Count"])
        for i in range(6):
            mentor = make_user(Role.mentor, world.programme)
            family = make_family(world.social_worker, name=f"The Extra {i} family")
            make_match(family, mentor, world.coordinator)
        large = int(auth.client.get("/dashboard").headers["X-Query-Count"])
        assert large == small
    finally:
        app.config["QUERY_COUNT_HEADER"] = False
    assert sa


def test_coordinator_reviews_an_entry_and_the_mentor_sees_the_comment(world, auth, app):
    from tests.support.access_rules import entry

    world.app = app
    visit = entry(world, "own")
    auth.login(world.coordinator)
    assert _counts(auth)["Diary entries awaiting review"] == 1
    path = f"/visits/{visit.id}"
    r = auth.post(path + "/review", {"comment": "Lovely idea to go to the park"}, token_from=path)
    assert r.status_code == 302
    assert _counts(auth)["Diary entries awaiting review"] == 0
    auth.logout()
    auth.login(world.mentor)
    page = auth.client.get(path).get_data(as_text=True)
    assert "Lovely idea to go to the park" in page and "Reviewed by" in page
    assert "Mark reviewed" not in page  # the mentor cannot review


def test_talk_flags_and_families_without_recent_visits(world, auth, app):
    import uuid

    from pwa.models import Visit, VisitKind

    with app.app_context():
        three_days_ago = clock.today() - timedelta(days=3)
        db.session.add(Visit(family_id=world.family.id, match_id=world.match.id, author_id=world.mentor.id,
                             visit_on=three_days_ago, started_at=clock.now() - timedelta(days=3), duration_minutes=30,
                             kind=VisitKind.phone_call, what_done="Talked", talk_to_coordinator=True,
                             client_uuid=uuid.uuid4(), body_hash="0" * 64))
        db.session.commit()
    auth.login(world.coordinator)
    counts = _counts(auth)
    assert counts["Mentors asking to talk to you"] == 1
    page = auth.client.get("/dashboard").get_data(as_text=True)
    quiet = page.split('id="overdue"')[1].split("</section>")[0]
    assert "The Others family" in quiet and "never visited" in quiet  # matched 30 days ago, no visit
    assert "The Own family" not in quiet  # visited 3 days ago, within the programme's 7
    clock.advance(5 * 86400)
    auth.login(world.coordinator)
    quiet = auth.client.get("/dashboard").get_data(as_text=True).split('id="overdue"')[1].split("</section>")[0]
    assert "The Own family" in quiet and "8 days ago" in quiet


def test_a_correction_waits_for_review_in_place_of_the_entry_it_corrects(world, auth, app):
    import uuid

    from pwa.models import ReviewQueue, Visit, VisitKind

    def entry(**kw):
        return Visit(family_id=world.family.id, match_id=world.match.id, author_id=world.mentor.id,
                     visit_on=clock.today(), started_at=clock.now(), duration_minutes=30, kind=VisitKind.outing,
                     what_done="Zoo", client_uuid=uuid.uuid4(), body_hash="0" * 64, **kw)

    with app.app_context():
        first = entry()
        db.session.add(first)
        db.session.commit()
        db.session.add(entry(corrects_id=first.id, correction_reason="Wrong day"))
        db.session.commit()
        queued = db.session.scalars(sa.select(ReviewQueue.visit_id)).all()
        assert first.id not in queued and len(queued) == 1
    auth.login(world.coordinator)
    assert _counts(auth)["Diary entries awaiting review"] == 1


def test_a_long_section_lists_the_first_few_and_counts_them_all(world, auth, app, make_user):
    from pwa.supervision.dashboard import SHOWN

    for _ in range(SHOWN + 3):
        make_user(Role.mentor, world.programme)
    auth.login(world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert _counts(auth)["Supervision due"] == SHOWN + 5  # the world's two mentors and the new ones
    assert f"Showing the first {SHOWN} of {SHOWN + 5}." in page
