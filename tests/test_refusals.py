"""Refused access leaves a trace (who, what they asked for, when) without undoing the refusal."""
import uuid

import sqlalchemy as sa

from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import AuditEvent, Goal, GoalStatus, Role


def _refusals(app, actor_id=None):
    with app.app_context():
        q = sa.select(AuditEvent).where(AuditEvent.action.like("refused %")).order_by(AuditEvent.id)
        if actor_id is not None:
            q = q.where(AuditEvent.actor_id == actor_id)
        return [(e.action, e.object_type, e.object_id) for e in db.session.scalars(q)]


def test_a_family_out_of_scope_is_refused_and_audited_but_not_as_a_read(world, auth, app):
    auth.login(world.mentor)
    assert auth.client.get(f"/families/{world.far_family.id}").status_code == 404
    assert _refusals(app, world.mentor.id) == [("refused read", "families", str(world.far_family.id))]
    with app.app_context():
        reads = sa.select(AuditEvent).where(AuditEvent.action == "read",
                                            AuditEvent.object_id == str(world.far_family.id))
        assert db.session.scalars(reads).all() == []


def test_a_forbidden_action_and_a_forbidden_route_are_audited(world, auth, app):
    auth.login(world.mentor)
    page = f"/families/{world.family.id}"
    assert auth.post(page + "/social-worker", {"social_worker": str(world.social_worker.id)},
                     token_from=page).status_code == 403
    assert auth.client.get("/dashboard").status_code == 403
    assert auth.client.get("/families/not-a-uuid").status_code == 404
    assert _refusals(app, world.mentor.id) == [
        ("refused route", "route", "families.reassign"), ("refused route", "route", "supervision.index"),
        ("refused read", "families", "not-a-uuid")]


def test_refusing_writes_nothing_the_request_did(world, auth, app):
    """The refusal's audit row commits on its own; the refused work does not."""
    auth.login(world.coordinator)
    with app.app_context():
        goal = Goal(family_id=world.far_family.id, title="Far goal", success_looks_like="x",
                    status=GoalStatus.active, proposed_by_id=world.far_coordinator.id,
                    agreed_by_id=world.far_coordinator.id, agreed_at=world.far_family.referred_at)
        db.session.add(goal)
        db.session.commit()
        goal_id = goal.id
    r = auth.post(f"/goals/{goal_id}/close", {"status": "achieved", "closed_on": "2026-01-01"},
                  token_from=f"/families/{world.family.id}/goals")
    assert r.status_code == 404
    with app.app_context():
        assert db.session.get(Goal, goal_id).status is GoalStatus.active
    assert _refusals(app, world.coordinator.id) == [("refused close", "goals", str(goal_id))]


def _as(auth, user):
    auth.client.delete_cookie("bridge_session")
    auth.login(user)


def test_the_dashboard_shows_an_account_refused_again_and_again(world, auth, app):
    _as(auth, world.mentor)
    for _ in range(2):
        auth.client.get(f"/families/{world.far_family.id}")
    _as(auth, world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert "Accounts refused access repeatedly (0)" in page
    _as(auth, world.mentor)
    auth.client.get(f"/matches/{world.far_match.id}")
    auth.client.get(f"/families/{uuid.uuid4()}")
    _as(auth, world.coordinator)
    page = auth.client.get("/dashboard").get_data(as_text=True)
    assert "Accounts refused access repeatedly (1)" in page
    assert f"{world.mentor.name} (mentor): refused 4 times" in page
    _as(auth, world.far_coordinator)  # another programme's coordinator does not see them
    assert "Accounts refused access repeatedly (0)" in auth.client.get("/dashboard").get_data(as_text=True)


def test_the_chain_still_verifies_after_refusals(world, auth, runner):
    _as(auth, world.social_worker)
    auth.client.get(f"/families/{world.others_family.id}")
    auth.client.get(f"/families/{world.family.id}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit chain intact" in result.output
    assert audit and Role
