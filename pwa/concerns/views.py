"""Raising a concern (call first when a child is in danger), reading it, acknowledging it, closing the loop."""
import uuid

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from pwa import access
from pwa.core import clock
from pwa.access import roles_required
from pwa.concerns import alerts, expired, services, status
from pwa.concerns.data import MISSING, missing_phrase
from pwa.concerns.forms import (AcknowledgeForm, ActionTakenForm, AddendumForm, ConcernForm, DebriefForm,
                                UrgencyForm)
from pwa.core.errors import wants_json
from pwa.core.extensions import db
from pwa.core.idempotency import IdempotencyConflict
from pwa.models import Role, Urgency
from pwa.web import paging
from pwa.web.posts import handle_form

bp = Blueprint("concerns", __name__)
DEBRIEFS_SHOWN = 10  # the concerns page lists the oldest; the rest are on the dashboard's see-all page
bp.add_app_template_filter(missing_phrase, "missing_phrase")
bp.register_error_handler(CSRFError, expired.refused_post)
CONFLICT = "This was already sent with different content. Reload the page and start again."


@bp.route("/families/<family_id>/concerns/new", methods=["GET", "POST"])
@roles_required(*access.CASE_ROLES)
def new(family_id):
    """Ask how urgent it is; for immediate danger say 'call 999 first'; then take the concern."""
    family = access.family_for(current_user, family_id, "raise_concern")
    programme = current_user.programme
    if request.method == "GET":
        return _first_steps(family, programme)
    form = ConcernForm()
    form.offer_children(family.children)
    if form.validate_on_submit():
        data = form.concern_data()
        try:
            concern, created = services.raise_concern(current_user, family, data, form.client_uuid.data)
        except IdempotencyConflict:
            db.session.rollback()
            form.form_errors.append(CONFLICT)
            return _form_again(family, programme, form)
        db.session.commit()
        if wants_json():
            return jsonify(id=str(concern.id), reference=concern.reference, created=created,
                           missing=[MISSING[k] for k in concern.missing_keys],
                           url=url_for("concerns.show", concern_id=concern.id)), 201 if created else 200
        flash(saved_message(concern), "info")
        return redirect(url_for("concerns.show", concern_id=concern.id))
    return _form_again(family, programme, form)


def saved_message(concern) -> str:
    """Thank the person, say what happens next, and what they left out (it was saved all the same)."""
    text = (f"Thank you. You were right to raise this: concern {concern.reference} is saved and the social worker "
            "and your coordinator are being emailed now. Your coordinator will check in with you.")
    if concern.missing_keys:
        text += (f" You did not say {missing_phrase(concern.missing_keys)}: add it below when you can "
                 "(your coordinator will ask you too).")
    return text


def _first_steps(family, programme):
    """How urgent? Immediate danger: the call-first screen. Then the form, with a fresh client UUID."""
    asked = "urgency" in request.args or "step" in request.args
    step = UrgencyForm(formdata=request.args if asked else None)
    if not asked or not step.validate():
        return render_template("concerns/urgency.html", family=family, programme=programme, form=step)
    if step.urgency.data == Urgency.immediate.name and request.args.get("called") != "yes":
        return render_template("concerns/call_first.html", family=family, programme=programme)
    form = ConcernForm(formdata=None, urgency=step.urgency.data, client_uuid=str(uuid.uuid4()))
    form.offer_children(family.children)
    return render_template("concerns/form.html", family=family, programme=programme, form=form)


def _form_again(family, programme, form, code: int = 422):
    """Answer a rejected submission: the form with its errors and everything typed, or JSON."""
    if wants_json():
        return jsonify(error="Unprocessable Entity", errors=form.errors, form_errors=form.form_errors), code
    return render_template("concerns/form.html", family=family, programme=programme, form=form), code


@bp.route("/concerns/<concern_id>")
@roles_required(*access.CASE_ROLES)
def show(concern_id):
    """A concern: its status for everyone; its text only for the social worker and coordinator."""
    return _page(access.concern_for(current_user, concern_id))


def _page(concern, code: int = 200, **forms):
    role = current_user.role
    items = [concern, *concern.addenda]
    unacknowledged = [i for i in items if not i.acknowledged]
    context = dict(
        ack_form=AcknowledgeForm(formdata=None, addenda=",".join(str(a.id) for a in concern.addenda))
        if unacknowledged and role in access.CONCERN_ACTIONS["acknowledge"] else None,
        action_form=ActionTakenForm(formdata=None) if role is Role.social_worker else None,
        addendum_form=AddendumForm(formdata=None, client_uuid=str(uuid.uuid4()))
        if role in access.CONCERN_ACTIONS["addendum"] else None,
        debrief_form=DebriefForm(formdata=None) if role is Role.coordinator else None)
    context.update(forms)
    return render_template("concerns/show.html", concern=concern, items=items, now=clock.now(),
                           deliveries=status.deliveries(i.id for i in items), staff=role is not Role.mentor,
                           programme=current_user.programme, **context), code


