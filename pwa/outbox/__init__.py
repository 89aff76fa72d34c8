"""The email outbox: the only way to queue mail (mailer), its templates (render), the mail rules and
jobs features declare (rules), SMTP (mail), delivery, the worker and its wake-up, fault points for
the crash tests, and the undelivered-mail views."""
from flask import Flask


def register(app: Flask) -> None:
    """The undelivered-mail views and the worker's own housekeeping job."""
    from pwa.outbox import faults, rules
    from pwa.outbox.views import bp

    app.register_blueprint(bp)
    faults.install(app)
    rules.add_job(app, rules.Job("sessions", every=300.0, task=_purge_sessions))


def _purge_sessions() -> int:
    from flask import current_app

    from pwa.core import sessions

    return sessions.purge_expired(current_app)
