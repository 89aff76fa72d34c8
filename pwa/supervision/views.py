"""The coordinator's dashboard and supervision sessions."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.core import audit, clock
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role, SupervisionSession
from pwa.supervision import dashboard, reviews, services
from pwa.supervision.forms import ReviewEntryForm, SupervisionForm

bp = Blueprint("supervision", __name__)


@bp.route("/dashboard")
@roles_required(Role.coordinator)
def index():
    """One screen of what needs acting on in the coordinator's programme."""
    sections = dashboard.build(current_user, clock.today())
    audit.record(db.session, current_user, "read", object_type="dashboard")
    return render_template("supervision/dashboard.html", sections=sections, today=clock.today())


def _sessions(mentor) -> list[SupervisionSession]:
    q = sa.select(SupervisionSession).where(SupervisionSession.mentor_id == mentor.id)
    return list(db.session.scalars(q.order_by(SupervisionSession.held_on.desc())))


@bp.route("/mentors/<user_id>/supervision", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def mentor_supervision(user_id):
    """A mentor's supervision sessions, and recording a new one."""
    mentor = access.user_for(current_user, user_id)
    if mentor.role is not Role.mentor:
        abort(404)
    form = SupervisionForm()
    if not form.is_submitted():
        form.held_on.data = clock.today()
    if form.validate_on_submit():
        services.record_supervision(current_user, mentor, held_on=form.held_on.data, notes=form.notes.data,
                                    next_on=form.next_on.data)
        db.session.commit()
        flash("Supervision recorded.", "info")
        return redirect(url_for("supervision.mentor_supervision", user_id=mentor.id))
    status = 422 if form.errors else 200
    return render_template("supervision/mentor.html", mentor=mentor, form=form, sessions=_sessions(mentor)), status


@bp.route("/visits/<visit_id>/review", methods=["POST"])
@roles_required(Role.coordinator)
def review_entry(visit_id):
    """Mark a diary entry reviewed, with an optional comment back to the mentor."""
    visit = access.visit_for(current_user, visit_id)
    form = ReviewEntryForm()
    if form.validate_on_submit():
        reviews.review_entry(current_user, visit, form.comment.data)
        db.session.commit()
        flash("Entry reviewed." + (" The mentor will see your comment." if form.comment.data else ""), "info")
    else:
        flash("The comment is too long (2,000 characters at most).", "error")
    return redirect(url_for("diary.show_visit", visit_id=visit.id))
