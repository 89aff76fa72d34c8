"""Error pages answered as HTML or JSON, by what the client accepts."""
from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from pwa.core.extensions import db


def wants_json() -> bool:
    """The client prefers JSON (fetch from the offline outbox, API callers)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _answer(error: HTTPException):
    db.session.rollback()
    if wants_json() or request.is_json:
        return jsonify(error=error.name, message=error.description), error.code
    return render_template("error.html", error=error), error.code


def _crash(error: Exception):
    db.session.rollback()
    # The traceback names code, not data: SQL parameters are hidden by the engine options.
    current_app.logger.error("unhandled error on %s %s", request.method, request.url_rule, exc_info=error)
    return _answer(InternalServerError())


def register(app: Flask) -> None:
    """Attach the handlers."""
    app.register_error_handler(HTTPException, _answer)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, _crash)
