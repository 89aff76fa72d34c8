"""The approval queue, approving an account, and changing an account's role or programme."""
import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.admin import approvals
from pwa.admin.forms import AccessForm
from pwa.core.extensions import db
from pwa.models import Role, User
from pwa.web.forms import choices, enum_choices
from pwa.web.posts import attempt

bp = Blueprint("approvals", __name__, url_prefix="/admin")
MANAGERS = (Role.admin, Role.coordinator)


@bp.route("/approvals")
@roles_required(*MANAGERS)
def queue():
    """Accounts waiting for a second person's approval."""
    waiting = db.session.scalars(access.manageable_users(current_user)
                                 .where(User.approval_requested_by_id.is_not(None)).order_by(User.created_at)).all()
    rows = [(u, approvals.may_approve(current_user, u), approvals.reference(u)) for u in waiting]
    return render_template("admin/approvals.html", rows=rows)


@bp.route("/users/<user_id>/approve", methods=["POST"])
@roles_required(*MANAGERS)
def approve(user_id):
    """Approve an account someone else created or changed."""
    user = access.user_for(current_user, user_id)
    return attempt(lambda: approvals.approve(current_user, user), approvals.Refused,
                   "Account approved: they can sign in now.", "approvals.queue")


def _access_form(user: User) -> AccessForm:
    form = AccessForm(data={"role": user.role.name, "programme": str(user.programme_id or "")})
    if current_user.role is Role.admin:
        form.programme.choices = choices([("", "None (admins only)")] +
                                         [(str(p.id), p.name) for p in access.programmes_for(current_user)])
    else:
        form.role.choices = enum_choices(Role, (Role.mentor, Role.social_worker, Role.coordinator))
        form.programme.choices = choices([(str(current_user.programme_id), current_user.programme.name)])
    return form


@bp.route("/users/<user_id>/access", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def change_access(user_id):
    """Change someone's role or programme; they wait for a second person's approval."""
    user = access.user_for(current_user, user_id)
    form = _access_form(user)
    if form.validate_on_submit():
        role = Role[form.role.data]
        programme_id = uuid.UUID(form.programme.data) if form.programme.data else None
        if role is not Role.admin and programme_id is None:
            form.programme.errors.append("Choose the programme this person works in.")
        else:
            try:
                changed = approvals.change_access(current_user, user, role, programme_id)
            except approvals.Refused as refused:
                flash(str(refused), "error")
                return redirect(url_for("admin.users"))
            db.session.commit()
            flash("Changed: the account waits for a second person's approval." if changed else "Nothing changed.",
                  "info")
            return redirect(url_for("approvals.queue" if changed else "admin.users"))
    return render_template("admin/access.html", form=form, user=user), 422 if form.errors else 200
