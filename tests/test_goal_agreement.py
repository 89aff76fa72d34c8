"""Agreement fields on goals are honoured only for the roles allowed to set them."""
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Goal, GoalStatus


def _goals(app) -> list[Goal]:
    with app.app_context():
        goals = db.session.scalars(sa.select(Goal).order_by(Goal.created_at)).all()
        db.session.expunge_all()
        return goals


def test_a_mentor_posting_the_familys_agreement_records_nothing(world, auth, client, app):
    auth.login(world.mentor)
    form = client.get(f"/families/{world.family.id}/goals").get_data(as_text=True)
    assert 'name="family_agreed_on"' not in form  # not offered to a mentor
    response = auth.post(f"/families/{world.family.id}/goals", {
        "title": "Amy reads every evening", "success_looks_like": "Ten minutes a night",
        "outcome_area": "", "family_agreed_on": (clock.today() - timedelta(days=1)).isoformat(),
        "agreed_by_id": str(world.mentor.id), "status": "active"}, token_from=f"/families/{world.family.id}/goals")
    assert response.status_code == 302
    [goal] = _goals(app)
    assert goal.family_agreed_on is None and goal.family_agreement_by_id is None
    assert goal.status is GoalStatus.proposed and goal.agreed_by_id is None
    assert auth.post(f"/goals/{goal.id}/family-agreement", {"agreed_on": clock.today().isoformat()},
                     token_from=f"/goals/{goal.id}").status_code == 403
    assert _goals(app)[0].family_agreed_on is None


def test_staff_posting_the_familys_agreement_records_it(world, auth, client, app):
    auth.login(world.social_worker)
    agreed = clock.today() - timedelta(days=1)
    form = client.get(f"/families/{world.family.id}/goals").get_data(as_text=True)
    assert 'name="family_agreed_on"' in form
    auth.post(f"/families/{world.family.id}/goals", {"title": "School on time", "success_looks_like": "Every day",
                                                      "outcome_area": "", "family_agreed_on": agreed.isoformat()},
              token_from=f"/families/{world.family.id}/goals")
    [goal] = _goals(app)
    assert goal.family_agreed_on == agreed and goal.family_agreement_by_id == world.social_worker.id
