"""The server never drops a sealed item: what it opens but cannot store is held for the coordinator.

Sealed with the real sealing helpers (tests/support/offline_sealing.py), sent to /sync/items as the phone does;
each test asserts what the phone is answered, what the coordinator sees and what was stored.
"""
import email
import email.policy
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import AuditEvent, Concern, MailKind, OutboxMessage, QuarantinedItem, Urgency, Visit
from tests.support.concern_fixtures import deliver
from tests.support.offline_sealing import concern_fields, seal, send, visit_fields

HELD = "Held for your coordinator to check — they have been told"


@pytest.fixture
def mentor(world, auth):
    auth.login(world.mentor)
    return world.mentor


def _one(app, model, **where):
    with app.app_context():
        q = sa.select(model)
        for name, value in where.items():
            q = q.where(getattr(model, name) == value)
        row = db.session.scalars(q).one()
        db.session.expunge(row)
        return row


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _states(auth, *uuids) -> dict:
    query = "&".join(f"uuid={u}" for u in uuids)
    return auth.client.get(f"/sync/states?{query}").get_json()["states"]


def _as_coordinator(auth, world):
    auth.logout()
    auth.login(world.coordinator)


def test_an_immediate_danger_concern_without_call_details_is_stored_alerted_and_marked(app, world, auth, mentor):
    item = seal(app, mentor, "concern", world.family.id,
                concern_fields(urgency="immediate", who_called="", called_at="", what_seen="CANARY-SEEN knife"))
    [answer] = send(auth, [item]).get_json()["results"]
    assert (answer["status"], answer["code"]) == ("stored", 201)
    assert answer["state"] == "Email being sent" and answer["url"].startswith("/concerns/")
    concern = _one(app, Concern, client_uuid=uuid.UUID(item["uuid"]))
    assert concern.urgency is Urgency.immediate and concern.missing_keys == ["who_called", "called_at"]
    alert = _one(app, OutboxMessage, subject_id=concern.id)
    assert alert.kind is MailKind.alert
    assert _count(app, QuarantinedItem) == 0
    _as_coordinator(auth, world)
    assert "Missing: who was called, when" in auth.client.get("/dashboard").get_data(as_text=True)


def test_a_bad_entry_is_held_and_blocks_nothing_else_in_the_batch(app, world, auth, mentor):
    future = (date.today() + timedelta(days=3)).isoformat()
    good = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="Baked bread"))
    bad = seal(app, mentor, "visit", world.family.id, visit_fields(visit_on=future, what_done="CANARY-FUTURE park"))
    concern = seal(app, mentor, "concern", world.family.id, concern_fields())
    results = send(auth, [good, bad, concern]).get_json()["results"]
    assert [r["status"] for r in results] == ["stored", "quarantined", "stored"]
    held = results[1]
    assert held == {"uuid": bad["uuid"], "status": "quarantined", "code": 202, "state": HELD, "url": None,
                    "held": True, "kind": "visit"}
    assert _states(auth, bad["uuid"])[bad["uuid"]] == {"state": HELD, "held": True, "kind": "visit"}
    row = _one(app, QuarantinedItem, client_uuid=uuid.UUID(bad["uuid"]))
    assert row.reason.name == "invalid" and row.author_id == mentor.id
    with app.app_context():  # kept encrypted: the body column holds ciphertext, not the words
        raw = db.session.execute(sa.text("SELECT body FROM quarantined_items")).scalar()
        assert "CANARY-FUTURE" not in raw
    again = send(auth, [bad]).get_json()["results"][0]  # the phone sends it again: still held, no second row
    assert again["status"] == "quarantined" and _count(app, QuarantinedItem) == 1
    assert _count(app, Visit) == 1


