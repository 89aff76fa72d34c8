"""Closing and reopening a family's case, its legal hold, and the retention report (coordinators)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.closure import retention, rules, services
from pwa.closure.forms import CloseForm, ReasonForm
from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import ClosureReason, Role

bp = Blueprint("closure", __name__)


def _back(family, message: str):
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("families.show", family_id=family.id))


@bp.route("/families/<family_id>/close", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def close(family_id):
    """Close the family's case: reason, note and date; the match must have ended."""
    family = access.family_for(current_user, family_id, "close")
    form, refusal = CloseForm(), None
    if not form.is_submitted():
        form.closed_on.data = clock.today()
    elif form.validate():
        try:
            services.close_case(current_user, family, closed_on=form.closed_on.data,
                                reason=ClosureReason[form.reason.data], note=form.note.data)
        except services.ClosureRefused as exc:
            refusal = str(exc)
        else:
            return _back(family, "The case is closed. The social worker has been told.")
    status = 422 if form.is_submitted() else 200
    return render_template("closure/close.html", family=family, form=form, refusal=refusal,
                           match=services.active_match(family)), status


@bp.route("/families/<family_id>/reopen", methods=["POST"])
@roles_required(Role.coordinator)
def reopen(family_id):
    """Reopen a closed case, saying why."""
    family = access.family_for(current_user, family_id, "close")
    form = ReasonForm(prefix="reopen")
    if form.validate_on_submit():
        try:
            services.reopen_case(current_user, family, reason=form.reason.data)
        except services.ClosureRefused as exc:
            form.form_errors.append(str(exc))
        else:
            return _back(family, "The case is open again. The social worker has been told.")
    from pwa.families.record_views import render_family

    return render_family(family, 422, reopen_form=form)


@bp.route("/families/<family_id>/hold", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def hold(family_id):
    """The family's legal hold: set one (nothing is deleted while it is in force), or lift it, with a reason."""
    family = access.family_for(current_user, family_id, "hold")
    form, in_force = ReasonForm(), services.active_hold(family)
    if form.validate_on_submit():
        try:
            if in_force is None:
                services.set_hold(current_user, family, form.reason.data)
            else:
                services.lift_hold(current_user, family, form.reason.data)
        except services.ClosureRefused as exc:
            form.form_errors.append(str(exc))
        else:
            return _back(family, "Legal hold lifted." if in_force else
                         "Legal hold set: nothing of this family's record will be deleted while it is in force.")
    audit.record(db.session, current_user, "read legal holds", family)
    planned = retention.plan(family_id=family.id)
    return render_template("closure/hold.html", family=family, form=form, hold=in_force,
                           holds=services.holds_of(family), planned=planned,
                           today=clock.today()), 422 if form.is_submitted() else 200


@bp.route("/retention")
@roles_required(Role.coordinator)
def report():
    """The dry run: what the retention schedule would delete from the programme's closed cases, and when."""
    planned = retention.plan(current_user.programme_id)
    families = access.closed_families(current_user, {p.family_id for p in planned})
    audit.record(db.session, current_user, "read retention report", current_user.programme)
    return render_template("closure/report.html", planned=planned, families=families, today=clock.today(),
                           schedule=rules.schedule(current_user.programme_id).values(),
                           deletions=access.retention_deletions(current_user))
