"""The retention schedule as a coordinator and an operator meet it: the dry run lists what will go and when,
`retention run` (and the worker's job) deletes exactly that — rows, encrypted fields, search tokens, emails,
held entries — a legal hold keeps a family whole, each deletion leaves a content-free audit row, and the
audit chain still verifies."""
import uuid
from datetime import date

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import (
    AuditEvent, Child, ClosureReason, Concern, EndingReason, Family, FamilySearchToken, Goal,
    GoalStatus, Match, OutboxMessage, RetentionDeletion, User, Visit,
)
from tests.conftest import csrf_from
from tests.support.concern_world import concern_form_data
from tests.support.diary_helpers import make_entries

SEVEN_YEARS = 7 * 365.25 * 86400


def _case(app, make_family, make_match, world, name, born, *, hold=False):
    """A family with a visit, a goal, a concern (with its alert), then its match ended and its case closed."""
    from pwa.closure import services as closure
    from pwa.concerns import services as concerns
    from pwa.concerns.forms import ConcernForm
    from pwa.matches import services as matches
    from werkzeug.datastructures import MultiDict

    family = make_family(world.social_worker, name=name, children=(("Sam", born),))
    match = make_match(family, world.mentor, world.coordinator)
    make_entries(app, match, 2, text="CANARY-VISIT")
    with app.app_context():
        co, fam = db.session.get(User, world.coordinator.id), db.session.get(Family, family.id)
        db.session.add(Goal(family_id=fam.id, title="CANARY-GOAL", success_looks_like="On time",
                            status=GoalStatus.proposed, proposed_by_id=co.id))
        form = ConcernForm(formdata=MultiDict(concern_form_data()), meta={"csrf": False})
        assert form.validate()
        concerns.raise_concern(co, fam, form.concern_data(), uuid.uuid4())
        matches.end_match(co, db.session.get(Match, match.id), ended_on=clock.today(),
                          reason=EndingReason.plan_completed, summary="Done")
        closure.close_case(co, fam, closed_on=clock.today(), reason=ClosureReason.plan_completed, note="CANARY-NOTE")
        if hold:
            closure.set_hold(co, fam, "Court case pending")
        db.session.commit()
    return family


def _count(app, model, **where) -> int:
    with app.app_context():
        q = sa.select(sa.func.count()).select_from(model)
        for name, value in where.items():
            q = q.where(getattr(model, name) == value)
        return db.session.scalar(q)


def _rows_naming(app, family_id) -> dict:
    """Rows of every table that still name the family, its concerns or its visits (raw SQL, no ORM)."""
    with app.app_context():
        conn = db.session.connection()
        fid = family_id.hex if conn.dialect.name == "sqlite" else str(family_id)
        out = {}
        for table, column in (("families", "id"), ("children", "family_id"), ("visits", "family_id"),
                              ("concerns", "family_id"), ("goals", "family_id"), ("matches", "family_id"),
                              ("family_search_tokens", "family_id"), ("family_closures", "family_id"),
                              ("legal_holds", "family_id"), ("review_queue", "family_id"),
                              ("quarantined_items", "family_id")):
            out[table] = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {column} = :f"), {"f": fid}).scalar()
        return out


def test_a_held_family_survives_the_run_and_an_expired_one_is_gone_and_the_chain_verifies(
        app, world, runner, make_family, make_match):
    expired = _case(app, make_family, make_match, world, "The Expired family", date(2001, 5, 1))
    held = _case(app, make_family, make_match, world, "The Held family", date(2001, 5, 1), hold=True)
    with app.app_context():
        from pwa.models import HeldReason
        from pwa.quarantine import services as quarantine

        quarantine.hold(db.session.get(User, world.mentor.id), uuid.uuid4(), "visit", HeldReason.out_of_reach,
                        body=b'{"family": "x", "fields": {"what_done": "CANARY-HELD"}}', family_id=expired.id)
        db.session.commit()
        concern_ids = list(db.session.scalars(sa.select(Concern.id).where(Concern.family_id == expired.id)))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.subject_id.in_(concern_ids))) >= 1
    before, before_held = _rows_naming(app, expired.id), _rows_naming(app, held.id)
    assert before["visits"] == 2 and before["family_search_tokens"] > 0 and before["quarantined_items"] == 1

    early = runner.invoke(args=["retention", "report"])
    assert "0 due now" in early.output and expired.reference in early.output
    clock.advance(SEVEN_YEARS)
    report = runner.invoke(args=["retention", "report"])
    assert report.exit_code == 0, report.output
    lines = [line.split() for line in report.output.splitlines()]
    due_lines = {tuple(words[2:4]) for words in lines if words[1] == "due" and words[0][:1].isdigit() and "-" in words[0]}
    assert {ref for ref, _ in due_lines} == {expired.reference}
    assert all(words[1] == "held" for words in lines if held.reference in words)
    assert "The Expired family" not in report.output  # references only, never names

    run = runner.invoke(args=["retention", "run"])
    assert run.exit_code == 0, run.output
    assert all(n == 0 for n in _rows_naming(app, expired.id).values()), _rows_naming(app, expired.id)
    assert _rows_naming(app, held.id) == before_held  # the held family is whole
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            sa.or_(OutboxMessage.subject_id.in_(concern_ids), OutboxMessage.subject_id == expired.id))) == 0
        deletions = db.session.scalars(sa.select(RetentionDeletion)).all()
        assert {(str(d.family_id), d.kind) for d in deletions} == \
            {(str(expired.id), kind) for _, kind in due_lines}  # the dry run listed exactly what went
        by_kind = {d.kind: d for d in deletions}
        assert by_kind["visits"].rows == 2 and by_kind["visits"].rule == "visits: 6 years after closure"
        assert by_kind["concerns"].rule.startswith("concerns: until the youngest child is 25")
        audited = {e.action: e for e in db.session.scalars(sa.select(AuditEvent))}
        row = audited["deleted by retention: visits"]
        assert row.object_type == "retention_deletions" and row.object_id == str(by_kind["visits"].id)
        texts = " ".join(f"{d.kind} {d.rule}" for d in deletions) + " ".join(audited)
        assert "CANARY" not in texts and "Expired" not in texts
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and "audit chain intact" in verify.output


