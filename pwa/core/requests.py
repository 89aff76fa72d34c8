"""Per-request hooks: loading the signed-in user, committing reads' audit rows."""
import uuid

from flask import Flask, g, has_request_context
from flask_login import current_user
from sqlalchemy import event

from pwa.core import audit
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


def _wrote(session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get("wrote"))


def finish_transaction(response):
    """Commit what the request queued (audit rows of reads) or roll back on errors."""
    if response.status_code >= 400:
        db.session.rollback()
    elif g.get("writing") is None and db.engine.dialect.name == "sqlite" and not _wrote(db.session):
        # A GET's reads are done: end the read transaction and append its audit
        # rows in a short write transaction, so readers never hold the write lock.
        pending = audit.take_pending(db.session)
        db.session.rollback()
        g.writing = True
        audit.requeue(db.session, pending)
        db.session.commit()
    else:
        db.session.commit()
    g.writing = True  # the session store's own writes come next
    return response


def register(app: Flask) -> None:
    """Attach the hooks and sign-in settings."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = None  # sessions live server-side and end on sign-out
    app.after_request(finish_transaction)
    if not event.contains(User, "load", _keep_loaded_user):
        event.listen(User, "load", _keep_loaded_user)
    from pwa.web.safe_json import BoundedJSONProvider

    app.json = BoundedJSONProvider(app)
    app.jinja_env.globals["current_user"] = current_user
    from pwa.web import templating

    templating.register(app)
