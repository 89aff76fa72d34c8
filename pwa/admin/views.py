"""Admin and coordinator account management; admin programme settings."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pwa.web.forms import choices, enum_choices
from pwa import access
from pwa.access import roles_required
from pwa.admin import approvals, services
from pwa.admin.forms import InviteForm, ProgrammeForm
from pwa.auth import services as accounts
from pwa.core.extensions import db
from pwa.models import Role, TokenPurpose
from pwa.web import paging

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/programmes")
@roles_required(Role.admin)
def programmes():
    """List programmes."""
    return render_template("admin/programmes.html", programmes=access.programmes_for(current_user))


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def new_programme():
    """Create a programme."""
    form = ProgrammeForm()
    if form.validate_on_submit():
        services.save_programme(current_user, form)
        db.session.commit()
        flash("Programme created. Now invite its coordinators.", "info")
        return redirect(url_for("admin.programmes"))
    return render_template("admin/programme_form.html", form=form, programme=None)


@bp.route("/programmes/<programme_id>", methods=["GET", "POST"])
@roles_required(Role.admin)
def edit_programme(programme_id):
    """Change a programme's settings."""
    programme = access.programme_for(current_user, programme_id)
    form = ProgrammeForm(obj=programme)
    if not form.is_submitted():
        form.hourly_value.data = programme.hourly_value_pence / 100
    if form.validate_on_submit():
        services.save_programme(current_user, form, programme)
        db.session.commit()
        flash("Programme settings saved.", "info")
        return redirect(url_for("admin.programmes"))
    return render_template("admin/programme_form.html", form=form, programme=programme)


def _invite_form() -> InviteForm:
    form = InviteForm()
    if current_user.role is Role.admin:
        form.programme.choices = choices((str(p.id), p.name) for p in access.programmes_for(current_user))
    else:
        form.role.choices = enum_choices(Role, (Role.mentor, Role.social_worker, Role.coordinator))
        form.programme.choices = choices([(str(current_user.programme_id), current_user.programme.name)])
    return form


@bp.route("/users")
@roles_required(Role.admin, Role.coordinator)
def users():
    """List the accounts you manage, paged, by role; an admin can show one programme's."""
    programme = None
    if current_user.role is Role.admin and request.args.get("programme"):
        programme = access.programme_for(current_user, request.args["programme"])
    programme_id = programme and programme.id
    page = paging.from_request(access.count_accounts(current_user, programme_id))
    found = access.accounts(current_user, programme_id, limit=page.per_page, offset=page.offset)
    return render_template("admin/users.html", users=found, page=page, programme=programme,
                           programmes=access.programmes_for(current_user),
                           links={action: paging.RowLink(endpoint, "user_id") for action, endpoint in _ACCOUNT_LINKS})


# The buttons and link on each row of the accounts list.
_ACCOUNT_LINKS = (("disable", "admin.disable"), ("enable", "admin.enable"), ("resend", "admin.resend"),
                  ("reset", "mfa.reset_for"), ("change", "approvals.change_access"))


@bp.route("/users/invite", methods=["GET", "POST"])
@roles_required(Role.admin, Role.coordinator)
def invite():
    """Invite someone by email to set their password."""
    form = _invite_form()
    if form.validate_on_submit():
        try:
            services.invite(current_user, name=form.name.data, email=form.email.data, phone=form.phone.data,
                            role=Role[form.role.data], programme_id=_programme_choice(form))
        except services.DuplicateEmail:
            form.email.errors.append("An account with this email already exists.")
        else:
            db.session.commit()
            flash(f"Invitation sent to {form.email.data.strip().lower()}. The account works once a second "
                  f"person approves it (Accounts awaiting approval).", "info")
            return redirect(url_for("admin.users"))
    return render_template("admin/invite.html", form=form)


def _programme_choice(form):
    import uuid

    return uuid.UUID(form.programme.data) if form.programme.data else None


@bp.route("/users/<user_id>/disable", methods=["POST"])
@roles_required(Role.admin, Role.coordinator)
def disable(user_id):
    """Disable an account; its sessions end at once."""
    return _account_change(user_id, approvals.disable, "Account disabled and signed out everywhere.")


@bp.route("/users/<user_id>/enable", methods=["POST"])
@roles_required(Role.admin, Role.coordinator)
def enable(user_id):
    """Re-enable an account (an admin's disable only by an admin)."""
    return _account_change(user_id, approvals.enable, "Account enabled.")


def _account_change(user_id, change, done: str):
    try:
        change(current_user, access.user_for(current_user, user_id))
    except approvals.Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(done, "info")
    return redirect(url_for("admin.users"))


@bp.route("/users/<user_id>/resend", methods=["POST"])
@roles_required(Role.admin, Role.coordinator)
def resend(user_id):
    """Send a fresh invitation link (the old one stops working); never to an account that has a password."""
    user = access.user_for(current_user, user_id)
    if user.password_hash:
        flash("This person has already set a password, so no invitation was sent. "
              "They can reset it from the sign-in page.", "error")
        return redirect(url_for("admin.users"))
    accounts.send_link(user, TokenPurpose.invite, inviter=current_user)
    db.session.commit()
    flash("A new invitation link has been sent.", "info")
    return redirect(url_for("admin.users"))
