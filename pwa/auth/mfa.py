"""Multi-factor sign-in: who needs it, how it was satisfied, the gate, and resetting it. Flush only.

After the password the session is signed in but holds no `mfa` entry: the gate lets it
reach only the enrol and verify pages, sign-out and static files. Completing the second
factor records how in `session["mfa"]`: "totp", "passkey", "recovery", "remembered" or
"sso" (single sign-on sets that itself after `login_user`).
"""
import sqlalchemy as sa
from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user

from pwa.auth import devices, recovery, totp
from pwa.core import audit
from pwa.core.extensions import db
from pwa.core.sessions import end_all_sessions
from pwa.models import Passkey, RecoveryCode, TotpSecret, User

METHODS = ("totp", "passkey", "recovery", "remembered", "sso")
# Reachable by a signed-in session before its second factor.
OPEN_ENDPOINTS = {"static", "auth.login", "auth.logout", "main.healthz", "main.hello", "mfa.enrol", "mfa.verify",
                  "mfa.passkey_options", "mfa.passkey_register",
                  "mfa.passkey_login_options", "mfa.passkey_login"}


def required(user: User) -> bool:
    """This person's role must use a second factor (every role by default; see MFA_REQUIRED_ROLES)."""
    return user.role.name in current_app.config["MFA_REQUIRED_ROLES"]


def has_passkeys(user_id) -> bool:
    """The person has registered at least one passkey."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Passkey).where(Passkey.user_id == user_id)) > 0


def enrolled(user: User) -> bool:
    """The person has a working second factor."""
    return totp.confirmed(user.id) is not None or has_passkeys(user.id)


def satisfied() -> bool:
    """The current session is fully signed in (second factor done, or not needed)."""
    if not current_user.is_authenticated:
        return False
    return session.get("mfa") in METHODS or not required(current_user)


def complete_sign_in(user: User, method: str) -> None:
    """Record how the second factor was satisfied (also called by single sign-on with "sso")."""
    if method not in METHODS:
        raise ValueError(method)
    session["mfa"] = method
    audit.record(db.session, user, f"second factor {method}"[:40], user)


def check_code(user: User, code: str) -> str | None:
    """Accept an authenticator-app code or a recovery code; returns which, or None."""
    row = totp.confirmed(user.id)
    if row is not None and totp.check(row, code):
        return "totp"
    if recovery.use(user.id, code):
        return "recovery"
    return None


def reset(user: User, actor: User) -> None:
    """Remove every second factor of a person (lost phone): they enrol again at next sign-in."""
    from pwa.auth.services import notify_change

    for model in (TotpSecret, Passkey, RecoveryCode):
        db.session.execute(sa.delete(model).where(model.user_id == user.id))
    devices.forget_all(user.id)
    end_all_sessions(user.id)
    audit.record(db.session, actor, "second factor reset", user)
    notify_change(user, "Your Bridge second factor was reset")
    db.session.flush()


def gate():
    """Before each request: a session without its second factor reaches only the open pages."""
    from pwa.core.security import shell_endpoints

    if request.endpoint in OPEN_ENDPOINTS or request.endpoint in shell_endpoints() or satisfied():
        return None
    if not current_user.is_authenticated:
        return None
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error="second factor needed", sign_in=url_for("mfa.verify")), 401
    return redirect(url_for("mfa.verify" if enrolled(current_user) else "mfa.enrol"))