def test_concerns_outlive_the_rest_until_the_youngest_child_is_25(app, world, make_family, make_match):
    from pwa.closure import retention

    young = _case(app, make_family, make_match, world, "The Young family", date(2020, 6, 1))
    clock.advance(SEVEN_YEARS)
    with app.app_context():
        planned = {p.kind: p for p in retention.plan(family_id=young.id)}
        assert planned["concerns"].due_on == date(2045, 6, 1) and planned["family"].due_on == date(2045, 6, 1)
        gone = {d.kind for d in retention.run()}
    assert gone == {"visits", "goals", "matches"}
    assert _count(app, Visit, family_id=young.id) == 0 and _count(app, Match, family_id=young.id) == 0
    assert _count(app, Concern, family_id=young.id) == 1 and _count(app, Family, id=young.id) == 1
    assert _count(app, Child, family_id=young.id) == 1


def test_a_programmes_own_rule_and_the_workers_job(app, world, runner, make_family, make_match):
    from pwa.outbox import rules

    family = _case(app, make_family, make_match, world, "The Long family", date(2001, 5, 1))
    with app.app_context():
        name = db.session.get(User, world.coordinator.id).programme.name
    answer = runner.invoke(args=["retention", "set", name, "visits", "10"])
    assert answer.exit_code == 0 and "visits 10 years after closure" in answer.output
    clock.advance(SEVEN_YEARS)
    with app.app_context():
        rules.registry(app).jobs["retention"].task()
    assert _count(app, Visit, family_id=family.id) == 2  # kept by the programme's 10 years
    assert _count(app, Concern, family_id=family.id) == 0 and _count(app, Goal, family_id=family.id) == 0
    assert runner.invoke(args=["retention", "set", name, "letters", "3"]).exit_code != 0


def test_a_coordinator_sets_and_lifts_a_legal_hold_and_reads_the_report(app, world, auth, make_family, make_match):
    family = _case(app, make_family, make_match, world, "The Report family", date(2001, 5, 1))
    auth.login(world.coordinator)
    page = auth.client.get(f"/families/{family.id}/hold").get_data(as_text=True)
    assert "No legal hold is in force." in page and "6 years after closure" in page
    empty = auth.client.post(f"/families/{family.id}/hold", data={"csrf_token": csrf_from(page), "reason": ""})
    assert empty.status_code == 422 and "Say why." in empty.get_data(as_text=True)
    auth.client.post(f"/families/{family.id}/hold", data={"csrf_token": csrf_from(page), "reason": "Court case"})
    page = auth.client.get(f"/families/{family.id}/hold").get_data(as_text=True)
    assert "A legal hold is in force" in page and "Court case" in page
    assert "Legal hold in force" in auth.client.get(f"/families/{family.id}").get_data(as_text=True)
    auth.client.post(f"/families/{family.id}/hold", data={"csrf_token": csrf_from(page), "reason": "Case settled"})
    assert "No legal hold is in force." in auth.client.get(f"/families/{family.id}/hold").get_data(as_text=True)
    clock.advance(SEVEN_YEARS)
    auth.login(world.coordinator)  # seven years on: a new session
    report = auth.client.get("/retention").get_data(as_text=True)
    assert "The Report family" in report and "Due now" in report and "Nothing yet." in report
    with app.app_context():
        actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
        assert "legal hold set" in actions and "legal hold lifted" in actions and "read retention report" in actions
    auth.logout()
    auth.login(world.social_worker)
    assert auth.client.get("/retention").status_code == 403
    auth.logout()
    assert _count(app, FamilySearchToken, family_id=family.id) > 0  # the page deletes nothing
