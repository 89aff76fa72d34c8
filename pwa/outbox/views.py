"""Undelivered mail: the dead letters an admin or coordinator may see (no case content) and send again."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role
from pwa.outbox import services

bp = Blueprint("outbox", __name__)


@bp.route("/mail/undelivered")
@roles_required(Role.admin, Role.coordinator)
def undelivered():
    """Emails that failed for good (no case content shown), to retry once the cause is fixed."""
    return render_template("outbox/undelivered.html", messages=access.undelivered_mail(current_user))


@bp.route("/mail/undelivered/<message_id>/retry", methods=["POST"])
@roles_required(Role.admin, Role.coordinator)
def retry_mail(message_id):
    """Send a dead letter again, with the same Message-ID."""
    services.retry_mail(current_user, access.undelivered_for(current_user, message_id))
    db.session.commit()
    flash("The email will be sent again now.", "info")
    return redirect(url_for("outbox.undelivered"))
