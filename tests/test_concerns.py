"""Raising a concern through the pages: call first, the form, idempotency, append-only, who sees what."""
from markupsafe import escape
import uuid

import pytest
import sqlalchemy as sa

from pwa.web import templating
from pwa.core.extensions import db
from pwa.models import (AuditEvent, Concern, ConcernAddendum, DebriefTask, MailKind, MailStatus, OutboxMessage,
                        Urgency)
from pwa.models.concern import AppendOnlyViolation
from tests.support.concern_world import CANARY_SEEN, CANARY_WORDS, add_to_concern, concern_form_data, raise_concern
from tests.support.concern_fixtures import deliver


def _new(c) -> str:
    return f"/families/{c.family.id}/concerns/new"


def _post_concern(auth, c, **overrides):
    data = concern_form_data(**overrides)
    return auth.post(_new(c), data, token_from=_new(c) + "?urgency=urgent"), data


def _rows(app, model):
    with app.app_context():
        rows = list(db.session.scalars(sa.select(model)))
        db.session.expunge_all()
        db.session.remove()
        return rows


def test_immediate_danger_says_call_first_with_tap_to_call_links(canaries, auth):
    c = canaries
    auth.login(c.mentor)
    first = auth.client.get(_new(c)).get_data(as_text=True)
    assert "How urgent is it?" in first and 'href="tel:999"' in first  # 999 is one tap away from the start
    call = auth.client.get(_new(c) + "?urgency=immediate").get_data(as_text=True)
    assert "Call first" in call and 'href="tel:999"' in call and 'href="tel:01632960000"' in call
    assert "What did you see and hear?" not in call  # no form before the call
    form = auth.client.get(_new(c) + "?urgency=immediate&called=yes").get_data(as_text=True)
    assert "Who did you call?" in form and "What time did you call?" in form and 'href="tel:999"' in form


def test_raising_a_concern_stores_it_with_its_alert_and_debrief_in_one_go(app, canaries, auth):
    c = canaries
    auth.login(c.mentor)
    r, data = _post_concern(auth, c, urgency="immediate")
    assert r.status_code == 302 and r.headers["Location"].startswith("/concerns/")
    [concern] = _rows(app, Concern)
    assert concern.urgency is Urgency.immediate and concern.who_called == "999 police"
    assert templating.hhmm(concern.called_at) == "14:05"
    assert concern.next_escalation_at is not None and not concern.acknowledged
    [alert] = _rows(app, OutboxMessage)
    assert (alert.kind, alert.recipient_rule, alert.subject_id) == (MailKind.alert, "concern-alert", concern.id)
    assert alert.status is MailStatus.pending and alert.to_address is None  # addressed when sent
    [task] = _rows(app, DebriefTask)
    assert task.concern_id == concern.id and task.mentor_id == c.mentor.id and task.done_at is None
    assert any(e.action == "concern raised" and e.object_id == str(concern.id) for e in _rows(app, AuditEvent))
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert concern.reference in page and "Saved " in page and "Not yet acknowledged" in page
    assert "What you raised" in page and CANARY_SEEN in page and "Quillfeather" in page  # the mentor re-reads it
    assert "You were right to raise this" in page and "Your coordinator will check in with you" in page


def test_concern_and_alert_commit_together_or_not_at_all(app, canaries, auth, monkeypatch):
    from pwa.concerns import alerts

    def broken(item):
        raise RuntimeError("mail queue unavailable")

    monkeypatch.setattr(alerts, "queue_alert", broken)
    auth.login(canaries.mentor)
    with pytest.raises(RuntimeError):
        _post_concern(auth, canaries)
    assert _rows(app, Concern) == [] and _rows(app, OutboxMessage) == [] and _rows(app, DebriefTask) == []


