"""The family list, referral, a family's page, consent, children and reassignment."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pwa import access
from pwa.core import clock
from pwa.web.forms import choices
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.families import finder, listed, services
from pwa.families.forms import ChildForm, ConsentForm, ReassignForm, ReferralForm
from pwa.models import ConsentMethod, PlanType, Role, Stage
from pwa.web import paging
from pwa.web.posts import done, handle_form

bp = Blueprint("families", __name__, url_prefix="/families")
PER_PAGE = 50


@bp.route("/")
@roles_required(*access.CASE_ROLES)
def index():
    """The families you work with: search, filters and sorts in the URL, paged with a count."""
    criteria, today = finder.Criteria.from_args(request.args), clock.today()
    found, page = listed.page(current_user, criteria, today, PER_PAGE)
    return render_template("families/index.html", found=found, page=page, criteria=criteria, today=today,
                           people=_filter_options(), sorts=finder.SORTS, stages=Stage, plans=PlanType,
                           family_link=paging.RowLink("families.show", "family_id"),
                           social_worker_shown=current_user.role is not Role.social_worker)


def _filter_options() -> dict:
    """The people a coordinator can filter by (other roles see only their own families)."""
    if current_user.role is not Role.coordinator:
        return {}
    workers, mentors = access.staff_lists(current_user.programme_id, ((Role.social_worker, True), (Role.mentor, False)))
    return {"social_workers": workers, "mentors": mentors}


@bp.route("/refer", methods=["GET", "POST"])
@roles_required(Role.social_worker)
def refer():
    """Refer a family (social workers only)."""
    form = ReferralForm()
    if form.validate_on_submit():
        try:
            children = services.parse_children(form.children.data)
        except services.BadChildLine as exc:
            form.children.errors.append(str(exc))
        else:
            family = services.refer_family(
                current_user, display_name=form.display_name.data, address=form.address.data,
                plan_type=PlanType[form.plan_type.data], referral_reason=form.referral_reason.data,
                involvement_plan=form.involvement_plan.data, children=children)
            db.session.commit()
            flash("Family referred. Record the family's consent before a match.", "info")
            return redirect(url_for("families.show", family_id=family.id))
    return render_template("families/refer.html", form=form)


@bp.route("/<family_id>")
@roles_required(*access.CASE_ROLES)
def show(family_id):
    """A family's page: plan, consent, children, match."""
    family = access.family_for(current_user, family_id)
    return _show_with_errors(family, status=200)


def reassign_form(family) -> ReassignForm | None:
    """The coordinator's change-of-social-worker form (None for anyone else)."""
    if current_user.role is not Role.coordinator:
        return None
    form = ReassignForm()
    workers = access.staff_choices(family.programme_id, Role.social_worker, active_only=True)  # names only opened
    form.social_worker.choices = choices((str(u.id), u.name) for u in workers)
    if not form.is_submitted():
        form.social_worker.data = str(family.social_worker_id)
    return form


@bp.route("/<family_id>/consent", methods=["POST"])
@roles_required(Role.coordinator, Role.social_worker)
def consent(family_id):
    """Record the family's consent to having a volunteer."""
    family = access.family_for(current_user, family_id, "record_consent")
    return handle_form(ConsentForm(), lambda f: services.record_consent(
        current_user, family, f.given_on.data, ConsentMethod[f.method.data], f.scope.data),
        "Consent recorded.", lambda f: _show_with_errors(family, consent_form=f), "families.show", family_id=family.id)


@bp.route("/<family_id>/children", methods=["POST"])
@roles_required(Role.coordinator, Role.social_worker)
def add_child(family_id):
    """Add a child to the family."""
    family = access.family_for(current_user, family_id, "edit")
    return handle_form(ChildForm(), lambda f: services.add_child(
        current_user, family, f.first_name.data, f.date_of_birth.data, f.expected_on.data),
        "Child added.", lambda f: _show_with_errors(family, child_form=f), "families.show", family_id=family.id)


@bp.route("/<family_id>/social-worker", methods=["POST"])
@roles_required(Role.coordinator)
def reassign(family_id):
    """Make another social worker responsible for the family."""
    family = access.family_for(current_user, family_id, "reassign")
    form = reassign_form(family)
    workers = {str(u.id): u for u in access.social_workers_of(family.programme_id)}
    if form.validate_on_submit() and form.social_worker.data in workers:
        services.reassign(current_user, family, workers[form.social_worker.data])
        return done("Responsible social worker changed.", "families.show", family_id=family.id)
    return _show_with_errors(family, reassign_form=form)


def _show_with_errors(family, status: int = 422, **forms):
    """Render the family page (with a failed form's errors and what was typed)."""
    from pwa.families.record_views import render_family

    return render_family(family, status, **forms)
