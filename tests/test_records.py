"""The family record as a social worker, coordinator and mentor use it: plan details, people around the
family, children corrected and removed, unborn and newborn children, consent's scope and its withdrawal."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Child, ChildChange, Family, FamilyPerson, OutboxMessage, PlanDetails, Visit
from tests.conftest import csrf_from
from tests.support.diary_helpers import log_visit
from tests.support.offline_sealing import seal, send, visit_fields


def _page(auth, family) -> str:
    return auth.client.get(f"/families/{family.id}").get_data(as_text=True)


def _post(auth, family, path, data):
    token = csrf_from(_page(auth, family))
    return auth.client.post(f"/families/{family.id}{path}", data={"csrf_token": token, **data})


def _prefixed(auth, family, path, prefix, data):
    return _post(auth, family, path, {f"{prefix}-{k}": v for k, v in data.items()} |
                 {f"{prefix}-csrf_token": csrf_from(_page(auth, family))})


def _child(app, family, name="Amy") -> Child:
    with app.app_context():
        return db.session.scalar(sa.select(Child).where(Child.family_id == family.id))


def test_plan_details_are_recorded_and_the_mentor_sees_the_risks_before_a_visit(world, auth, app):
    auth.login(world.social_worker)
    answer = _post(auth, world.family, "/plan", {
        "plan_started_on": "2026-09-14", "cp_category": "neglect", "council_reference": "LCS-88231",
        "next_conference_on": "2027-01-12", "next_core_group_on": "2026-12-08",
        "risks": "Father's partner has a history of violence", "lone_working": "Visit in daylight only"})
    assert answer.status_code == 302
    page = _page(auth, world.family)
    for text in ("Neglect", "LCS-88231", "14 Sep 2026", "12 Jan 2027", "8 Dec 2026", "Visit in daylight only"):
        assert text in page
    auth.logout()
    auth.login(world.mentor)
    mentor_page = _page(auth, world.family)
    before = mentor_page.index("Before you visit")
    assert mentor_page.index("history of violence") > before and before < mentor_page.index("Diary")
    with app.app_context():
        stored = db.session.execute(sa.text("SELECT risks, council_reference FROM plan_details")).one()
        assert "violence" not in stored[0] and "LCS" not in stored[1]
        assert db.session.scalar(sa.select(PlanDetails.updated_by_id)) == world.social_worker.id


def test_a_date_typed_as_text_is_refused_with_what_to_type(world, auth):
    auth.login(world.social_worker)
    answer = _post(auth, world.family, "/plan", {"plan_started_on": "last Tuesday", "cp_category": ""})
    assert answer.status_code == 422
    assert "Enter a real date, for example 2019-03-12." in answer.get_data(as_text=True)


def test_parents_carers_and_professionals_are_added_and_removed(world, auth, app):
    auth.login(world.coordinator)
    _prefixed(auth, world.family, "/people", "parent", {"kind": "parent_carer", "name": "Kelly", "role": "Mother"})
    _prefixed(auth, world.family, "/people", "pro", {"kind": "professional", "name": "Dr Osei",
                                                      "role": "Health visitor", "agency": "NHS Trust",
                                                      "contact": "07700 900123"})
    page = _page(auth, world.family)
    parents, pros = page.index("Parents and carers"), page.index("Key professionals")
    assert parents < page.index("Kelly") < pros < page.index("Dr Osei") and "07700 900123" in page
    with app.app_context():
        person = db.session.scalar(sa.select(FamilyPerson).where(FamilyPerson.kind == "professional"))
    assert _post(auth, world.family, f"/people/{person.id}/remove", {}).status_code == 302
    assert "Dr Osei" not in _page(auth, world.family)
    missing = _prefixed(auth, world.family, "/people", "parent", {"kind": "parent_carer", "name": ""})
    assert missing.status_code == 422 and "Enter a name." in missing.get_data(as_text=True)


def test_a_child_is_corrected_with_a_reason_and_removed_with_a_reason(world, auth, app):
    auth.login(world.social_worker)
    child = _child(app, world.family)
    prefix = f"c{child.id.hex[:8]}"
    no_reason = _prefixed(auth, world.family, f"/children/{child.id}", prefix,
                          {"first_name": "Amie", "date_of_birth": "2017-03-04"})
    assert no_reason.status_code == 422 and "Say why the record is being corrected." in no_reason.get_data(True)
    fixed = _prefixed(auth, world.family, f"/children/{child.id}", prefix,
                      {"first_name": "Amie", "date_of_birth": "2017-04-03", "reason": "Spelling and day/month"})
    assert fixed.status_code == 302
    assert "Amie" in _page(auth, world.family) and "3 Apr 2017" in _page(auth, world.family)
    gone = _prefixed(auth, world.family, f"/children/{child.id}/remove", f"r{child.id.hex[:8]}",
                     {"reason": "Added to the wrong family"})
    assert gone.status_code == 302 and "No children recorded." in _page(auth, world.family)
    with app.app_context():
        changes = db.session.scalars(sa.select(ChildChange).order_by(ChildChange.changed_at)).all()
        assert [(c.kind.name, c.reason) for c in changes] == [("corrected", "Spelling and day/month"),
                                                              ("removed", "Added to the wrong family")]
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        assert {"child corrected", "child removed"} <= actions


def test_a_uk_date_typed_into_a_name_is_refused_not_stored(world, auth, app):
    auth.login(world.social_worker)
    token = csrf_from(auth.client.get("/families/refer").get_data(as_text=True))
    answer = auth.client.post("/families/refer", data={
        "csrf_token": token, "display_name": "The Zed family", "plan_type": "cp", "referral_reason": "Neglect",
        "involvement_plan": "Routines", "children": "Zara 12/03/2019"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "has numbers in the name" in text and "Zara 12/03/2019" in text
    added = _post(auth, world.family, "/children", {"first_name": "Zara 12/03/2019"})
    assert added.status_code == 422 and "A name cannot contain numbers" in added.get_data(True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Family)) == 3


def test_newborn_weeks_months_and_unborn_children_read_as_people_say_them(world, auth, app):
    today = clock.today()
    auth.login(world.social_worker)
    for name, born in (("Hazel", today - timedelta(days=2)), ("Ivy", today - timedelta(days=23)),
                       ("Jack", today - timedelta(days=160))):
        _post(auth, world.family, "/children", {"first_name": name, "date_of_birth": born.isoformat()})
    due = today + timedelta(days=40)
    _post(auth, world.family, "/children", {"first_name": "Baby", "expected_on": due.isoformat()})
    page = _page(auth, world.family)
    assert "Hazel</strong>, newborn" in page and "Ivy</strong>, 3 weeks" in page and "Jack</strong>, 5 months" in page
    assert f"Baby</strong>, unborn, due {due.day} {due:%b %Y}" in page and "Hazel</strong>, 0" not in page


def test_consent_scope_is_recorded(world, auth, make_family):
    family = make_family(world.social_worker, consent=False, name="The Scope family")
    auth.login(world.social_worker)
    _post(auth, family, "/consent", {"given_on": clock.today().isoformat(), "method": "written",
                                     "scope": "Weekly home visits; diary shared with the social worker"})
    assert "Weekly home visits; diary shared" in _page(auth, family)


def _withdraw(auth, world):
    auth.login(world.social_worker)
    answer = _post(auth, world.family, "/consent/withdraw", {
        "withdrawn_on": clock.today().isoformat(), "method": "phone", "note": "Mum rang: they want a break"})
    auth.logout()
    return answer


def test_withdrawn_consent_refuses_the_next_visit_and_tells_the_team_by_reference(world, auth, app):
    auth.login(world.mentor)
    assert log_visit(auth.client, world.family.id).status_code == 302
    auth.logout()
    assert _withdraw(auth, world).status_code == 302
    auth.login(world.mentor)
    refused = log_visit(auth.client, world.family.id, what_done="Tried to visit")
    assert refused.status_code == 422 and "withdrawn its consent" in refused.get_data(as_text=True)
    assert "Consent withdrawn" in _page(auth, world.family)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 1
        mail = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.subject.like("Consent%"))).all()
        assert {m.to_address for m in mail} == {world.social_worker.email, world.coordinator.email}
        for m in mail:
            assert world.family.reference in m.body_text and "break" not in m.body_text
            assert "Own family" not in m.body_text + m.subject
        family = db.session.get(Family, world.family.id)
        assert family.consent_withdrawn_by_id == world.social_worker.id and family.consent_withdrawn_at


def test_withdrawn_consent_refuses_a_visit_sent_from_the_phones_outbox(world, auth, app):
    _withdraw(auth, world)
    auth.login(world.mentor)
    item = seal(app, world.mentor, "visit", world.family.id, visit_fields(what_done="Saved while offline"))
    answer = send(auth, [item]).get_json()["results"][0]
    assert answer["status"] == "quarantined"  # never dropped: held for the coordinator, with the reason
    with app.app_context():
        from pwa.models import QuarantinedItem
        from pwa.quarantine.services import errors_of

        [held] = db.session.scalars(sa.select(QuarantinedItem)).all()
        assert "withdrawn its consent" in str(errors_of(held))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0
    assert date


def test_the_reading_scale_reads_in_order_and_a_first_reading_is_the_start(world, auth, app):
    auth.login(world.mentor)
    page = auth.client.get(f"/families/{world.family.id}/readings/new").get_data(as_text=True)
    scores = [int(n) for n in re.findall(r"<li><strong>(\d+)</strong>", page)]
    assert len(scores) >= 3 and scores == sorted(scores) and scores[0] == 1 and scores[-1] == 10
    checked = re.search(r'<input[^>]*checked[^>]*name="occasion"[^>]*value="(\w+)"|'
                        r'<input[^>]*name="occasion"[^>]*value="(\w+)"[^>]*checked', page)
    assert checked and "start" in checked.groups()
