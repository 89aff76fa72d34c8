"""Referral, consent, readiness, matching, reviews, extensions and endings, as people use them."""
from datetime import timedelta

from pwa.core import clock
from pwa.core.dates import add_months
from pwa.models import Role


def _refer(auth, **overrides):
    data = {"display_name": "The Green family", "address": "2 Lane", "plan_type": "cin",
            "referral_reason": "Struggling with routines", "involvement_plan": "Weekly visits",
            "children": "Amy 2018-04-02\nBo"}
    data.update(overrides)
    return auth.post("/families/refer", data, token_from="/families/refer")


def test_social_worker_refers_a_family_and_records_consent(world, auth):
    auth.login(world.social_worker)
    r = _refer(auth)
    assert r.status_code == 302
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "The Green family" in page and ">Referral</span>" in page and "Amy" in page and "Bo" in page
    assert "Consent not yet recorded" in auth.client.get("/families/").get_data(as_text=True)
    consent = auth.post(r.headers["Location"] + "/consent", {"given_on": clock.today().isoformat(),
                                                              "method": "in_person"}, token_from=r.headers["Location"])
    assert consent.status_code == 302
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert ">Engagement</span>" in page and "verbally, in person" in page


def test_referral_errors_name_the_field_and_keep_what_was_typed(world, auth):
    auth.login(world.social_worker)
    r = _refer(auth, display_name="", children="Amy 2018-02-31", referral_reason="Typed words stay")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Family name: This field is required." in page
    assert "Typed words stay" in page and "Weekly visits" in page


def test_bad_child_date_is_explained(world, auth):
    auth.login(world.social_worker)
    page = _refer(auth, children="Amy 2018-02-31").get_data(as_text=True)
    assert "Line 1: 2018-02-31 is not a real date." in page and "Amy 2018-02-31" in page


def test_consent_in_the_future_is_refused(world, auth, make_family):
    family = make_family(world.social_worker, consent=False, name="The Later family")
    auth.login(world.social_worker)
    path = f"/families/{family.id}"
    r = auth.post(path + "/consent", {"given_on": (clock.today() + timedelta(days=3)).isoformat(),
                                      "method": "written"}, token_from=path)
    assert r.status_code == 422 and "This date is in the future." in r.get_data(as_text=True)


def _match(auth, family, mentor, started=None):
    path = f"/families/{family.id}/match"
    return auth.post(path, {"mentor": str(mentor.id), "started_on": (started or clock.today()).isoformat(),
                            "agreed_end_on": ""}, token_from=path)


def test_no_match_without_consent(world, auth, make_family):
    family = make_family(world.social_worker, consent=False, name="The Unsure family")
    auth.login(world.coordinator)
    r = _match(auth, family, world.other_mentor)
    assert r.status_code == 422
    assert "the family&#39;s consent has not been recorded" in r.get_data(as_text=True)


def test_unready_mentor_is_refused_with_what_is_missing(world, auth, make_family, make_user):
    family = make_family(world.social_worker, name="The Waiting family")
    rookie = make_user(Role.mentor, world.programme, ready=False)
    auth.login(world.coordinator)
    page = _match(auth, family, rookie).get_data(as_text=True)
    assert "no DBS check recorded" in page and "no child protection training recorded" in page
    assert "induction not completed" in page


def test_expired_dbs_blocks_a_match(world, auth, make_family):
    family = make_family(world.social_worker, name="The Patient family")
    auth.login(world.coordinator)
    path = f"/mentors/{world.other_mentor.id}/readiness"
    old = (clock.today() - timedelta(days=365 * 3 + 5)).isoformat()
    auth.post(path, {"dbs_checked_on": old, "cp_trained_on": "2026-01-01", "inducted_on": "2026-01-02"},
              token_from=path)
    page = _match(auth, family, world.other_mentor).get_data(as_text=True)
    assert "DBS check has expired" in page
    assert "lapsed" in auth.client.get("/mentors").get_data(as_text=True)


