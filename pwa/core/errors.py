"""Error pages answered as HTML or JSON, by what the client accepts; a busy database asks for a retry."""
from flask import Flask, current_app, g, has_request_context, jsonify, render_template, request
from flask.globals import request_ctx
from sqlalchemy import event, exc
from werkzeug.exceptions import HTTPException, InternalServerError

from pwa.core.extensions import db

RETRY_AFTER_SECONDS = 5
# PostgreSQL's answers that mean "busy, try again": lock_not_available, query_canceled (a statement or
# lock timeout), serialization_failure, deadlock_detected.
_RETRY_SQLSTATES = {"55P03", "57014", "40001", "40P01"}


def wants_json() -> bool:
    """The client prefers JSON (fetch from the offline outbox, API callers)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def retryable(error: BaseException | None) -> bool:
    """The database was busy (SQLite's write lock, a lock or statement timeout, a full pool): worth a retry."""
    if isinstance(error, exc.TimeoutError):
        return True
    if not isinstance(error, exc.OperationalError | exc.DBAPIError):
        return False
    orig = error.orig
    if getattr(orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    text = str(orig).lower()
    return isinstance(error, exc.OperationalError) and ("locked" in text or "busy" in text)


def _answer(error: HTTPException):
    if retryable(getattr(error, "original_exception", None)):  # raised before the view, or after it
        return _busy(error.original_exception)
    db.session.rollback()
    if wants_json() or request.is_json:
        return jsonify(error=error.name, message=error.description), error.code
    return render_template("error.html", error=error), error.code


def _busy(error: Exception):
    """503 with Retry-After: the entry was NOT saved (or, if this request had committed it, that it was)."""
    db.session.rollback()
    saved = g.get("bridge_answered", False) and g.get("bridge_saved", False)
    current_app.logger.warning("database busy on %s %s (saved: %s): %s", request.method, request.url_rule, saved,
                               type(error.orig if hasattr(error, "orig") else error).__name__)
    _keep_session_as_it_was()
    if wants_json() or request.is_json:
        message = ("Saved, but Bridge was too busy to answer. It will check again." if saved else
                   "Bridge is busy and did NOT save this. It will be sent again in a moment.")
        response = jsonify(error="Service Unavailable", message=message, retry=True, saved=saved)
    else:  # a page that needs no database: the lock may still be held
        again = [] if saved or "client_uuid" not in request.form else list(request.form.items(multi=True))
        # Rendered without Flask's context processors: they open the session, which needs the database.
        page = current_app.jinja_env.get_template("busy.html").render(saved=saved, fields=again)
        response = current_app.make_response(page)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _keep_session_as_it_was() -> None:
    """Don't write the session back (that would wait on the same lock): this request changed nothing."""
    session = getattr(request_ctx, "_session", None)  # None: the busy database failed the session's own read
    for flag in ("modified", "touch"):
        if hasattr(session, flag):
            setattr(session, flag, False)


def _crash(error: Exception):
    db.session.rollback()
    # The traceback names code, not data: SQL parameters are hidden by the engine options.
    current_app.logger.error("unhandled error on %s %s", request.method, request.url_rule, exc_info=error)
    return _answer(InternalServerError())


def _note_answered(response):
    """The view answered without an error: what it committed is saved, whatever fails after (the session)."""
    g.bridge_answered = response.status_code < 400
    return response


def _note_commit(session) -> None:
    """Remember that this request committed what it wrote, so a later busy answer does not say it did not."""
    if has_request_context() and (session.info.get("wrote") or session.info.get("audit_pending")):
        g.bridge_committing = True


def _note_saved(session) -> None:
    if has_request_context() and not session.in_transaction() and g.pop("bridge_committing", False):
        g.bridge_saved = True


def register(app: Flask) -> None:
    """Attach the handlers."""
    app.register_error_handler(HTTPException, _answer)
    app.register_error_handler(exc.OperationalError, _busy_or_crash)
    app.register_error_handler(exc.TimeoutError, _busy_or_crash)
    app.after_request(_note_answered)  # registered after finish_transaction, so it runs before it
    event.listen(db.session, "before_commit", _note_commit)
    event.listen(db.session, "after_commit", _note_saved)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, _crash)


def _busy_or_crash(error: Exception):
    if retryable(error):
        return _busy(error)
    if current_app.config.get("TESTING"):
        raise error
    return _crash(error)
