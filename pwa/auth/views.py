"""Sign in and out, set a password from a one-time link, change or reset it."""
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from pwa.auth import services
from pwa.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm, ResetRequestForm, SetPasswordForm
from pwa.auth.passwords import check_password
from pwa.core.extensions import db
from pwa.models import TokenPurpose, User

bp = Blueprint("auth", __name__)


def client_address() -> str:
    """The caller's address (ProxyFix sets it correctly behind a trusted proxy)."""
    return request.remote_addr or "unknown"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, client_address())
        except services.LockedOut as locked:
            db.session.commit()
            flash(f"Too many failed attempts. Try again in {locked.minutes} minutes, or reset your password.", "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()
            flash("That email and password do not match an active account.", "error")
            return render_template("auth/login.html", form=form), 200
        session.clear()
        session.regenerate()
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: the server forgets the session at once."""
    logout_user()
    session.clear()
    session.regenerate()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password from an invitation or reset link."""
    link = services.redeem_link(token)
    if link is None:
        return render_template("auth/link_expired.html"), 410
    user = db.session.get(User, link.user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data, link=link)
        db.session.commit()
        flash("Your password is saved. Sign in with it now.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, invite=link.purpose is TokenPurpose.invite)


@bp.route("/account/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a password reset link by email."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.email == form.email.data.strip().lower()))
        if user is not None and user.active:
            services.send_link(user, TokenPurpose.reset)
        db.session.commit()
        # The same answer either way, so the form does not reveal who has an account.
        flash("If that email has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password; every other session ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            services.set_password(current_user, form.password.data)
            logout_user()
            session.clear()
            session.regenerate()
            db.session.commit()
            flash("Password changed. Sign in again with the new one.", "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account")
@login_required
def account():
    """Your account: name, role, password and which emails you get."""
    return render_template("auth/account.html", form=PreferencesForm(obj=current_user))


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    """Switch reminder emails on or off (alerts about concerns cannot be switched off)."""
    form = PreferencesForm()
    if form.validate_on_submit():
        services.set_preferences(current_user, digest=form.digest_emails.data, reminders=form.reminder_emails.data)
        db.session.commit()
        flash("Your email choices are saved.", "info")
    return redirect(url_for("auth.account"))
