"""A family's goals, a goal's page with its progress from the visits, and agreeing and closing goals."""
import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.goals import services
from pwa.goals.forms import CloseGoalForm, FamilyAgreementForm, GoalForm
from pwa.models import GoalStatus, Role
from pwa.outcomes.services import framework_for
from pwa.web import paging
from pwa.web.posts import attempt, handle_form

bp = Blueprint("goals", __name__)
STAFF = (Role.coordinator, Role.social_worker)


def _goal_form(family, formdata=True) -> GoalForm:
    form = GoalForm() if formdata else GoalForm(formdata=None)
    form.offer_areas(framework_for(family.programme_id))
    return form


@bp.route("/families/<family_id>/goals")
@roles_required(*access.CASE_ROLES)
def index(family_id):
    """The family's goals: proposed, active and closed."""
    family = access.family_for(current_user, family_id)
    return _index(family, _goal_form(family, formdata=False))


def _index(family, form, status=200):
    goals = access.family_goals(current_user, family)
    return render_template("goals/index.html", family=family, goals=goals, form=form), status


@bp.route("/families/<family_id>/goals", methods=["POST"])
@roles_required(*access.CASE_ROLES)
def create(family_id):
    """Set a goal (coordinator, social worker) or propose one (mentor)."""
    family = access.family_for(current_user, family_id, "add_goal")
    form = _goal_form(family)
    if not form.validate_on_submit():
        return _index(family, form, 422)
    goal = services.add_goal(current_user, family, title=form.title.data,
                             success_looks_like=form.success_looks_like.data,
                             outcome_area_id=uuid.UUID(form.outcome_area.data) if form.outcome_area.data else None,
                             target_on=form.target_on.data, family_agreed_on=form.family_agreed_on.data)
    db.session.commit()
    flash("Goal set." if goal.status is GoalStatus.active else
          "Goal proposed. The social worker will be asked to agree it.", "info")
    return redirect(url_for("goals.show", goal_id=goal.id))


@bp.route("/goals/<goal_id>")
@roles_required(*access.CASE_ROLES)
def show(goal_id):
    """A goal: what success looks like, its status and its progress visit by visit."""
    return _page(access.goal_for(current_user, goal_id))


def _page(goal, status=200, **forms):
    family = access.family_for(current_user, goal.family_id)
    context = dict(agreement_form=FamilyAgreementForm(formdata=None), close_form=CloseGoalForm(formdata=None))
    context.update(forms)
    page = paging.from_request(access.count_goal_progress(current_user, goal))  # a goal worked on for years
    progress = access.goal_progress(current_user, goal, limit=page.per_page, offset=page.offset)
    return render_template("goals/show.html", goal=goal, family=family, staff=current_user.role in STAFF,
                           progress=progress, page=page, **context), status


@bp.route("/goals/<goal_id>/agree", methods=["POST"])
@roles_required(Role.social_worker)
def agree(goal_id):
    """The social worker agrees a mentor's proposed goal."""
    goal = access.goal_for(current_user, goal_id, "agree")
    return attempt(lambda: services.agree(current_user, goal), services.GoalRefused,
                   "Goal agreed: it is now active.", "goals.show", goal_id=goal.id)


@bp.route("/goals/<goal_id>/family-agreement", methods=["POST"])
@roles_required(*STAFF)
def family_agreement(goal_id):
    """Record the day the family agreed the goal."""
    goal = access.goal_for(current_user, goal_id, "family_agreement")
    return handle_form(FamilyAgreementForm(),
                       lambda f: services.record_family_agreement(current_user, goal, f.agreed_on.data),
                       "The family's agreement is recorded.", lambda f: _page(goal, 422, agreement_form=f),
                       "goals.show", goal_id=goal.id)


@bp.route("/goals/<goal_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(goal_id):
    """Close a goal: achieved, not achieved or dropped, with the date and reason."""
    goal = access.goal_for(current_user, goal_id, "close")
    form = CloseGoalForm()
    if not form.validate_on_submit():
        return _page(goal, 422, close_form=form)
    status = GoalStatus[form.status.data]
    return attempt(lambda: services.close(current_user, goal, status, form.closed_on.data, form.reason.data),
                   services.GoalRefused, f"Goal closed: {status.value.lower()}.", "goals.show", goal_id=goal.id)
