"""Per-request hooks: loading the signed-in user, committing the request (its audit rows, its session) once."""
import uuid

from flask import Flask, current_app, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import event

from pwa.core.extensions import db, login_manager
from pwa.models import User


def _keep_loaded_user(user: User, context) -> None:
    """Hold users loaded during a request until it ends.

    The identity map holds objects weakly: the session row loads its user (joined, pwa.models.account)
    and drops it on return, so Flask-Login's lookup by primary key would query for it again. Kept
    here, that lookup is answered from the identity map; the session (and this list) ends with the request.
    """
    if has_request_context():
        context.session.info.setdefault("request_users", []).append(user)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user (already in the identity map, see _keep_loaded_user); a disabled account is nobody."""
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None


def finish_transaction(response):
    """Commit what the request did or roll back on errors.

    On SQLite the request's reads ran in a read transaction and its first write took the write
    lock (pwa.core.database), so the lock is held only from the first write to this commit.
    """
    if response.status_code >= 400:
        db.session.rollback()
    else:
        db.session.commit()
    g.writing = True  # what is saved after this (the session, if changed later) is a write of its own
    return response


def _stage_session(db_session) -> None:
    """Before a request's commit: its session row's changes (a touch, a flashed message) join that commit."""
    if has_request_context() and not g.get("writing"):
        stage = getattr(current_app.session_interface, "stage", None)
        if stage is not None:
            stage(session._get_current_object())


def register(app: Flask) -> None:
    """Attach the hooks and sign-in settings."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = None  # sessions live server-side and end on sign-out
    app.after_request(finish_transaction)
    event.listen(db.session, "before_commit", _stage_session)
    if not event.contains(User, "load", _keep_loaded_user):
        event.listen(User, "load", _keep_loaded_user)
    from pwa.web.safe_json import BoundedJSONProvider

    app.json = BoundedJSONProvider(app)
    app.jinja_env.globals["current_user"] = current_user
    from pwa.web import templating

    templating.register(app)