def test_immediate_danger_without_the_call_is_stored_alerted_and_marked(app, canaries, auth):
    """Safety before tidiness: no call details is no reason to refuse; the debrief asks for them."""
    c = canaries
    auth.login(c.mentor)
    r, _ = _post_concern(auth, c, urgency="immediate", who_called="", called_at="")
    assert r.status_code == 302
    [concern] = _rows(app, Concern)
    assert concern.urgency is Urgency.immediate and concern.missing_keys == ["who_called", "called_at"]
    [alert] = _rows(app, OutboxMessage)
    assert alert.subject_id == concern.id and alert.kind is MailKind.alert  # alerted at once, like any concern
    mentor_page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "You did not say who was called, when: add it below when you can" in mentor_page
    auth.logout()
    auth.login(c.coordinator)
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    assert f"{concern.reference}</a>" in dashboard and "Missing: who was called, when" in dashboard
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Raised without: who was called, when. The debrief should ask for it." in page
    assert "Ask for what was missing: who was called, when." in page


@pytest.mark.parametrize("categories", [[], ["gossip"]])
def test_no_category_or_an_unknown_one_is_stored_and_marked(app, canaries, auth, categories):
    auth.login(canaries.mentor)
    r, _ = _post_concern(auth, canaries, categories=categories)
    assert r.status_code == 302
    [concern] = _rows(app, Concern)
    assert concern.missing_keys == ["categories"]
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "You did not say what kind of concern it is" in page


def test_only_a_concern_with_nothing_written_is_refused_keeping_what_was_chosen(app, canaries, auth):
    auth.login(canaries.mentor)
    r, _ = _post_concern(auth, canaries, what_seen="   ", child_words="CANARY-KEPT he said it again")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Write what you saw and heard." in page
    assert "CANARY-KEPT he said it again" in page  # nothing typed is lost
    assert _rows(app, Concern) == []


def test_a_long_text_is_kept_whole_rather_than_refused(app, canaries, auth):
    auth.login(canaries.mentor)
    r, _ = _post_concern(auth, canaries, who_called="the duty line " * 30)
    assert r.status_code == 302
    [concern] = _rows(app, Concern)
    assert concern.who_called == ("the duty line " * 30).strip()


def test_continue_with_no_urgency_chosen_says_what_to_do(app, canaries, auth):
    auth.login(canaries.mentor)
    page = auth.client.get(_new(canaries) + "?step=urgency").get_data(as_text=True)
    assert "Choose how urgent it is, then press Continue." in page and 'role="alert"' in page
    first = auth.client.get(_new(canaries)).get_data(as_text=True)
    assert "Choose how urgent it is" not in first  # no error before they have tried


def test_several_categories_may_apply(app, canaries, auth):
    auth.login(canaries.mentor)
    _post_concern(auth, canaries, categories=["domestic_abuse", "substance_misuse", "parental_mental_health"])
    [concern] = _rows(app, Concern)
    with app.app_context():
        names = [m.name for m in db.session.get(Concern, concern.id).categories]
    assert names == ["domestic_abuse", "substance_misuse", "parental_mental_health"]


def test_a_replay_with_the_same_uuid_returns_the_first_concern(app, canaries, auth):
    auth.login(canaries.mentor)
    first, data = _post_concern(auth, canaries)
    again = auth.post(_new(canaries), data, token_from=_new(canaries) + "?urgency=urgent")
    assert again.headers["Location"] == first.headers["Location"]
    as_json = auth.post(_new(canaries), data, token_from=_new(canaries) + "?urgency=urgent",
                        headers={"Accept": "application/json"})
    assert as_json.status_code == 200 and as_json.json["created"] is False
    assert first.headers["Location"].endswith(as_json.json["id"])
    assert len(_rows(app, Concern)) == 1 and len(_rows(app, OutboxMessage)) == 1 and len(_rows(app, DebriefTask)) == 1


