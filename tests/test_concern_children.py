"""A concern names the children it is about; a coordinator and a social worker raise one through the same path."""
import re
import uuid

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Child, Concern, ConcernChild, DebriefTask, OutboxMessage
from tests.support.concern_world import concern_form_data


def _children(app, family) -> list[Child]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Child).where(Child.family_id == family.id)))


def _raise(auth, family, **fields):
    page = auth.client.get(f"/families/{family.id}/concerns/new?urgency=urgent").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = concern_form_data(client_uuid=str(uuid.uuid4()), **fields)
    return page, auth.client.post(f"/families/{family.id}/concerns/new", data={"csrf_token": token, **data})


def test_a_mentor_ticks_the_child_a_concern_is_about(world, auth, app, make_family):
    [amy] = _children(app, world.family)
    auth.login(world.mentor)
    page, answer = _raise(auth, world.family, children=[str(amy.id)])
    assert "Which children is it about?" in page and "Amy" in page and "It is not about one child" in page
    assert answer.status_code == 302
    shown = auth.client.get(answer.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert [c.child_id for c in db.session.scalars(sa.select(ConcernChild))] == [amy.id]
    auth.logout()
    auth.login(world.social_worker)
    concern_page = auth.client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "<dt>About</dt><dd>Amy</dd>" in concern_page and shown


def test_a_concern_with_no_child_ticked_is_stored_as_about_the_family(world, auth, app):
    auth.login(world.mentor)
    _, answer = _raise(auth, world.family, not_one_child="y")
    assert answer.status_code == 302
    auth.logout()
    auth.login(world.social_worker)
    assert "not one child (the family)" in auth.client.get(answer.headers["Location"]).get_data(as_text=True)


def test_coordinators_and_social_workers_raise_concerns_through_the_same_alerts(world, auth, app):
    for who in (world.coordinator, world.social_worker):
        auth.login(who)
        _, answer = _raise(auth, world.family)
        assert answer.status_code == 302, who.role
        auth.logout()
    with app.app_context():
        concerns = db.session.scalars(sa.select(Concern)).all()
        assert {c.author_id for c in concerns} == {world.coordinator.id, world.social_worker.id}
        alerts = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.subject_id.in_(
            [c.id for c in concerns]))).all()
        assert len(alerts) == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DebriefTask)) == 0
