"""Per-request hooks: loading the signed-in user, committing reads' audit rows."""
import uuid

from flask import Flask, g
from flask_login import current_user

from pwa.core import audit
from pwa.core.extensions import db, login_manager
from pwa.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user; a disabled account is nobody."""
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
    app.jinja_env.globals["current_user"] = current_user
    from pwa.web import templating

    templating.register(app)
