"""Mentor readiness, making a match, and reviews, extensions and endings."""
from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from pwa.web.forms import choices
from pwa import access
from pwa.core import clock
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.matches import glance, services
from pwa.web import paging
from pwa.matches.forms import EndForm, ExtendForm, MatchForm, ReadinessForm, ReviewForm
from pwa.models import EndingReason, Role
from pwa.web.posts import done, handle_form

bp = Blueprint("matches", __name__)


@bp.route("/mentors")
@roles_required(Role.coordinator)
def mentors():
    """The programme's mentors, paged: whether each is ready, their families and last visit."""
    today = clock.today()
    glances, page = glance.mentor_page(current_user, paging.PER_PAGE, paging.asked_offset(), today)
    return render_template("matches/mentors.html", glances=glances, page=page, today=today, readiness_link=paging.RowLink("matches.readiness", "user_id"),
                           supervision_link=paging.RowLink("supervision.mentor_supervision", "user_id"))


@bp.route("/mentors/<user_id>/readiness", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def readiness(user_id):
    """Record a mentor's DBS check, child protection training and induction."""
    mentor = access.user_for(current_user, user_id)
    form = ReadinessForm(obj=mentor)
    profile = glance.profile_of(mentor)
    if not form.is_submitted() and profile is not None:
        form.languages.data, form.area.data = profile.languages, profile.area
    if form.validate_on_submit():
        services.record_readiness(current_user, mentor, dbs=form.dbs_checked_on.data,
                                  trained=form.cp_trained_on.data, inducted=form.inducted_on.data)
        services.record_profile(current_user, mentor, languages=form.languages.data, area=form.area.data)
        db.session.commit()
        flash("Readiness saved.", "info")
        return redirect(url_for("matches.mentors"))
    return render_template("matches/readiness.html", form=form, mentor=mentor, today=clock.today())


def _glances() -> list:
    """Mentors at a glance, worked out once per request (the form and the table both use them)."""
    if "glances" not in g:
        g.glances = glance.for_matching(current_user, clock.today())
    return g.glances


def _match_form(family) -> MatchForm:
    form = MatchForm()
    today = clock.today()
    form.mentor.choices = choices((str(g.mentor.id), g.mentor.name + ("" if g.ready else " — not ready"))
                                  for g in _glances())
    if not form.is_submitted():
        form.started_on.data = today
    return form


@bp.route("/families/<family_id>/match", methods=["GET", "POST"])
@roles_required(Role.coordinator)
def new_match(family_id):
    """Match a ready mentor to a family that has consented."""
    family = access.family_for(current_user, family_id, "match")
    form = _match_form(family)
    if form.validate_on_submit():
        mentors = {str(m.id): m for m in access.mentors_of(current_user)}
        try:
            match = services.create_match(current_user, family, mentors[form.mentor.data],
                                          form.started_on.data, form.agreed_end_on.data)
        except services.MatchRefused as refused:
            flash(str(refused), "error")
            return render_template("matches/new.html", form=form, family=family, glances=_glances()), 422
        db.session.commit()
        flash("Match made. The family's social worker is being told.", "info")
        return redirect(url_for("matches.show", match_id=match.id))
    return render_template("matches/new.html", form=form, family=family, glances=_glances(), today=clock.today())


def _page(match, status=200, **forms):
    context = dict(review_form=ReviewForm(formdata=None), extend_form=ExtendForm(formdata=None),
                   end_form=EndForm(formdata=None))
    context.update(forms)
    if not forms:
        context["review_form"].held_on.data = context["end_form"].ended_on.data = clock.today()
    return render_template("matches/show.html", match=match, today=clock.today(), **context), status


@bp.route("/matches/<match_id>")
@roles_required(*access.CASE_ROLES)
def show(match_id):
    """A match: timescale, reviews, extension decisions and ending."""
    return _page(access.match_for(current_user, match_id))


@bp.route("/matches/<match_id>/support", methods=["POST"])
@roles_required(Role.coordinator)
def start_support(match_id):
    """Move the match from Matching to Support."""
    match = access.match_for(current_user, match_id, "change")
    services.start_support(current_user, match)
    return done("The match is now in Support.", "matches.show", match_id=match.id)


@bp.route("/matches/<match_id>/review", methods=["POST"])
@roles_required(Role.coordinator)
def review(match_id):
    """Record a match review."""
    match = access.match_for(current_user, match_id, "change")
    return handle_form(ReviewForm(), lambda f: services.record_review(
        current_user, match, held_on=f.held_on.data, notes=f.notes.data, next_review_on=f.next_review_on.data),
        "Review recorded.", lambda f: _page(match, 422, review_form=f), "matches.show", match_id=match.id)


@bp.route("/matches/<match_id>/extend", methods=["POST"])
@roles_required(Role.coordinator)
def extend(match_id):
    """Extend the match past its agreed end: an explicit decision with a reason."""
    match = access.match_for(current_user, match_id, "change")
    form = ExtendForm()
    return _decide(match, form, "extend_form", form.new_end_on,
                   lambda: services.extend_match(current_user, match, new_end_on=form.new_end_on.data,
                                                 reason=form.reason.data),
                   done_to=lambda: done("Match extended.", "matches.show", match_id=match.id))


@bp.route("/matches/<match_id>/end", methods=["POST"])
@roles_required(Role.coordinator)
def end(match_id):
    """End the match with a summary."""
    match = access.match_for(current_user, match_id, "change")
    form = EndForm()
    return _decide(match, form, "end_form", form.ended_on,
                   lambda: services.end_match(current_user, match, ended_on=form.ended_on.data,
                                              reason=EndingReason[form.reason.data], summary=form.summary.data),
                   done_to=lambda: done("Match ended.", "families.show", family_id=match.family_id))


def _decide(match, form, name: str, field, decide, done_to):
    """Validate `form`, then `decide()`; a refusal is shown on `field` and the page comes back (422)."""
    if form.validate_on_submit():
        try:
            decide()
        except services.MatchRefused as refused:
            field.errors.append(str(refused))
        else:
            return done_to()
    return _page(match, 422, **{name: form})
