"""The mentor's home, logging and correcting a visit, reading an entry, and the family page's diary."""
import uuid
from decimal import Decimal

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from pwa import access
from pwa.casework import chronology
from pwa.core import clock, idempotency
from pwa.access import roles_required
from pwa.diary import services
from pwa.core.clock import local_today
from pwa.diary.forms import CorrectionForm, VisitForm
from pwa.core.errors import wants_json
from pwa.core.extensions import db
from pwa.models import Role

bp = Blueprint("diary", __name__)


@chronology.source(kinds=("visit",), by_child=True)
def visit_items(user, family, limit, since=None, until=None, child=None) -> list[chronology.Item]:
    """Diary entries as chronology items (a mentor: only their own), between two dates, naming a child, when given."""
    return [chronology.Item("visit", v.started_at, v.kind.value, "diary/_visit_item.html", v, recorded_at=v.created_at)
            for v in access.family_visit_lines(user, family, limit, since=since, until=until, child=child)]


@bp.app_template_global()
def concern_url(family_id) -> str:
    """Where 'Raise a concern' goes: the concerns page once that feature is installed, else its path."""
    if "concerns.new" in current_app.view_functions:
        return url_for("concerns.new", family_id=family_id)
    return f"/families/{family_id}/concerns/new"


@bp.app_template_global()
def family_diary(family) -> chronology.Page:
    """The family page's diary: the chronology the signed-in user may read, page ?page=N."""
    return chronology.page(current_user, family, chronology.page_number(request.args.get("page")),
                           kinds={"visit", "concern"})


@bp.route("/diary")
@roles_required(Role.mentor)
def home():
    """The mentor's families: last visit, next contact, open goals, overdue; log a visit or raise a concern."""
    families = access.list_families(current_user)
    starts = access.active_match_starts(current_user, [f.id for f in families])
    cards = services.caseload(current_user, families, starts)
    return render_template("diary/home.html", cards=cards, today=clock.today())


@bp.route("/families/<family_id>/visits/new", methods=["GET", "POST"])
@roles_required(Role.mentor)
def new_visit(family_id):
    """Log a visit: about a minute's typing, works without JavaScript, stored once per submission."""
    family = access.family_for(current_user, family_id, "log_visit")
    form = VisitForm()
    if not form.is_submitted():
        form.visit_on.data = local_today()
    return _entry(family, form)


@bp.route("/visits/<visit_id>")
@roles_required(*access.CASE_ROLES)
def show_visit(visit_id):
    """One diary entry and the entries it corrects or is corrected by."""
    from pwa.supervision.forms import ReviewEntryForm
    from pwa.supervision.reviews import review_of

    visit = access.visit_for(current_user, visit_id)
    family = access.family_for(current_user, visit.family_id)
    form = ReviewEntryForm() if current_user.role is Role.coordinator else None
    return render_template("diary/visit.html", visit=visit, family=family, review=review_of(visit), review_form=form,
                           entry_form=VisitForm)


@bp.route("/visits/<visit_id>/correct", methods=["GET", "POST"])
@roles_required(Role.mentor)
def correct_visit(visit_id):
    """Correct an entry: a new entry linked to the one it corrects (the earlier one is kept)."""
    visit = access.visit_for(current_user, visit_id, "correct")
    family = access.family_for(current_user, visit.family_id, "log_visit")
    form = CorrectionForm() if request.method == "POST" else CorrectionForm(formdata=None, data=_prefill(visit))
    if request.method == "GET" and visit.corrected_by is not None:
        return _already_corrected(visit.corrected_by)
    return _entry(family, form, corrects=visit)


def _entry(family, form, corrects=None):
    """Show the entry form, or submit it through the one write path."""
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())
        form.offer(family.children, services.offered_goals(family, corrects))
        return _form_page(form, family, corrects)
    try:
        visit, created = services.submit_visit(current_user, family, form, _client_uuid(form), corrects=corrects)
    except services.VisitInvalid:
        if _client_uuid(form) is None:
            form.client_uuid.data = str(uuid.uuid4())
        return _form_page(form, family, corrects, 422)
    except idempotency.IdempotencyConflict as conflict:
        return _conflict(form, family, corrects, conflict)
    except services.AlreadyCorrected as done:
        return _already_corrected(done.correction)
    url = url_for("diary.show_visit", visit_id=visit.id)
    if wants_json():
        db.session.commit()
        return jsonify(id=str(visit.id), created=created, url=url), 201 if created else 200
    flash("Visit saved. Thank you: what you noticed helps the family and everyone supporting them." if created
          else "This visit was already saved.", "info")
    db.session.commit()  # after the flash: the message is saved with the entry, in one write transaction
    return redirect(url)


def _client_uuid(form) -> uuid.UUID | None:
    """The submission's client UUID: the Idempotency-Key header, else the form's hidden field."""
    try:
        return idempotency.parse_client_uuid(request.headers.get("Idempotency-Key") or form.client_uuid.data)
    except ValueError:
        return None


def _form_page(form, family, corrects, status=200):
    return render_template("diary/visit_form.html", form=form, family=family, corrects=corrects), status


def _conflict(form, family, corrects, conflict):
    """The same submission id came with different content: keep what was typed, save nothing."""
    message = ("This form was already sent with different content, so nothing new was saved. "
               "To change the saved entry, correct it; if this is another visit, send this form again.")
    if wants_json():
        return jsonify(error="Unprocessable Entity", message=message), 422
    first = services.own_entry(current_user, conflict.client_uuid)
    form.client_uuid.data = str(uuid.uuid4())
    return render_template("diary/visit_form.html", form=form, family=family, corrects=corrects,
                           conflict=message, first=first), 422


def _already_corrected(correction):
    flash("That entry has already been corrected: this is the newest version.", "error")
    return redirect(url_for("diary.show_visit", visit_id=correction.id))


def _prefill(visit) -> dict:
    """An entry's values, to start a correction from."""
    return VisitForm.prefill(visit) | dict(
        visit_on=visit.visit_on, started_at=clock.local(visit.started_at).time(), kind=visit.kind.name,
        children_seen=[str(c.child_id) for c in visit.children if c.seen],
        children_spoken=[str(c.child_id) for c in visit.children if c.spoken_to],
        goals=[{"goal_id": str(g.goal_id), "mark": g.mark.name, "note": g.note} for g in visit.goals],
        travel_miles=None if visit.travel_tenth_miles is None else Decimal(visit.travel_tenth_miles) / 10)
