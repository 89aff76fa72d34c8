"""The impact report for the council, and its exports."""


def register(app) -> None:
    """The impact report and its CSV exports; `flask aggregates rebuild` for its tallies."""
    from pwa.reports.views import bp
    from pwa.reports.commands import aggregates

    app.register_blueprint(bp)
    app.cli.add_command(aggregates)
