"""Home and health check."""
import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user, login_required

from pwa.core.extensions import db
from pwa.models import Role

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Send each person to the screen their day starts on."""
    if current_user.role is Role.admin:
        return redirect(url_for("admin.programmes"))
    if current_user.role is Role.coordinator:
        return redirect(url_for("supervision.index"))
    if current_user.role is Role.mentor:
        return redirect(url_for("diary.home"))
    return redirect(url_for("casework.caseload"))


@bp.route("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="up")