def test_the_coordinator_is_told_by_email_with_a_link_only(app, world, auth, mentor, mail_to):
    bad = seal(app, mentor, "visit", world.others_family.id, visit_fields(what_done="CANARY-OUT-OF-REACH"))
    send(auth, [bad])
    deliver(app)
    [received] = [m for m in mail_to.messages if world.coordinator.email in m.rcpt_tos]
    msg = email.message_from_bytes(received.raw, policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert "could not be stored" in msg["Subject"] and "http://bridge.test/quarantine/" in text
    everything = received.raw.decode("utf-8", "replace") + text
    for secret in ("CANARY-OUT-OF-REACH", world.mentor.name, "The Others family", "The Own family"):
        assert secret not in everything


def test_the_dashboard_lists_it_and_the_coordinator_opens_and_dismisses_it(app, world, auth, mentor):
    bad = seal(app, mentor, "visit", world.others_family.id, visit_fields(what_done="CANARY-WHAT-DONE swings"))
    send(auth, [bad])
    _as_coordinator(auth, world)
    dashboard = auth.client.get("/dashboard").get_data(as_text=True)
    assert "Entries from phones held for you to check (1)" in dashboard
    assert f"Visit from {world.mentor.name}" in dashboard
    row = _one(app, QuarantinedItem)
    page = auth.client.get(f"/quarantine/{row.id}").get_data(as_text=True)
    assert "Its family is no longer in the sender&#39;s reach." in page
    assert "CANARY-WHAT-DONE swings" in page and "You can no longer add entries for this family." in page
    refused = auth.post(f"/quarantine/{row.id}/dismiss", {"note": ""}, token_from=f"/quarantine/{row.id}")
    assert refused.status_code == 422 and "Say what you did about it" in refused.get_data(as_text=True)
    done = auth.post(f"/quarantine/{row.id}/dismiss", {"note": "Phoned the mentor: a duplicate"},
                     token_from=f"/quarantine/{row.id}")
    assert done.status_code == 302
    assert "Entries from phones held for you to check (0)" in auth.client.get("/dashboard").get_data(as_text=True)
    actions = {(e.action, e.actor_id) for e in _all(app, AuditEvent) if e.object_id == str(row.id)}
    assert {("read", world.coordinator.id), ("held entry dismissed", world.coordinator.id)} <= actions
    auth.logout()
    auth.login(world.mentor)
    assert _states(auth, bad["uuid"])[bad["uuid"]] == {"state": "Checked by your coordinator", "held": False,
                                                       "kind": "visit"}


def _all(app, model):
    with app.app_context():
        rows = list(db.session.scalars(sa.select(model)))
        db.session.expunge_all()
        return rows


def test_a_held_concern_turned_into_a_record_is_the_authors_and_alerted(app, world, auth, mentor):
    item = seal(app, mentor, "concern", world.others_family.id, concern_fields(what_seen="CANARY-HELD bruise"))
    assert send(auth, [item]).get_json()["results"][0]["status"] == "quarantined"
    assert _states(auth, item["uuid"])[item["uuid"]]["held"] is True
    assert _count(app, Concern) == 0
    _as_coordinator(auth, world)
    row = _one(app, QuarantinedItem)
    r = auth.post(f"/quarantine/{row.id}/record", token_from=f"/quarantine/{row.id}")
    assert r.status_code == 302 and r.headers["Location"].startswith("/concerns/")
    concern = _one(app, Concern)
    assert concern.author_id == mentor.id and concern.family_id == world.others_family.id
    assert concern.what_seen == "CANARY-HELD bruise"
    assert _one(app, OutboxMessage, subject_id=concern.id).kind is MailKind.alert  # alerted as usual
    assert _one(app, QuarantinedItem).record_id == concern.id
    assert any(e.action == "held entry recorded" for e in _all(app, AuditEvent))
    auth.logout()
    auth.login(world.mentor)
    state = _states(auth, item["uuid"])[item["uuid"]]  # the family is out of the mentor's reach: no link
    assert state == {"state": "Checked and stored by your coordinator", "held": False, "kind": "concern"}


def test_a_held_visit_that_still_fails_says_why_and_stays_held(app, world, auth, mentor):
    future = (date.today() + timedelta(days=3)).isoformat()
    item = seal(app, mentor, "visit", world.family.id, visit_fields(visit_on=future))
    send(auth, [item])
    _as_coordinator(auth, world)
    row = _one(app, QuarantinedItem)
    r = auth.post(f"/quarantine/{row.id}/record", token_from=f"/quarantine/{row.id}")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "It still cannot be stored as it is:" in page
    assert "This date is in the future." in page
    assert _one(app, QuarantinedItem).held and _count(app, Visit) == 0


def test_a_crash_while_storing_holds_the_entry_and_the_rest_are_stored(app, world, auth, mentor, monkeypatch):
    from pwa.concerns import services

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "raise_concern", broken)
    concern = seal(app, mentor, "concern", world.family.id, concern_fields())
    visit = seal(app, mentor, "visit", world.family.id, visit_fields())
    results = send(auth, [concern, visit]).get_json()["results"]
    assert [r["status"] for r in results] == ["quarantined", "stored"]
    assert _one(app, QuarantinedItem).reason.name == "error" and _count(app, Visit) == 1
    monkeypatch.undo()
    _as_coordinator(auth, world)
    row = _one(app, QuarantinedItem)
    assert "Storing it failed" in auth.client.get(f"/quarantine/{row.id}").get_data(as_text=True)
    assert auth.post(f"/quarantine/{row.id}/record", token_from=f"/quarantine/{row.id}").status_code == 302
    stored = _one(app, Concern)
    auth.logout()
    auth.login(world.mentor)
    assert _states(auth, concern["uuid"])[concern["uuid"]] == {
        "state": "Email being sent", "url": f"/concerns/{stored.id}", "held": False, "kind": "concern"}
    again = send(auth, [concern]).get_json()["results"][0]  # a resend now finds the record
    assert (again["status"], again["url"]) == ("duplicate", f"/concerns/{stored.id}")


