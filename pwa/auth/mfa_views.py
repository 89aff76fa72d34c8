"""The second step of signing in: enrol an authenticator app, verify a code, recovery codes, resets."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from pwa import access
from pwa.access import roles_required
from pwa.auth import devices, mfa, recovery, throttle, totp
from pwa.auth.mfa_forms import CodeForm, EnrolForm
from pwa.auth.services import notify_change
from pwa.core.extensions import db
from pwa.models import Role

bp = Blueprint("mfa", __name__, url_prefix="/account/mfa")


def finish(user, method: str, response_for, remember: bool = False):
    """Complete the sign-in: record the method, new session token, cookies; `response_for(target)` answers."""
    mfa.complete_sign_in(user, method)
    target = session.pop("after", None) or url_for("main.home")
    session.regenerate()
    response = response_for(target)
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    response.set_cookie(devices.KNOWN_COOKIE, devices.known_token(user.email), max_age=devices.KNOWN_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=secure, path="/")
    if remember and devices.remember_days(user) > 0:
        response.set_cookie(devices.REMEMBER_COOKIE, devices.remember(user), httponly=True, samesite="Lax",
                            secure=secure, path="/", max_age=devices.remember_days(user) * 86400)
    return response


def _new_factor_allowed() -> bool:
    """Adding a factor needs a full sign-in, except for someone who has none yet."""
    return mfa.satisfied() or not mfa.enrolled(current_user)


@bp.route("/enrol", methods=["GET", "POST"])
@login_required
def enrol():
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code."""
    if not _new_factor_allowed():
        return redirect(url_for("mfa.verify"))
    row, form = totp.pending(current_user), EnrolForm()
    if form.validate_on_submit():
        if totp.confirm(current_user, row, form.code.data):
            first = not mfa.satisfied()
            devices.forget_all(current_user.id)
            notify_change(current_user, "An authenticator app was set up for your Bridge account")
            if first:
                after = session.get("after")
                response = finish(current_user, "totp", lambda target: redirect(url_for("mfa.recovery_codes")))
                if after:
                    session["after"] = after  # where the recovery-codes page continues to
            else:
                response = redirect(url_for("mfa.recovery_codes"))
            db.session.commit()
            return response
        form.code.errors.append("That code is not right. Check the app shows Bridge and try the newest code.")
    return render_template("auth/mfa_enrol.html", form=form, qr=totp.qr_code(current_user, row),
                           secret=totp.grouped(str(row.secret)), first=not mfa.satisfied())


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    """The second step: a code from the authenticator app, a passkey, or a recovery code."""
    if mfa.satisfied():
        return redirect(url_for("main.home"))
    if not mfa.enrolled(current_user):
        return redirect(url_for("mfa.enrol"))
    form, key = CodeForm(), throttle.key("mfa", str(current_user.id))
    if form.validate_on_submit():
        try:
            throttle.check(key)
        except throttle.Slowed as slowed:
            flash(f"Too many wrong codes. Try again in {slowed.wait}.", "error")
            return _verify_page(form), 429
        method = mfa.check_code(current_user, form.code.data)
        if method is not None:
            throttle.clear(key)
            response = finish(current_user, method, redirect, remember=form.remember.data)
            db.session.commit()
            return response
        throttle.fail(key)
        db.session.commit()
        form.code.errors.append("That code is not right. Use the newest code in the app, or a recovery code.")
    return _verify_page(form)


def _verify_page(form):
    return render_template("auth/mfa_verify.html", form=form, has_totp=totp.confirmed(current_user.id) is not None,
                           has_passkeys=mfa.has_passkeys(current_user.id),
                           remember_days=devices.remember_days(current_user))


@bp.route("/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """Show ten new recovery codes once (made on first visit, or when asked for with a POST)."""
    from flask import request

    codes = None
    if request.method == "POST" or recovery.remaining(current_user.id) == 0:
        codes = recovery.new_codes(current_user.id)
        if request.method == "POST":
            notify_change(current_user, "New recovery codes were made for your Bridge account")
        db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, left=recovery.remaining(current_user.id),
                           after=session.pop("after", None) or url_for("auth.account"))


@bp.route("/devices/forget", methods=["POST"])
@login_required
def forget_devices():
    """Forget every remembered device: each asks for the second factor again."""
    devices.forget_all(current_user.id)
    db.session.commit()
    flash("Every device will ask for your second factor again.", "info")
    return redirect(url_for("auth.account"))


@bp.route("/reset/<user_id>", methods=["POST"])
@roles_required(Role.admin, Role.coordinator)
def reset_for(user_id):
    """Reset someone's second factor (a lost phone); they set up a new one at next sign-in."""
    user = access.user_for(current_user, user_id)
    if user.id == current_user.id:
        flash("Reset your own second factor from your account page.", "error")
    elif current_user.role is Role.coordinator and user.role in (Role.coordinator, Role.admin):
        abort(403)  # a fellow coordinator's (or an admin's) second factor is an admin's to reset
    else:
        mfa.reset(user, current_user)
        db.session.commit()
        flash("Second factor reset. They will set up a new one when they next sign in; they have been emailed.",
              "info")
    return redirect(url_for("admin.users"))
