"""The social worker's view: caseload, the chronology, and the report pack."""


def register(app) -> None:
    """The caseload, chronology and report pack pages, the chronology's own sources, the pack's worker jobs."""
    from pwa.casework import chronology, prepared, record_sources, sources
    from pwa.casework.views import bp
    from pwa.outbox import rules

    app.register_blueprint(bp)
    chronology.add(app, sources, record_sources)
    rules.add_job(app, rules.Job("report-packs", every=2.0, task=prepared.prepare_next, slow=True))
    rules.add_job(app, rules.Job("report-packs-hourly", every=3600.0, task=prepared.hourly_job))
