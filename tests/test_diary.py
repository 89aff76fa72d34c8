"""The mentor's diary: home screen, the visit entry, idempotency, corrections, reading the diary."""
import gzip
import re
import threading
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, EndingReason, Family, Match, Role, User, Visit
from tests.support.diary_helpers import add_goal, log_visit, make_entries, open_visit_form, visit_data


def _visits(app) -> list[Visit]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Visit).order_by(Visit.created_at)))
        db.session.expunge_all()
        return rows


def _end(app, match):
    from pwa.matches import services

    with app.app_context():
        m = db.session.get(Match, match.id)
        services.end_match(db.session.get(User, m.matched_by_id), m, ended_on=clock.today(),
                           reason=EndingReason.plan_completed, summary="Done")
        db.session.commit()


def test_mentor_home_lists_active_families_with_visits_goals_and_overdue(world, auth, client, app, make_family,
                                                                        make_match):
    ended = make_family(world.social_worker, name="The Ended family")
    _end(app, make_match(ended, world.mentor, world.coordinator))
    add_goal(app, world.family, world.coordinator, title="Bedtime by eight")
    auth.login(world.mentor)
    assert client.get("/").headers["Location"].endswith("/diary")
    home = client.get("/diary").get_data(as_text=True)
    assert "The Own family" in home and "The Ended family" not in home
    assert "Overdue:</strong> no visit for 30 days" in home
    assert f"none yet (matched {(clock.today() - timedelta(days=30)).strftime('%-d %b %Y')})" in home
    assert "Bedtime by eight" in home
    assert f'href="/families/{world.family.id}/visits/new"' in home and "Log a visit" in home
    assert "Raise a concern" in home

    assert log_visit(client, world.family.id).status_code == 302
    home = client.get("/diary").get_data(as_text=True)
    assert "Overdue" not in home
    assert f"Last visit: {clock.today().strftime('%-d %b %Y')} (today)" in home
    assert "Next planned contact: " + (clock.today() + timedelta(days=3)).strftime("%-d %b %Y") in home

    clock.advance(8 * 86400)
    auth.login(world.mentor)  # the session timed out meanwhile
    assert "Overdue:</strong> no visit for 8 days" in client.get("/diary").get_data(as_text=True)


def test_the_concern_link_works_whether_or_not_concerns_are_installed(world, auth, client, app):
    auth.login(world.mentor)
    home = client.get("/diary").get_data(as_text=True)
    with app.test_request_context():
        from flask import url_for

        expected = (url_for("concerns.new", family_id=world.family.id) if "concerns.new" in app.view_functions
                    else f"/families/{world.family.id}/concerns/new")
    assert f'href="{expected}"' in home


def test_logging_a_visit_stores_every_field_and_shows_the_entry(world, auth, client, app):
    goal = add_goal(app, world.family, world.coordinator)
    auth.login(world.mentor)
    html, fields = open_visit_form(client, world.family.id)
    assert f'value="{clock.today().isoformat()}"' in html  # today by default
    assert "Amy gets to school on time" in html
    with app.app_context():
        amy = db.session.get(Family, world.family.id).children[0].id
    data = {**fields, **visit_data(children_seen=str(amy), children_spoken=str(amy), talk_to_coordinator="y",
                                   **{"goals-0-goal_id": str(goal), "goals-0-mark": "forward",
                                      "goals-0-note": "Up on time three days"})}
    response = client.post(f"/families/{world.family.id}/visits/new", data=data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for text in ("Visit saved.", "I got a sticker today", "Homework together, then tea.", "Mum and Amy",
                 "Moved forward", "Up on time three days", "4.5 miles", "Yes, please", "00:00, for 60 minutes"):
        assert text in page, text
    [visit] = _visits(app)
    assert (visit.duration_minutes, visit.travel_tenth_miles, visit.talk_to_coordinator) == (60, 45, True)
    assert str(visit.client_uuid) == fields["client_uuid"] and len(visit.body_hash) == 64
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_id == str(visit.id)))
        assert "visit recorded" in set(actions)