def test_the_same_uuid_with_a_different_body_is_refused(app, canaries, auth):
    auth.login(canaries.mentor)
    _, data = _post_concern(auth, canaries)
    changed = dict(data, what_seen="something else entirely")
    r = auth.post(_new(canaries), changed, token_from=_new(canaries) + "?urgency=urgent",
                  headers={"Accept": "application/json"})
    assert r.status_code == 422 and "different content" in r.json["form_errors"][0]
    html = auth.post(_new(canaries), changed, token_from=_new(canaries) + "?urgency=urgent")
    assert html.status_code == 422 and "already sent with different content" in html.get_data(as_text=True)
    [concern] = _rows(app, Concern)
    assert concern.what_seen == CANARY_SEEN


def test_json_submission_answers_201_with_the_concern(app, canaries, auth):
    auth.login(canaries.mentor)
    data = concern_form_data()
    r = auth.post(_new(canaries), data, token_from=_new(canaries) + "?urgency=urgent",
                  headers={"Accept": "application/json"})
    assert r.status_code == 201 and r.json["created"] is True and r.json["reference"].startswith("SC-")
    bad = auth.post(_new(canaries), dict(concern_form_data(), what_seen=""), headers={"Accept": "application/json"},
                    token_from=_new(canaries) + "?urgency=urgent")
    assert bad.status_code == 422 and "what_seen" in bad.json["errors"]


def test_a_submitted_concern_cannot_be_changed_or_deleted(app, canaries):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    with app.app_context():
        row = db.session.get(Concern, concern.id)
        row.what_seen = "rewritten"
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        row = db.session.get(Concern, concern.id)
        row.urgency = Urgency.worried
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyViolation):
            db.session.delete(db.session.get(Concern, concern.id))
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Concern, concern.id).what_seen == CANARY_SEEN
        db.session.remove()


def test_there_is_no_way_to_edit_or_delete_a_concern_over_http(app, canaries, auth):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    auth.login(canaries.mentor)
    for method in ("put", "patch", "delete"):
        assert getattr(auth.client, method)(f"/concerns/{concern.id}").status_code == 405


def test_key_rotation_may_re_encrypt_a_concern(app, canaries, runner):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    from pwa.crypto import rotation

    with app.app_context():
        assert rotation.reencrypt_all() > 0
        assert db.session.get(Concern, concern.id).what_seen == CANARY_SEEN
        db.session.remove()


