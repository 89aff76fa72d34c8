"""The coordinator's dashboard and supervision sessions."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pwa import access
from pwa.core import audit, clock
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role
from pwa.supervision import dashboard, reviews, services
from pwa.supervision.forms import ReviewEntryForm, SupervisionForm
from pwa.web import paging
from pwa.web.posts import handle_form

bp = Blueprint("supervision", __name__)


@bp.route("/dashboard")
@roles_required(Role.coordinator)
def index():
    """One screen of what needs acting on in the coordinator's programme."""
    sections = dashboard.build(current_user, clock.today())
    audit.record(db.session, current_user, "read", object_type="dashboard")
    return render_template("supervision/dashboard.html", sections=sections, today=clock.today())


@bp.route("/dashboard/<key>")
@roles_required(Role.coordinator)
def section_all(key):
    """Everything in one dashboard section, paged, with the count."""
    page = paging.Page(paging.page_number(request.args.get("page")), 0)
    found = dashboard.one(key, current_user, clock.today(), page)
    if found is None:
        access.refuse(current_user, 404, "read", object_type="dashboard", object_id=key)
    audit.record(db.session, current_user, "read", object_type="dashboard")
    return render_template("supervision/section.html", s=found, page=page, today=clock.today())


@bp.route("/visits/<visit_id>/talked", methods=["POST"])
@roles_required(Role.coordinator)
def talked(visit_id):
    """The coordinator has talked with the mentor who asked: only this clears 'asks to talk to you'."""
    visit = access.visit_for(current_user, visit_id)
    talk = reviews.talk_request_for(current_user, visit)
    if talk is not None:
        reviews.talked(current_user, talk)
        db.session.commit()
        flash("Recorded that you talked with the mentor.", "info")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("supervision.index"))


def _same_site(url) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/mentors/<user_id>/supervision", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def mentor_supervision(user_id):
    """A mentor's supervision sessions, and recording a new one."""
    mentor = access.user_for(current_user, user_id)
    if mentor.role is not Role.mentor:
        access.refuse(current_user, 404, "supervision", object_type="users", object_id=mentor.id)
    form = SupervisionForm()
    if not form.is_submitted():
        form.held_on.data = clock.today()
    return handle_form(form, lambda f: services.record_supervision(
        current_user, mentor, held_on=f.held_on.data, notes=f.notes.data, next_on=f.next_on.data),
        "Supervision recorded.", lambda f: (render_template(
            "supervision/mentor.html", mentor=mentor, form=f, sessions=access.supervision_notes(current_user, mentor)),
            422 if f.errors else 200), "supervision.mentor_supervision", user_id=mentor.id)


@bp.route("/visits/<visit_id>/review", methods=["POST"])
@roles_required(Role.coordinator)
def review_entry(visit_id):
    """Mark a diary entry reviewed, with an optional comment back to the mentor."""
    visit = access.visit_for(current_user, visit_id)
    form = ReviewEntryForm()
    return handle_form(form, lambda f: reviews.review_entry(current_user, visit, f.comment.data),
                       "Entry reviewed." + (" The mentor will see your comment." if form.comment.data else ""),
                       "The comment is too long (2,000 characters at most).", "diary.show_visit", visit_id=visit.id)