def test_a_match_runs_six_months_and_the_list_shows_review_and_end(world, auth, make_family):
    family = make_family(world.social_worker, name="The New family")
    auth.login(world.coordinator)
    started = clock.today()
    r = _match(auth, family, world.other_mentor, started)
    assert r.status_code == 302
    match_page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    end = add_months(started, 6)
    assert f"{end:%-d %b %Y}" in match_page and ">Matching</span>" in match_page
    listing = auth.client.get("/families/").get_data(as_text=True)
    assert f"{(end - started).days} days to go" in listing
    review_due = started + timedelta(weeks=6)
    assert f"Next review: {review_due:%-d %b %Y}" in listing


def test_family_with_an_active_match_cannot_be_matched_twice(world, auth):
    auth.login(world.coordinator)
    r = _match(auth, world.family, world.other_mentor)
    assert "the family already has an active match" in r.get_data(as_text=True)


def test_review_extend_and_end(world, auth, app):
    auth.login(world.coordinator)
    path = f"/matches/{world.match.id}"
    r = auth.post(path + "/review", {"held_on": clock.today().isoformat(), "notes": "All good",
                                     "next_review_on": ""}, token_from=path)
    assert r.status_code == 302
    next_due = clock.today() + timedelta(weeks=6)
    assert f"{next_due:%-d %b %Y}" in auth.client.get(path).get_data(as_text=True)
    bad = auth.post(path + "/extend", {"new_end_on": clock.today().isoformat(), "reason": ""}, token_from=path)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Why the match is being extended: This field is required." in text
    new_end = add_months(clock.today(), 9)
    auth.post(path + "/extend", {"new_end_on": new_end.isoformat(), "reason": "School transition"}, token_from=path)
    page = auth.client.get(path).get_data(as_text=True)
    assert "School transition" in page and f"→ {new_end:%-d %b %Y}" in page
    ended = auth.post(path + "/end", {"ended_on": clock.today().isoformat(), "reason": "stepped_down",
                                      "summary": "Stepped down to early help"}, token_from=path)
    assert ended.status_code == 302
    page = auth.client.get(path).get_data(as_text=True)
    assert "Stepped down to early help" in page and "Stepped down to a lower level of support" in page
    auth.logout()
    auth.login(world.mentor)
    assert auth.client.get(f"/families/{world.family.id}").status_code == 404  # no active match any more


def test_past_agreed_end_shows_as_overrun(world, auth):
    clock.advance(200 * 86400)
    auth.login(world.coordinator)
    assert "days past the agreed end" in auth.client.get("/families/").get_data(as_text=True)


def test_reassigning_the_social_worker_moves_access(world, auth, app):
    auth.login(world.coordinator)
    path = f"/families/{world.family.id}"
    r = auth.post(path + "/social-worker", {"social_worker": str(world.other_social_worker.id)}, token_from=path)
    assert r.status_code == 302
    auth.logout()
    auth.login(world.social_worker)
    assert auth.client.get(path).status_code == 404
    auth.logout()
    auth.login(world.other_social_worker)
    assert auth.client.get(path).status_code == 200


def test_readiness_is_recorded(world, auth, make_user):
    rookie = make_user(Role.mentor, world.programme, ready=False, name="Rae Rookie")
    auth.login(world.coordinator)
    assert "Not ready: no DBS check recorded" in auth.client.get("/mentors").get_data(as_text=True)
    path = f"/mentors/{rookie.id}/readiness"
    day = clock.today().isoformat()
    auth.post(path, {"dbs_checked_on": day, "cp_trained_on": day, "inducted_on": day}, token_from=path)
    page = auth.client.get("/mentors").get_data(as_text=True)
    assert page.count("Ready to be matched") == 3  # world's two mentors and Rae


def test_mentor_sees_only_the_plan_not_the_referral_reason(world, auth):
    auth.login(world.mentor)
    page = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert "Volunteer involvement plan" in page and "Reason for referral" not in page
