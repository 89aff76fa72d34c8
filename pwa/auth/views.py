"""Sign in and out, set a password from a one-time link, change or reset it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from pwa.auth import devices, mfa, services, throttle
from pwa.auth.mfa_views import finish
from pwa.auth.nexturl import safe_next
from pwa.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm, ResetRequestForm, SetPasswordForm
from pwa.auth.passwords import check_password
from pwa.core.extensions import db
from pwa.models import TokenPurpose, User

bp = Blueprint("auth", __name__)


def client_address() -> str:
    """The caller's address (ProxyFix sets it correctly behind a trusted proxy)."""
    return request.remote_addr or "unknown"


def _known_device() -> str | None:
    return request.cookies.get(devices.KNOWN_COOKIE)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password; then the second factor."""
    if current_user.is_authenticated and mfa.satisfied():
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, client_address(), _known_device())
        except throttle.Slowed as slowed:
            db.session.commit()
            flash(f"Too many failed attempts. Try again in {slowed.wait} "
                  f"(or reset your password).", "error")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            db.session.commit()
            flash("That email and password do not match an active account.", "error")
            return render_template("auth/login.html", form=form), 200
        return _after_password(user)
    return render_template("auth/login.html", form=form)


def _after_password(user: User):
    """Start the session; finish at once where no second factor is needed, else go to it."""
    session.clear()
    session.regenerate()
    login_user(user)
    session["after"] = safe_next(request.args.get("next"), url_for("main.home"))
    if not mfa.required(user):
        response = redirect(session.pop("after"))
    elif devices.remembered(user, request.cookies.get(devices.REMEMBER_COOKIE)):
        response = finish(user, "remembered", redirect)
    else:
        response = redirect(url_for("mfa.verify" if mfa.enrolled(user) else "mfa.enrol"))
    db.session.commit()
    return response


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
    form = SetPasswordForm(person=user)
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
        services.request_reset(form.email.data, client_address())
        db.session.commit()
        # The same answer either way, so the form does not reveal who has an account.
        flash("If that email has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password; every other session ends."""
    form = ChangePasswordForm(person=current_user)
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
    return render_template("auth/account.html", form=PreferencesForm(obj=current_user), **security_summary())


def security_summary() -> dict:
    """What the account page shows about second factors."""
    from pwa.auth import passkeys, recovery, totp

    return {"totp": totp.confirmed(current_user.id), "passkeys": passkeys.of(current_user.id),
            "codes_left": recovery.remaining(current_user.id), "devices": devices.count(current_user.id),
            "remember_days": devices.remember_days(current_user), "mfa_required": mfa.required(current_user)}


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
