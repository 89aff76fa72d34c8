"""Passkey ceremonies as small JSON endpoints for static/js/passkeys.js, and removing a passkey."""
from flask import abort, current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required

from pwa.auth import devices, mfa, passkeys
from pwa.auth.mfa_views import bp, finish
from pwa.auth.services import notify_change
from pwa.core.extensions import db

CHALLENGE = "webauthn_challenge"


def _options(pair: tuple[str, str]):
    options, challenge = pair
    session[CHALLENGE] = challenge
    return current_app.response_class(options, mimetype="application/json")


def _credential() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict) or CHALLENGE not in session:
        abort(400)
    return body


@bp.route("/passkeys/new/options", methods=["POST"])
@login_required
def passkey_options():
    """Start registering a passkey (signed in fully, or setting up a first factor)."""
    if not (mfa.satisfied() or not mfa.enrolled(current_user)):
        abort(403)
    return _options(passkeys.registration_options(current_user))


@bp.route("/passkeys/new", methods=["POST"])
@login_required
def passkey_register():
    """Finish registering a passkey."""
    if not (mfa.satisfied() or not mfa.enrolled(current_user)):
        abort(403)
    body = _credential()
    try:
        passkeys.register(current_user, body["credential"], session.pop(CHALLENGE), str(body.get("label") or ""))
    except passkeys.Refused:
        db.session.rollback()
        return jsonify(error="The passkey could not be checked. Try again."), 422
    devices.forget_all(current_user.id)
    notify_change(current_user, "A passkey was added to your Bridge account")
    if not mfa.satisfied():
        after = session.get("after")
        response = finish(current_user, "passkey", lambda target: jsonify(next=url_for("mfa.recovery_codes")))
        if after:
            session["after"] = after
    else:
        flash("Passkey added.", "info")
        response = jsonify(next=url_for("auth.account"))
    db.session.commit()
    return response


@bp.route("/passkeys/login/options", methods=["POST"])
@login_required
def passkey_login_options():
    """Start the second step with a passkey."""
    return _options(passkeys.authentication_options(current_user))


@bp.route("/passkeys/login", methods=["POST"])
@login_required
def passkey_login():
    """Finish the second step with a passkey."""
    if mfa.satisfied():
        return jsonify(next=url_for("main.home"))
    body = _credential()
    try:
        passkeys.authenticate(current_user, body["credential"], session.pop(CHALLENGE))
    except passkeys.Refused:
        db.session.commit()  # the spent challenge
        return jsonify(error="That passkey was not accepted. Try again or use a code."), 422
    response = finish(current_user, "passkey", lambda target: jsonify(next=target),
                      remember=bool(body.get("remember")))
    db.session.commit()
    return response


@bp.route("/passkeys/<passkey_id>/remove", methods=["POST"])
@login_required
def passkey_remove(passkey_id):
    """Remove one of your passkeys."""
    import uuid

    try:
        removed = passkeys.remove(current_user, uuid.UUID(passkey_id))
    except ValueError:
        abort(404)
    if not removed:
        abort(404)
    devices.forget_all(current_user.id)
    notify_change(current_user, "A passkey was removed from your Bridge account")
    db.session.commit()
    flash("Passkey removed.", "info")
    return redirect(url_for("auth.account"))
