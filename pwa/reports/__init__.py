"""The impact report for the council, and its exports."""


def register(app) -> None:
    """The impact report and its CSV exports."""
    from pwa.reports.views import bp

    app.register_blueprint(bp)