def test_a_validation_error_names_the_field_and_keeps_what_was_typed(world, auth, client, app):
    goal = add_goal(app, world.family, world.coordinator)
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    data = {**fields, **visit_data(what_done="", visit_on=(clock.today() + timedelta(days=2)).isoformat(),
                                   duration_minutes="an hour", present="Nan Kowalczyk-typed",
                                   child_words="Said the dog bit her-typed",
                                   **{"goals-0-goal_id": str(goal), "goals-0-note": "Note without a mark-typed"})}
    response = client.post(f"/families/{world.family.id}/visits/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for error in ("What you did: Say what you did.", "Date: This date is in the future.",
                  "How long (minutes): Not a valid integer value.",
                  "Amy gets to school on time — How it went: Choose how it went, or clear the note."):
        assert error in page, error
    for typed in ("Nan Kowalczyk-typed", "Said the dog bit her-typed", "Note without a mark-typed", "an hour"):
        assert typed in page, typed
    assert fields["client_uuid"] in page  # the same submission id, so a double submit stays single
    assert _visits(app) == []


def test_the_same_submission_twice_stores_one_entry_and_answers_the_same(world, auth, client, app):
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    data = {**fields, **visit_data()}
    first = client.post(f"/families/{world.family.id}/visits/new", data=data)
    again = client.post(f"/families/{world.family.id}/visits/new", data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert len(_visits(app)) == 1
    assert "This visit was already saved." in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_same_submission_id_with_a_different_body_is_refused(world, auth, client, app):
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    assert client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()}).status_code == 302
    changed = {**fields, **visit_data(what_done="Something else entirely")}
    response = client.post(f"/families/{world.family.id}/visits/new", data=changed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already sent with different content, so nothing new was saved" in page
    assert "Something else entirely" in page and "See the saved entry" in page
    [visit] = _visits(app)
    with app.app_context():
        assert db.session.get(Visit, visit.id).what_done == "Homework together, then tea."


def test_idempotency_key_header_answers_json_for_the_outbox(world, auth, client, app):
    auth.login(world.mentor)
    _, fields = open_visit_form(client, world.family.id)
    key = str(uuid.uuid4())
    send = dict(data={"csrf_token": fields["csrf_token"], **visit_data()},
                headers={"Idempotency-Key": key, "Accept": "application/json"})
    first = client.post(f"/families/{world.family.id}/visits/new", **send)
    again = client.post(f"/families/{world.family.id}/visits/new", **send)
    assert (first.status_code, first.json["created"]) == (201, True)
    assert (again.status_code, again.json["created"], again.json["id"]) == (200, False, first.json["id"])
    send["data"]["what_done"] = "Changed"
    refused = client.post(f"/families/{world.family.id}/visits/new", **send)
    assert refused.status_code == 422 and "different content" in refused.json["message"]
    assert [str(v.client_uuid) for v in _visits(app)] == [key]


def test_the_service_takes_a_plain_dict_as_the_offline_outbox_sends_it(world, app):
    from pwa.diary import services
    from pwa.diary.forms import VisitForm

    payload = MultiDict({**visit_data(), "kind": "phone_call"})
    uid = uuid.uuid4()
    with app.test_request_context(method="POST"):
        mentor, family = db.session.get(User, world.mentor.id), db.session.get(Family, world.family.id)
        visit, created = services.submit_visit(mentor, family, VisitForm(formdata=payload, meta={"csrf": False}), uid)
        db.session.commit()
        again, created_again = services.submit_visit(
            mentor, family, VisitForm(formdata=payload, meta={"csrf": False}), uid)
        assert (created, created_again, again.id) == (True, False, visit.id)
        bad = VisitForm(formdata=MultiDict({**visit_data(), "what_done": ""}), meta={"csrf": False})
        try:
            services.submit_visit(mentor, family, bad, uuid.uuid4())
        except services.VisitInvalid as invalid:
            assert ("what_done", "What you did: Say what you did.") in invalid.form.error_list()
        else:
            raise AssertionError("an empty 'what you did' was accepted")


def test_racing_twins_with_one_uuid_store_one_entry(world, app):
    """Two requests with the same UUID at once: the second waits, then returns the first's entry."""
    from pwa.diary import services
    from pwa.diary.forms import VisitForm

    uid, inserted, results = uuid.uuid4(), threading.Event(), {}

    def submit(name, hold):
        if not hold:
            assert inserted.wait(10)
        with app.test_request_context(method="POST"):
            mentor, family = db.session.get(User, world.mentor.id), db.session.get(Family, world.family.id)
            form = VisitForm(formdata=MultiDict(visit_data()), meta={"csrf": False})
            visit, created = services.submit_visit(mentor, family, form, uid)
            if hold:
                inserted.set()
                time.sleep(0.5)  # the twin looks up the UUID now, and must wait for this commit
            db.session.commit()
            results[name] = (visit.id, created)
            db.session.remove()

    threads = [threading.Thread(target=submit, args=("first", True)),
               threading.Thread(target=submit, args=("twin", False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert results["first"][1] is True and results["twin"] == (results["first"][0], False)
    assert len(_visits(app)) == 1


def test_a_mentor_without_an_active_match_can_neither_log_nor_read(world, auth, client, app):
    auth.login(world.mentor)
    assert log_visit(client, world.family.id).status_code == 302
    [visit] = _visits(app)
    for path in (f"/families/{world.others_family.id}/visits/new", f"/families/{world.far_family.id}/visits/new"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"csrf_token": auth.token(), **visit_data()}).status_code == 404
    _end(app, world.match)
    for path in (f"/families/{world.family.id}/visits/new", f"/families/{world.family.id}",
                 f"/visits/{visit.id}", f"/visits/{visit.id}/correct"):
        assert client.get(path).status_code == 404, path
    path = f"/families/{world.family.id}/visits/new"
    assert client.post(path, data={"csrf_token": auth.token(), **visit_data()}).status_code == 404
    assert len(_visits(app)) == 1


def test_a_correction_is_a_new_entry_linked_to_the_one_it_corrects(world, auth, client, app):
    auth.login(world.mentor)
    original_url = log_visit(client, world.family.id, what_done="Went to the park").headers["Location"]
    form = client.get(original_url + "/correct").get_data(as_text=True)
    assert "Went to the park" in form and "What was wrong with the earlier entry" in form
    fields = {"csrf_token": auth.token(), "client_uuid": str(uuid.uuid4())}
    missing = client.post(original_url + "/correct", data={**fields, **visit_data(what_done="Went to the library")})
    assert missing.status_code == 422
    assert "What was wrong with the earlier entry: Say what this corrects." in missing.get_data(as_text=True)
    fixed = client.post(original_url + "/correct", data={**fields, **visit_data(
        what_done="Went to the library", correction_reason="It was the library, not the park")})
    assert fixed.status_code == 302
    original, correction = _visits(app)
    assert correction.corrects_id == original.id and original.what_done == "Went to the park"
    diary = client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert "Went to the park" in diary and "Went to the library" in diary
    assert "Corrected</strong> by" in diary and "Correction</strong> of" in diary
    page = client.get(original_url).get_data(as_text=True)
    assert "This entry has been corrected" in page and "Correct this entry" not in page
    assert "It was the library, not the park" in client.get(fixed.headers["Location"]).get_data(as_text=True)
    again = client.post(original_url + "/correct", data={"csrf_token": auth.token(), "client_uuid": str(uuid.uuid4()),
                                                           **visit_data(correction_reason="Again")})
    assert again.headers["Location"].endswith(f"/visits/{correction.id}")
    assert client.get(original_url + "/correct").headers["Location"].endswith(f"/visits/{correction.id}")
    assert len(_visits(app)) == 2


def test_a_mentor_reads_their_own_entries_staff_read_all(world, auth, client, app, make_user, make_match):
    make_entries(app, world.match, 1, text="First mentor's entry")
    _end(app, world.match)
    successor = make_user(Role.mentor, world.programme)
    make_entries(app, make_match(world.family, successor, world.coordinator), 1, text="Second mentor's entry")
    for user, sees_first in ((successor, False), (world.coordinator, True), (world.social_worker, True)):
        auth.login(user)
        page = client.get(f"/families/{world.family.id}").get_data(as_text=True)
        assert "Second mentor&#39;s entry 0" in page
        assert ("First mentor&#39;s entry 0" in page) is sees_first, user.role
        auth.logout()
    with app.app_context():
        readers = set(db.session.scalars(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "read diary")))
    assert readers == {successor.id, world.coordinator.id, world.social_worker.id}


def test_the_diary_pages_newest_first_in_a_constant_number_of_queries(world, auth, client, app):
    auth.login(world.coordinator)
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        make_entries(app, world.match, 5, text="Batch one")
        few = client.get(f"/families/{world.family.id}")
        make_entries(app, world.match, 45, start_days_ago=5, text="Batch two")
        many = client.get(f"/families/{world.family.id}")
    finally:
        app.config["QUERY_COUNT_HEADER"] = False
    assert int(few.headers["X-Query-Count"]) == int(many.headers["X-Query-Count"])
    pages, number = [], 1
    while True:  # other features add their own items to the chronology: walk every page
        page = client.get(f"/families/{world.family.id}?page={number}").get_data(as_text=True)
        pages.append(re.findall(r'<p class="prose">(Batch \w+ \d+)</p>', page))
        assert len(pages[-1]) <= 20
        if f'href="?page={number + 1}#diary"' not in page:
            break
        assert number == 1 or f'href="?page={number - 1}#diary"' in page
        number += 1
    expected = [f"Batch one {i}" for i in range(5)] + [f"Batch two {i}" for i in range(45)]
    assert [entry for page in pages for entry in page] == expected  # newest first, each once
    assert len(pages) >= 3


def test_the_visit_form_fits_one_round_trip(world, auth, client, app):
    for n in range(4):
        add_goal(app, world.family, world.coordinator, title=f"A goal with a fairly long title, number {n}")
    auth.login(world.mentor)
    page = client.get(f"/families/{world.family.id}/visits/new")
    headers = "".join(f"{k}: {v}\r\n" for k, v in page.headers.items()).encode()
    assert len(headers) + len(gzip.compress(page.get_data(), 9)) <= 14_000


def _stored_text(app) -> str:
    """Every value of every table, as the database hands it back (no decryption)."""
    from pwa.models.base import Base

    with app.app_context(), db.engine.connect() as conn:
        return "\n".join(repr(tuple(row)) for table in Base.metadata.sorted_tables
                         for row in conn.execute(sa.select(table)))


def _sqlite_files(app) -> bytes:
    """The SQLite file, its write-ahead log and an iterdump, as bytes."""
    import pathlib
    import sqlite3

    with app.app_context():
        path = pathlib.Path(db.engine.url.database)
    raw = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    conn = sqlite3.connect(path)
    try:
        return raw + "\n".join(conn.iterdump()).encode()
    finally:
        conn.close()


def test_canaries_typed_into_every_free_text_field_never_reach_the_database_in_the_clear(world, auth, client, app):
    canary = {name: f"CANARY-{name}-{uuid.uuid4().hex[:8]}" for name in (
        "present", "child_words", "what_done", "goal_note", "correction_reason", "correction_words", "goal_title",
        "goal_success", "close_reason", "reading_note")}
    auth.login(world.mentor)
    proposed = auth.post(f"/families/{world.family.id}/goals", {
        "title": canary["goal_title"], "success_looks_like": canary["goal_success"], "outcome_area": ""})
    goal_id = proposed.headers["Location"].rsplit("/", 1)[1]
    auth.logout()
    auth.login(world.social_worker)
    auth.post(f"/goals/{goal_id}/agree")
    auth.logout()
    auth.login(world.mentor)
    saved = log_visit(client, world.family.id, present=canary["present"], child_words=canary["child_words"],
                      what_done=canary["what_done"], **{"goals-0-goal_id": goal_id, "goals-0-mark": "same",
                                                        "goals-0-note": canary["goal_note"]})
    fields = {"csrf_token": auth.token(), "client_uuid": str(uuid.uuid4())}
    corrected = client.post(saved.headers["Location"] + "/correct", data={**fields, **visit_data(
        child_words=canary["correction_words"], correction_reason=canary["correction_reason"])})
    assert corrected.status_code == 302
    reading = {"taken_on": clock.today().isoformat(), "occasion": "start", "framework_key": "bridge-1",
               "family_0": "3", "note": canary["reading_note"]}
    assert auth.post(f"/families/{world.family.id}/readings/new", reading).status_code == 302
    auth.logout()
    auth.login(world.coordinator)
    closed = auth.post(f"/goals/{goal_id}/close", {"status": "dropped", "closed_on": clock.today().isoformat(),
                                                   "reason": canary["close_reason"]})
    assert closed.status_code == 302
    shown = "".join(client.get(p).get_data(as_text=True) for p in (
        saved.headers["Location"], corrected.headers["Location"], f"/goals/{goal_id}",
        f"/families/{world.family.id}/journey"))
    assert all(value in shown for value in canary.values())  # stored, and readable through the app

    stored = _stored_text(app)
    assert not [name for name, value in canary.items() if value in stored]
    assert "v1." in stored  # sealed values are there instead
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        raw = _sqlite_files(app)
        assert not [name for name, value in canary.items() if value.encode() in raw]
