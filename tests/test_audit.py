"""The audit trail: reads and writes recorded in the same transaction, chained, verifiable."""
import sqlalchemy as sa

from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import AuditEvent


def _events(app, **where):
    with app.app_context():
        q = sa.select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            q = q.where(getattr(AuditEvent, key) == value)
        return db.session.scalars(q).all()


def test_reading_a_family_is_audited_with_who_and_what(world, auth, app):
    auth.login(world.mentor)
    before = len(_events(app, action="read", object_id=str(world.family.id)))
    assert auth.client.get(f"/families/{world.family.id}").status_code == 200
    reads = _events(app, action="read", object_id=str(world.family.id))
    assert len(reads) == before + 1
    assert reads[-1].actor_id == world.mentor.id and reads[-1].object_type == "families"


def test_a_refused_read_is_not_recorded_as_a_read(world, auth, app):
    auth.login(world.mentor)
    assert auth.client.get(f"/families/{world.far_family.id}").status_code == 404
    assert _events(app, action="read", object_id=str(world.far_family.id)) == []


def test_writes_are_audited(world, auth, app):
    auth.login(world.coordinator)
    page = f"/matches/{world.match.id}"
    auth.post(page + "/review", {"held_on": "2026-01-05", "notes": "Going well"}, token_from=page)
    assert [e.actor_id for e in _events(app, action="review recorded")] == [world.coordinator.id]


def test_chain_verifies_and_a_tampered_row_is_reported(world, auth, app, runner):
    auth.login(world.mentor)
    auth.client.get(f"/families/{world.family.id}")
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "audit chain intact" in ok.output
    with app.app_context():
        victim = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id).offset(3).limit(1)).one()
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == victim.id).values(action="nothing to see"))
        db.session.commit()
        victim_id = victim.id
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and f"chain broken at audit row {victim_id}" in broken.output


def test_deleting_the_newest_rows_is_reported(world, app, runner):
    with app.app_context():
        newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == newest))
        db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "missing from the end" in broken.output


def test_rolled_back_work_leaves_no_audit_row(world, ctx):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    audit.record(db.session, None, "will be rolled back", object_type="families")
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == count
