"""The service worker, the manifest, the offline shell pages, and the outbox's JSON endpoints."""
import base64
from functools import wraps

from flask import Blueprint, Response, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from pwa import access
from pwa.core import clock
from pwa.access import roles_required
from pwa.crypto import sealing
from pwa.core.extensions import db
from pwa.models import Role
from pwa.offline import commands, shell, sync
from pwa.offline.kinds import SYNC_ROLES

bp = Blueprint("offline", __name__)
SHELL_CACHING = "no-cache, private"


commands.register(bp)


def json_roles_required(*roles: Role):
    """roles_required for JSON callers: 401 (not a redirect to sign-in) when signed out."""

    def decorator(view):
        guarded = roles_required(*roles)(view)

        @wraps(guarded)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return jsonify(error="Unauthorized", message="Sign in again to send your entries."), 401
            return guarded(*args, **kwargs)

        return wrapped

    return decorator


def _shell_response(body: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = SHELL_CACHING
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker, at the root scope; BRIDGE_SW_KILL ships one that removes itself."""
    response = _shell_response(shell.service_worker(), "text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest, for installing Bridge on a phone."""
    return _shell_response(current_app.json.dumps(shell.manifest()), "application/manifest+json")


@bp.route("/offline")
def fallback():
    """Shown by the service worker when a page cannot be reached: what still works offline."""
    return _shell_response(shell.render_shell("offline.fallback"), "text/html")


@bp.route("/offline/visit")
def visit_form():
    """Log a visit offline: a static form, filled from the phone's encrypted snapshot."""
    return _shell_response(shell.render_shell("offline.visit_form"), "text/html")


@bp.route("/offline/concern")
def concern_form():
    """Raise a concern offline: a static form, filled from the phone's encrypted snapshot."""
    return _shell_response(shell.render_shell("offline.concern_form"), "text/html")


@bp.route("/offline/outbox")
def outbox():
    """The phone's outbox: entries waiting, sent and failed (listed by JavaScript)."""
    return _shell_response(shell.render_shell("offline.outbox"), "text/html")


@bp.route("/offline/snapshot")
@json_roles_required(Role.mentor)
def snapshot():
    """What the offline forms need: the mentor's families, children's first names, goal titles."""
    families = access.offline_snapshot(current_user)
    return jsonify(
        user=str(current_user.id), taken_at=clock.now().isoformat(),
        duty_phone=current_user.programme.duty_phone if current_user.programme else None,
        families=[{"id": str(f.id), "label": f"{f.display_name} ({f.reference})",
                   "children": [{"id": str(c.id), "name": c.first_name} for c in f.children],
                   "goals": [{"id": str(g.id), "title": g.title} for g in goals]}
                  for f, goals in families])


def sealing_key() -> dict:
    """The server's current sealing key: format, its id and public point (base64url). Public: the
    pages with an outbox form carry it too, so a phone that opened one can seal with no signal."""
    kid, public = sealing.keys_for(current_app.config).public_key()
    return {"kid": kid, "public_key": base64.urlsafe_b64encode(public).rstrip(b"=").decode(), "format": sync.FORMAT}


@bp.route("/offline/key")
@json_roles_required(*SYNC_ROLES)
def key():
    """The server's current sealing key: its id and public point (base64url)."""
    return jsonify(sealing_key())


@bp.route("/sync/token")
@json_roles_required(*SYNC_ROLES)
def token():
    """Who is signed in and a fresh CSRF token, for the outbox to send with."""
    return jsonify(user=str(current_user.id), csrf_token=generate_csrf())


@bp.route("/sync/items", methods=["POST"])
@json_roles_required(*SYNC_ROLES)
def items():
    """Receive up to 50 sealed entries: open, validate and store each once; answer each by UUID."""
    try:
        entries = sync.parse_batch(request.get_json(silent=True))
    except sync.Malformed as bad:
        return jsonify(error="Unprocessable Entity", message=str(bad)), 422
    results = sync.receive(current_user, sealing.keys_for(current_app.config), entries)
    db.session.commit()
    return jsonify(results=results)


@bp.route("/sync/states")
@json_roles_required(*SYNC_ROLES)
def states():
    """Where the user's sent entries stand now (a concern: email accepted, acknowledged), by UUID."""
    return jsonify(states=sync.states(current_user, request.args.getlist("uuid")))