def test_an_entry_that_cannot_be_opened_is_kept_as_it_arrived(app, world, auth, mentor):
    item = seal(app, mentor, "concern", world.family.id, concern_fields(), info_author=world.other_mentor)
    answer = send(auth, [item]).get_json()["results"][0]
    assert (answer["status"], answer["code"]) == ("invalid", 422)
    row = _one(app, QuarantinedItem)
    assert row.body is None and item["ct"].rstrip("=")[:20] in row.sealed.replace("=", "")
    again = send(auth, [item]).get_json()["results"][0]
    assert (again["status"], again["code"]) == ("invalid", 422) and _count(app, QuarantinedItem) == 1
    _as_coordinator(auth, world)
    page = auth.client.get(f"/quarantine/{row.id}").get_data(as_text=True)
    assert "It could not be opened" in page and "Turn it into a record" not in page


def test_a_reused_id_with_other_content_is_held_and_recorded_under_its_own_id(app, world, auth, mentor):
    client_uuid = uuid.uuid4()
    first = seal(app, mentor, "concern", world.family.id, concern_fields(), client_uuid=client_uuid)
    second = seal(app, mentor, "concern", world.family.id, concern_fields(what_seen="CANARY-SECOND"),
                  client_uuid=client_uuid)
    assert send(auth, [first]).get_json()["results"][0]["status"] == "stored"
    assert send(auth, [second]).get_json()["results"][0]["status"] == "quarantined"
    _as_coordinator(auth, world)
    row = _one(app, QuarantinedItem)
    assert auth.post(f"/quarantine/{row.id}/record", token_from=f"/quarantine/{row.id}").status_code == 302
    assert sorted(c.what_seen for c in _all(app, Concern)) == ["CANARY-SECOND", "No food in the house"]


def test_form_errors_name_each_field_once_without_its_hint(app):
    from pwa.concerns.forms import ConcernForm
    from pwa.offline.kinds import form_errors, short_label
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = ConcernForm(formdata=MultiDict({"client_uuid": str(uuid.uuid4()), "what_seen": ""}),
                           meta={"csrf": False})
        assert not form.validate()
        assert form_errors(form) == [{"field": "what_seen", "label": "What did you see and hear?",
                                      "message": "Write what you saw and heard."}]
        assert short_label(form.categories.label.text) == "What kind of concern is it?"


def test_visit_errors_from_the_phone_read_once(app, world, auth, mentor):
    bad = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="", duration_minutes="0"))
    send(auth, [bad])
    from pwa.quarantine.services import errors_of

    with app.app_context():
        errors = errors_of(db.session.scalar(sa.select(QuarantinedItem)))
    assert errors and all(set(e) == {"field", "label", "message"} for e in errors)
    for e in errors:
        assert e["label"] and e["label"] not in e["message"] and ": " not in e["label"]
