"""Closing a family's case (read-only, off the working lists, reopened with a reason), legal holds, and the
retention schedule (rules, the dry-run report, the deletion by command and by the worker)."""


def _open_cases():
    from pwa.models import Family

    return Family.closed_on.is_(None)


def banner(family) -> dict:
    """What the family page shows about closure and holds (the closure, since when a hold is in force)."""
    from flask_login import current_user

    from pwa.closure import services
    from pwa.closure.forms import ReasonForm
    from pwa.models import Role

    coordinator = current_user.role is Role.coordinator
    return {"closure": services.open_closure(family) if family.closed else None,
            "hold_since": services.hold_since(family) if coordinator else None,
            "reopen_form": ReasonForm(formdata=None, prefix="reopen") if coordinator and family.closed else None}


def _retention_job():
    from pwa.closure import retention

    return len(retention.run())


def register(app) -> None:
    """The closure, hold and report pages, the chronology's closures, the working-list filter, the job, the CLI."""
    from pwa.casework import chronology
    from pwa.closure import sources
    from pwa.closure.cli import retention_group
    from pwa.closure.views import bp
    from pwa.families import finder
    from pwa.outbox import rules

    app.register_blueprint(bp)
    chronology.add(app, sources)
    if _open_cases not in finder.WORKING_FILTERS:
        finder.WORKING_FILTERS.append(_open_cases)
    rules.add_job(app, rules.Job("retention", every=3600.0, task=_retention_job))
    app.cli.add_command(retention_group)
    app.add_template_global(banner, "case_closure")
