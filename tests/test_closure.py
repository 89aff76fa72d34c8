"""Closing a family's case as a coordinator does it: the match ends first, the family leaves the working lists,
its record is read-only with a clear message, a safeguarding concern is still taken and alerted, an offline
entry is held for the coordinator, the chronology places the closure and the reopening at their dates."""
import html
import re
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Concern, FamilyClosure, MailKind, OutboxMessage, QuarantinedItem, Visit
from tests.conftest import csrf_from
from tests.support.concern_world import concern_form_data
from tests.support.offline_sealing import concern_fields, seal, send, visit_fields


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _close(auth, family, **data):
    page = auth.client.get(f"/families/{family.id}/close")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "closed_on": clock.today().isoformat(),
            "reason": "plan_completed", "note": "Goals met; the school nurse keeps in touch."} | data
    return auth.client.post(f"/families/{family.id}/close", data=form)


def _end_match(auth, match):
    page = auth.client.get(f"/matches/{match.id}").get_data(as_text=True)
    token = re.search(r'action="/matches/[^"]+/end"[^>]*>\s*<input id="csrf_token" name="csrf_token" type="hidden" '
                      r'value="([^"]+)"', page) or re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return auth.client.post(f"/matches/{match.id}/end", data={
        "csrf_token": token.group(1), "ended_on": clock.today().isoformat(), "reason": "plan_completed",
        "summary": "Worked well together."})


def _names(auth, query="") -> str:
    return _text(auth.client.get(f"/families/{query}"))


def _referred_weeks_ago(app, family, weeks=8):
    from pwa.models import Family

    with app.app_context():
        db.session.execute(sa.update(Family).where(Family.id == family.id)
                           .values(referred_at=clock.now() - timedelta(weeks=weeks)))
        db.session.commit()


def test_a_closed_family_leaves_the_lists_refuses_changes_takes_a_concern_and_reopens(world, auth, app):
    _referred_weeks_ago(app, world.family)
    auth.login(world.coordinator)
    refused = _close(auth, world.family)
    assert refused.status_code == 422
    assert "is still active." in _text(refused) and "End it first" in _text(refused)
    assert "Go to the match to end it" in _text(auth.client.get(f"/families/{world.family.id}/close"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FamilyClosure)) == 0
    assert _end_match(auth, world.match).status_code == 302
    closed = _close(auth, world.family, closed_on=(clock.today() - timedelta(days=2)).isoformat())
    assert closed.status_code == 302
    page = _text(auth.client.get(f"/families/{world.family.id}"))
    assert "This case is closed" in page and "support completed" in page and "Match a mentor" not in page
    assert "Add a child" not in page and "Reopen the case" in page

    # off the working lists (the family list, the caseload), found with the closed filter
    assert "The Own family" not in _names(auth) and "The Others family" in _names(auth)
    assert "The Own family" in _names(auth, "?closed=1") and "The Others family" not in _names(auth, "?closed=1")
    auth.logout()
    auth.login(world.social_worker)
    assert "The Own family" not in _text(auth.client.get("/caseload"))

    # read-only, with a message saying why; a concern is still taken and alerted
    goal = auth.post(f"/families/{world.family.id}/goals", {"title": "Tidy room", "success_looks_like": "Tidy"})
    assert goal.status_code == 409
    assert "was closed on" in _text(goal) and "read-only" in _text(goal) and "concern can still be raised" in _text(goal)
    new = f"/families/{world.family.id}/concerns/new"
    assert auth.client.get(new + "?urgency=urgent").status_code == 200
    assert auth.post(new, concern_form_data(), token_from=new + "?urgency=urgent").status_code == 302
    with app.app_context():
        concern = db.session.scalar(sa.select(Concern).where(Concern.family_id == world.family.id))
        assert db.session.scalar(sa.select(OutboxMessage.kind).where(OutboxMessage.subject_id == concern.id)) \
            is MailKind.alert
        notice = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.subject_id == world.family.id))
        assert notice.subject == f"Case closed: family {world.family.reference}"
        assert "The Own family" not in notice.body_text and "school nurse" not in notice.body_text

    # the chronology: closed on the day involvement ended
    chronology = _text(auth.client.get(f"/families/{world.family.id}/chronology"))
    ended = chronology.index(f'id="day-{(clock.today() - timedelta(days=2)).isoformat()}"')
    assert "Case closed" in chronology[ended:chronology.index("</section>", ended)]
    auth.logout()

    # reopened with a reason: back on the list, open to changes, in the chronology too
    auth.login(world.coordinator)
    family_page = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    token = re.search(r'id="reopen-csrf_token" name="reopen-csrf_token" type="hidden" value="([^"]+)"', family_page)
    empty = auth.client.post(f"/families/{world.family.id}/reopen", data={"reopen-csrf_token": token.group(1)})
    assert empty.status_code == 422 and "Say why." in _text(empty)
    reopened = auth.client.post(f"/families/{world.family.id}/reopen", data={
        "reopen-csrf_token": token.group(1), "reopen-reason": "New referral from the school"})
    assert reopened.status_code == 302
    assert "The Own family" in _names(auth)
    chronology = _text(auth.client.get(f"/families/{world.family.id}/chronology"))
    assert "Case reopened" in chronology and "New referral from the school" in chronology
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"case closed", "case reopened", "refused add_goal (closed)"} <= actions
        assert db.session.scalar(sa.select(FamilyClosure.reopened_by_id)) == world.coordinator.id


