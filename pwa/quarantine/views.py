"""Entries held from phones: the coordinator opens one, then turns it into a record or dismisses it."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.core.idempotency import IdempotencyConflict
from pwa.models import Role
from pwa.offline.kinds import Invalid
from pwa.offline.sync import all_or_nothing
from pwa.quarantine import display, services
from pwa.quarantine.forms import DismissForm, RecordForm
from pwa.web.posts import handle_form

bp = Blueprint("quarantine", __name__, url_prefix="/quarantine")
KIND_NAMES = {"concern": "Safeguarding concern", "visit": "Visit"}


@bp.route("/")
@roles_required(Role.coordinator)
def index():
    """Every held entry of the programme, newest first, waiting or dealt with."""
    return render_template("quarantine/index.html", items=access.held_items(current_user, open_only=False),
                           kinds=KIND_NAMES)


@bp.route("/<item_id>")
@roles_required(Role.coordinator)
def show(item_id):
    """Open a held entry: why it was held, who sent it, and what it says."""
    return _page(access.held_item_for(current_user, item_id))


def _page(item, code: int = 200, problems=(), dismiss_form=None):
    _, formdata = services.contents(item)
    return render_template(
        "quarantine/show.html", item=item, kinds=KIND_NAMES, family=access.held_family(current_user, item),
        fields=display.describe(item.kind, formdata), errors=services.errors_of(item), problems=list(problems),
        record_form=RecordForm(formdata=None), dismiss_form=dismiss_form or DismissForm(formdata=None)), code


@bp.route("/<item_id>/record", methods=["POST"])
@roles_required(Role.coordinator)
def record(item_id):
    """Store the held entry as its author's record, through the same path as the phone and the page."""
    item = access.held_item_for(current_user, item_id, "record")
    family = access.held_family(current_user, item)
    if not RecordForm().validate_on_submit() or not item.held:
        return redirect(url_for("quarantine.show", item_id=item.id))
    if family is None or item.body is None:
        return _page(item, 422, ["It cannot be turned into a record: it names no family in your programme, or it "
                                 "could not be opened. Phone the mentor, then dismiss it with a note."])
    try:
        with all_or_nothing():
            stored = services.make_record(current_user, item, family)
    except Invalid as bad:
        return _refused(item, [e["message"] if not e["label"] else f"{e['label']} {e['message']}"
                               for e in bad.errors])
    except (IdempotencyConflict, ValueError) as bad:
        return _refused(item, [_why(bad)])
    db.session.commit()
    flash("Stored as the mentor's record." + (" The social worker and coordinators are being emailed now."
                                               if item.kind == "concern" else ""), "info")
    return redirect(stored.url)


def _why(bad: Exception) -> str:
    if isinstance(bad, IdempotencyConflict):
        return "A record with this id already exists with other content."
    return "It still cannot be stored: the mentor no longer has an active match with this family."


def _refused(item, problems):
    db.session.commit()  # the opening is audited even though nothing was stored
    return _page(item, 422, ["It still cannot be stored as it is:", *problems,
                             "Phone the mentor, then dismiss it with a note."])


@bp.route("/<item_id>/dismiss", methods=["POST"])
@roles_required(Role.coordinator)
def dismiss(item_id):
    """Set the held entry aside, with a note of what was done about it."""
    item = access.held_item_for(current_user, item_id, "dismiss")
    return handle_form(DismissForm(), lambda f: services.dismiss(current_user, item, f.note.data),
                       "Dismissed, with your note.", lambda f: _page(item, 422, dismiss_form=f), "quarantine.index")