@bp.route("/concerns/<concern_id>/status")
@roles_required(*access.CASE_ROLES)
def status_json(concern_id):
    """Where the concern and its addenda stand now, as the page shows it (the page polls this)."""
    concern = access.concern_for(current_user, concern_id, "status")
    items = [concern, *concern.addenda]
    mail = status.deliveries(i.id for i in items)
    staff = current_user.role is not Role.mentor
    answer = [{"id": str(i.id), "html": render_template("concerns/_timeline.html", item=i, delivery=mail.get(i.id),
                                                        staff=staff)} for i in items]
    settled = all(i.acknowledged and mail.get(i.id) and mail[i.id].state in ("sent", "dead") for i in items)
    return jsonify(items=answer, final=settled)


@bp.route("/concerns/<concern_id>/acknowledge", methods=["POST"])
@roles_required(Role.social_worker, Role.coordinator)
def acknowledge(concern_id):
    """'I have read this and I am taking it from here.'"""
    concern = access.concern_for(current_user, concern_id, "acknowledge")
    return handle_form(AcknowledgeForm(), lambda f: services.acknowledge(current_user, concern, f.addendum_ids()),
                       lambda done: "Acknowledged: the mentor can see you have it, and escalation has stopped."
                       if done else "This was already acknowledged.",
                       lambda f: _page(concern, 422, ack_form=f), "concerns.show", concern_id=concern.id)


@bp.route("/concerns/<concern_id>/action", methods=["POST"])
@roles_required(Role.social_worker)
def action_taken(concern_id):
    """Record a short note of the action taken, for the mentor."""
    concern = access.concern_for(current_user, concern_id, "action_taken")
    return handle_form(ActionTakenForm(), lambda f: services.record_action_taken(current_user, concern, f.note.data),
                       "Action taken recorded. The mentor will see your note.",
                       lambda f: _page(concern, 422, action_form=f), "concerns.show", concern_id=concern.id)


@bp.route("/concerns/<concern_id>/addenda", methods=["POST"])
@roles_required(Role.mentor, Role.coordinator)
def add_addendum(concern_id):
    """Add later facts to a concern (it cannot be edited); they are alerted like the concern."""
    concern = access.concern_for(current_user, concern_id, "addendum")
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            addendum, created = services.add_addendum(current_user, concern, form.addendum_data(),
                                                      form.client_uuid.data)
        except IdempotencyConflict:
            db.session.rollback()
            form.form_errors.append(CONFLICT)
        else:
            db.session.commit()
            if wants_json():
                return jsonify(id=str(addendum.id), concern_id=str(concern.id), created=created), \
                    201 if created else 200
            flash("Added. The social worker and coordinator are being emailed now.", "info")
            return redirect(url_for("concerns.show", concern_id=concern.id))
    if wants_json():
        return jsonify(error="Unprocessable Entity", errors=form.errors, form_errors=form.form_errors), 422
    return _page(concern, 422, addendum_form=form)


@bp.route("/concerns/")
@roles_required(*access.CASE_ROLES)
def index():
    """Concerns: open ones with acknowledgement times; for a coordinator also dead letters and debriefs."""
    concerns, page = access.concern_index(current_user, limit=paging.PER_PAGE, offset=paging.asked_offset())
    coordinator = current_user.role is Role.coordinator
    return render_template(
        "concerns/index.html", concerns=concerns, now=clock.now(),
        deliveries=status.deliveries(c.id for c in concerns),  # shown on the open ones; asked alike for any page
        debriefs=access.debrief_queue(current_user, limit=DEBRIEFS_SHOWN) if coordinator else [],
        debriefs_total=access.count_debriefs(current_user) if coordinator else 0,
        undelivered=access.count_undelivered(current_user) if coordinator else 0, programme=current_user.programme,
        waited=alerts.waited_phrase, minutes=status.minutes_between, page=page)


@bp.route("/concerns/debriefs/<task_id>", methods=["POST"])
@roles_required(Role.coordinator)
def complete_debrief(task_id):
    """Mark a mentor's debrief done, with a note."""
    task = access.debrief_for(current_user, task_id)
    return handle_form(DebriefForm(), lambda f: services.complete_debrief(current_user, task, f.note.data),
                       "Debrief recorded.", "Write a short note of the debrief before marking it done.",
                       "concerns.show", concern_id=task.concern_id, _anchor="debrief")