def test_an_offline_entry_for_a_closed_family_is_held_and_a_held_visit_cannot_become_a_record(world, auth, app):
    auth.login(world.coordinator)
    _end_match(auth, world.match)
    _close(auth, world.family)
    auth.logout()
    auth.login(world.mentor)
    items = [seal(app, world.mentor, "visit", world.family.id, visit_fields()),
             seal(app, world.mentor, "concern", world.family.id, concern_fields(what_seen="CANARY bruise"))]
    answers = send(auth, items).get_json()["results"]
    assert [a["status"] for a in answers] == ["quarantined", "quarantined"]
    auth.logout()
    auth.login(world.coordinator)
    with app.app_context():
        held = {i.kind: i.id for i in db.session.scalars(sa.select(QuarantinedItem)).unique()}
    assert set(held) == {"visit", "concern"}, held
    visit = auth.post(f"/quarantine/{held['visit']}/record", token_from=f"/quarantine/{held['visit']}")
    assert visit.status_code == 422 and "The family's case is closed: no new visits can be recorded." in _text(visit)
    concern = auth.post(f"/quarantine/{held['concern']}/record", token_from=f"/quarantine/{held['concern']}")
    assert concern.status_code == 302  # a concern about a closed family is never lost: stored and alerted
    with app.app_context():
        stored = db.session.scalar(sa.select(Concern).where(Concern.family_id == world.family.id))
        assert stored.what_seen == "CANARY bruise"
        assert db.session.scalar(sa.select(OutboxMessage.kind).where(OutboxMessage.subject_id == stored.id)) \
            is MailKind.alert
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit).where(
            Visit.family_id == world.family.id)) == 0


def test_only_the_programmes_coordinator_closes_and_a_closure_needs_its_note(world, auth):
    auth.login(world.coordinator)
    _end_match(auth, world.match)
    answer = _close(auth, world.family, note="")
    assert answer.status_code == 422 and "Write a short note on the closure." in _text(answer)
    future = _close(auth, world.family, closed_on=(clock.today() + timedelta(days=3)).isoformat())
    assert future.status_code == 422 and "This date is in the future." in _text(future)
    auth.logout()
    auth.login(world.social_worker)
    assert auth.client.get(f"/families/{world.family.id}/close").status_code == 403
