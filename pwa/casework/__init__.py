"""The social worker's view: caseload, the chronology, and the report pack."""


def register(app) -> None:
    """The caseload, chronology and report pack pages, and the chronology's own sources."""
    from pwa.casework import chronology, record_sources, sources
    from pwa.casework.views import bp

    app.register_blueprint(bp)
    chronology.add(app, sources, record_sources)
