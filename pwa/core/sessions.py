"""Server-side sessions: the cookie carries a random token, the database the rest.

Logging out deletes the row; disabling an account or changing its password
deletes all its rows, so those sessions end at once on every server.
"""
import json
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from pwa.core import clock
from pwa.crypto import token_digest
from pwa.core.extensions import db
from pwa.models import WebSession

COOKIE = "bridge_session"
CSRF_FIELD = "csrf_token"  # where Flask-WTF keeps the session's raw CSRF token (WTF_CSRF_FIELD_NAME)
TOUCH_EVERY = timedelta(seconds=60)
# The row and its user (joined, pwa.models.account), built once: Session.get builds its select anew
# each time, and its building and cache key cost a quarter of what opening the session cost.
_ROW = sa.select(WebSession).where(WebSession.token_hash == sa.bindparam("token_hash"))


class ServerSession(CallbackDict, SessionMixin):
    """Session data with the token that names its row."""

    def __init__(self, initial=None, token: str | None = None, new: bool = False):
        def on_update(self):
            self.modified = True

        super().__init__(initial, on_update)
        self.token, self.new, self.modified, self.touch = token, new, False, False
        self.row = None  # the web_sessions row this request read
        self.cookie = None  # "set" or "delete" when the response must change the cookie

    def regenerate(self) -> None:
        """Issue a new token (on sign-in), so a planted token is worthless, and the session's one CSRF token.

        The CSRF token is made here, once, not by whichever page asks first: pages loaded at the same time
        in several tabs would each make their own and the last to save would win, failing the others' posts.
        """
        self.rotate_from, self.token, self.modified = self.token, None, True
        self[CSRF_FIELD] = secrets.token_hex(32)


class DatabaseSessionInterface(SessionInterface):
    """Keep sessions in the web_sessions table with idle and absolute timeouts."""

    def open_session(self, app, request):
        token = request.cookies.get(COOKIE)
        if not token or request.path.startswith(app.static_url_path + "/"):
            return ServerSession(new=True)
        row = db.session.execute(_ROW, {"token_hash": token_digest(token)}).scalar_one_or_none()
        if row is None or self._expired(app, row):
            return ServerSession(new=True)
        session = ServerSession(json.loads(row.data), token=token)
        session.touch = clock.now() - row.last_seen_at > TOUCH_EVERY
        session.row = row  # kept: the identity map holds it weakly, and saving it would read it again, locked
        return session

    def _expired(self, app, row: WebSession) -> bool:
        now = clock.now()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        return now - row.last_seen_at > idle or now - row.created_at > absolute

    def save_session(self, app, session, response):
        if not isinstance(session, ServerSession):
            return
        if self.stage(session):  # changed after the request's commit (or an error rolled it back)
            db.session.commit()
        if session.cookie == "set":
            response.set_cookie(COOKIE, session.token, httponly=True, samesite="Lax", path="/",
                                secure=app.config["SESSION_COOKIE_SECURE"])
        elif session.cookie == "delete":
            response.delete_cookie(COOKIE, path="/")

    def stage(self, session) -> bool:
        """Queue the session's row changes without committing; True if there were any.

        Called just before a request's commit (pwa.core.requests), so the session touch and a
        message flashed before the commit join the request's own write transaction.
        """
        if not isinstance(session, ServerSession):
            return False
        changed = False
        old = getattr(session, "rotate_from", None)
        if old:
            end_session(old)
            session.rotate_from, changed = None, True
        if not session:
            if session.token:  # emptied by sign-out: the row goes too
                end_session(session.token)
                session.token, session.cookie, changed = None, "delete", True
        elif session.modified or session.touch or not session.token:
            if not session.token:
                session.cookie = "set"
            self._store(session)
            session.modified = session.touch = False
            changed = True
        return changed

    def _store(self, session: ServerSession) -> None:
        if not session.token:
            session.token = secrets.token_urlsafe(32)
        key = token_digest(session.token)
        row = _still_loaded(session.row, key)
        if row is None:
            row = db.session.get(WebSession, key) or WebSession(token_hash=key, created_at=clock.now())
        uid = session.get("_user_id")
        row.user_id = _uuid_or_none(uid)
        row.data = json.dumps(dict(session), separators=(",", ":"))
        row.last_seen_at = clock.now()
        db.session.add(row)


def _still_loaded(row: WebSession | None, key: str) -> WebSession | None:
    """The row this request read, if it is still that token's, in this session and not expired or deleted."""
    if row is None:
        return None
    state = sa.inspect(row)
    usable = state.session is db.session() and not state.expired and not state.deleted and state.identity == (key,)
    return row if usable else None


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def end_session(token: str) -> None:
    """Delete one session row."""
    db.session.execute(sa.delete(WebSession).where(WebSession.token_hash == token_digest(token)))


def end_all_sessions(user_id) -> None:
    """Delete every session of a user (disabled, or password changed)."""
    db.session.execute(sa.delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired(app) -> int:
    """Delete sessions past their timeouts; returns how many."""
    now = clock.now()
    idle = now - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    absolute = now - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
    result = db.session.execute(
        sa.delete(WebSession).where(sa.or_(WebSession.last_seen_at < idle, WebSession.created_at < absolute))
    )
    return result.rowcount
