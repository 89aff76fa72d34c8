"""Fault injection for the crash tests: inert unless the FAULT setting (BRIDGE_FAULT) names a point.

BRIDGE_FAULT=<point>[:<n>] makes the process SIGKILL itself the n-th time
(default: the first time) it reaches that point. Points:

  web-after-commit    the web process, right after a concern/addendum commit,
                      before it wakes the worker or answers the request
  web-before-commit   the web process, in a POST (not signing in) that wrote: its
                      rows and audit rows flushed to the database, before COMMIT
  worker-before-send  the worker, after its claim is committed, before SMTP
  worker-after-250    the worker, after the server's 250 to DATA, before the
                      message is marked sent

Production never sets BRIDGE_FAULT; the worker logs a warning when it is set.
"""
import os
import signal

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event

POINTS = ("web-after-commit", "web-before-commit", "worker-before-send", "worker-after-250")
SIGN_IN = ("auth", "mfa", "sso")  # web-before-commit spares signing in, so a test can sign in first


def armed() -> str | None:
    """The fault spec in force, if any."""
    return (current_app.config.get("FAULT") or None) if has_app_context() else None


def hit(point: str) -> None:
    """Die at this point if BRIDGE_FAULT asks for it (SIGKILL: no clean-up, like a power cut)."""
    spec = armed()
    if spec is None:
        return
    name, _, nth = spec.partition(":")
    if name != point:
        return
    reached = current_app.extensions.setdefault("bridge.faults", {})
    reached[point] = reached.get(point, 0) + 1
    if reached[point] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def install(app: Flask) -> None:
    """Arm the in-transaction point when asked (listening after the audit chain's append, so it comes last)."""
    if (app.config.get("FAULT") or "").partition(":")[0] == "web-before-commit":
        from pwa.core.extensions import db

        event.listen(db.session, "before_commit", _before_commit)


def _before_commit(session) -> None:
    """A POST's first commit that wrote (not signing in): its rows and audit rows are flushed, uncommitted."""
    if has_request_context() and request.method == "POST" and request.blueprint not in SIGN_IN \
            and session.info.get("wrote") and not g.get("bridge_fault_reached"):
        g.bridge_fault_reached = True
        hit("web-before-commit")