def test_staff_read_the_concern_and_acknowledge_it(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    auth.login(c.social_worker)
    page = auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert CANARY_SEEN in page and str(escape(CANARY_WORDS)) in page and "Neglect" in page
    assert "I have read this and I am taking it from here" in page
    assert any(e.action == "read" and e.object_id == str(concern.id) and e.actor_id == c.social_worker.id
               for e in _rows(app, AuditEvent))  # opening it is audited
    r = auth.post(f"/concerns/{concern.id}/acknowledge", token_from=f"/concerns/{concern.id}")
    assert r.status_code == 302
    [row] = _rows(app, Concern)
    assert row.acknowledged_at and row.acknowledged_by_id == c.social_worker.id and row.next_escalation_at is None
    auth.post(f"/concerns/{concern.id}/action", {"note": "Strategy discussion held"}, token_from=f"/concerns/{concern.id}")
    auth.logout()
    auth.login(c.mentor)
    mentor_page = auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert f"Acknowledged by the social worker at {templating.hhmm(row.acknowledged_at)}" in mentor_page
    assert "Strategy discussion held" in mentor_page
    assert "Perpetua" not in mentor_page  # the mentor re-reads their own words, but no staff names


def test_mentor_sees_when_the_mail_server_accepted_the_alert(app, canaries, auth, mail_to):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    deliver(app)
    mail_to.wait_for(1)
    [alert] = _rows(app, OutboxMessage)
    auth.login(canaries.mentor)
    page = auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert f"Email accepted by the mail server at {templating.hhmm(alert.sent_at)}" in page


def test_addenda_are_appended_and_alerted_like_the_concern(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    auth.login(c.mentor)
    path = f"/concerns/{concern.id}"
    data = {"client_uuid": str(uuid.uuid4()), "facts": "CANARY-LATER he has not been at school", "child_words": ""}
    assert auth.post(path + "/addenda", data, token_from=path).status_code == 302
    assert auth.post(path + "/addenda", data, token_from=path).status_code == 302  # a replay adds nothing
    [addendum] = _rows(app, ConcernAddendum)
    alerts = [m for m in _rows(app, OutboxMessage) if m.subject_id == addendum.id]
    assert [m.recipient_rule for m in alerts] == ["concern-alert"]
    assert "Update to safeguarding concern" in alerts[0].subject
    assert "CANARY-LATER" in auth.client.get(path).get_data(as_text=True)  # the mentor re-reads their addition
    auth.logout()
    auth.login(c.social_worker)
    page = auth.client.get(path).get_data(as_text=True)
    assert "CANARY-LATER he has not been at school" in page
    auth.post(path + "/acknowledge", {"addenda": str(addendum.id)}, token_from=path)
    [addendum] = _rows(app, ConcernAddendum)
    assert addendum.acknowledged and addendum.next_escalation_at is None


def test_acknowledging_covers_only_the_addenda_that_were_read(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    auth.login(c.social_worker)
    path = f"/concerns/{concern.id}"
    token_page = path  # the page is read before the addendum arrives
    token = auth.token(token_page)
    late = add_to_concern(app, c.mentor, concern)
    auth.post(path + "/acknowledge", {"addenda": "", "csrf_token": token})
    with app.app_context():
        assert db.session.get(Concern, concern.id).acknowledged
        assert not db.session.get(ConcernAddendum, late).acknowledged  # never seen, so still escalating
        db.session.remove()


def test_coordinator_sees_open_concerns_debriefs_and_marks_a_debrief_done(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    auth.login(c.coordinator)
    listing = auth.client.get("/concerns/").get_data(as_text=True)
    assert concern.reference in listing and "Not yet acknowledged (1)" in listing and "deadline 1 hour" in listing
    assert "Debriefs to do (1)" in listing and "Hildegard Mentorcanary" in listing
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    assert "Concerns not yet acknowledged (1)" in dashboard and "Debriefs to do after a concern (1)" in dashboard
    r = auth.post(f"/concerns/debriefs/{concern.debrief.id}", {"note": "Talked it through on the phone"},
                  token_from=f"/concerns/{concern.id}")
    assert r.status_code == 302
    [task] = _rows(app, DebriefTask)
    assert task.done_at and task.note == "Talked it through on the phone" and task.done_by_id == c.coordinator.id
    assert "Debriefs to do (0)" in auth.client.get("/concerns/").get_data(as_text=True)


def test_the_concerns_list_shows_the_oldest_ten_debriefs_and_links_to_all(app, canaries, auth):
    """A backlog of debriefs does not swell the page: the oldest ten, then a link to every one."""
    for _ in range(12):
        raise_concern(app, canaries.mentor, canaries.family)
    auth.login(canaries.coordinator)
    listing = auth.client.get("/concerns/").get_data(as_text=True)
    section = listing.split('id="debrief-h"', 1)[1].split("</section>", 1)[0]
    assert "Debriefs to do (12)" in section and section.count('class="card"') == 10
    assert "Showing the oldest 10 of 12." in section and "See all 12" in section
    everything = auth.client.get("/dashboard/debriefs").get_data(as_text=True)
    assert everything.count("#debrief") >= 12


def test_a_debrief_needs_a_note(app, canaries, auth):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    auth.login(canaries.coordinator)
    auth.post(f"/concerns/debriefs/{concern.debrief.id}", {"note": ""}, token_from=f"/concerns/{concern.id}")
    [task] = _rows(app, DebriefTask)
    assert task.done_at is None


def test_a_reassigned_family_moves_the_concern_to_the_new_social_worker(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    with app.app_context():
        from pwa.families import services
        from pwa.models import Family, User

        services.reassign(db.session.get(User, c.coordinator.id), db.session.get(Family, c.family.id),
                          db.session.get(User, c.new_social_worker.id))
        db.session.commit()
        db.session.remove()
    auth.login(c.social_worker)
    assert auth.client.get(f"/concerns/{concern.id}").status_code == 404
    auth.logout()
    auth.login(c.new_social_worker)
    assert CANARY_SEEN in auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)


def test_far_coordinator_cannot_see_the_concern(app, canaries, auth):
    concern = raise_concern(app, canaries.mentor, canaries.family)
    auth.login(canaries.far_coordinator)
    assert auth.client.get(f"/concerns/{concern.id}").status_code == 404
    assert concern.reference not in auth.client.get("/concerns/").get_data(as_text=True)


def test_concerns_and_addenda_appear_in_the_family_chronology(app, canaries, auth):
    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    add_to_concern(app, c.mentor, concern, facts="CANARY-ADDENDUM more bruises")
    auth.login(c.social_worker)
    page = auth.client.get(f"/families/{c.family.id}/chronology").get_data(as_text=True)
    assert f"Safeguarding concern {concern.reference} (urgent)" in page
    assert f"Addition to concern {concern.reference}" in page and "CANARY-ADDENDUM more bruises" in page
    assert page.index(f"Addition to concern {concern.reference}") < page.index(f"Safeguarding concern {concern.reference}")
    auth.logout()
    auth.login(c.mentor)
    family_page = auth.client.get(f"/families/{c.family.id}").get_data(as_text=True)
    assert f"Safeguarding concern {concern.reference}" in family_page  # beside the mentor's visits
    assert "CANARY-ADDENDUM" not in family_page and CANARY_SEEN not in family_page


def test_chronology_date_filter_includes_a_concern_by_its_day(app, canaries, auth):
    from pwa.core import clock

    concern = raise_concern(app, canaries.mentor, canaries.family)
    today = templating.local(clock.now()).date()
    auth.login(canaries.coordinator)
    path = f"/families/{canaries.family.id}/chronology"
    assert concern.reference in auth.client.get(f"{path}?since={today}&until={today}").get_data(as_text=True)
    from datetime import timedelta

    yesterday = today - timedelta(days=1)
    assert concern.reference not in auth.client.get(f"{path}?until={yesterday}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "social_worker", "mentor"])
def test_the_concern_list_runs_the_same_queries_however_many_concerns(app, canaries, auth, role):
    c = canaries
    user = getattr(c, role)

    def count_queries() -> int:
        auth.client.get("/concerns/")  # the session settles
        return int(auth.client.get("/concerns/").headers["X-Query-Count"])

    auth.login(user)
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        for _ in range(2):
            concern = raise_concern(app, c.mentor, c.family)
        add_to_concern(app, c.mentor, concern)
        _acknowledge_all(app, c.social_worker)  # every kind of row present at both sizes
        few = count_queries()
        for _ in range(4):
            concern = raise_concern(app, c.mentor, c.family)
            add_to_concern(app, c.mentor, concern)
        for who in (c.coordinator, c.other_coordinator):  # more people to name: still one query for them
            _acknowledge_all(app, who)
        assert count_queries() == few
    finally:
        app.config["QUERY_COUNT_HEADER"] = False


def _acknowledge_all(app, user):
    from pwa.concerns import services
    from pwa.models import User

    with app.app_context():
        waiting = sa.select(Concern).where(Concern.acknowledged_at.is_(None)).order_by(Concern.created_at).limit(2)
        for concern in db.session.scalars(waiting).all():
            services.acknowledge(db.session.get(User, user.id), concern, [a.id for a in concern.addenda])
        db.session.commit()
        db.session.remove()
