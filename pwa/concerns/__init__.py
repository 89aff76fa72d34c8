"""Safeguarding concerns: raised by a mentor, alerted at once, acknowledged, escalated, never lost."""


def register(app) -> None:
    """The concern pages, their dashboard sections and chronology source, and the alert mail rules."""
    from pwa.casework import chronology as family_chronology
    from pwa.concerns import alerts, chronology, dashboard
    from pwa.concerns.views import bp
    from pwa.supervision import dashboard as coordinator_dashboard

    app.register_blueprint(bp)
    coordinator_dashboard.add(app, dashboard)
    family_chronology.add(app, chronology)
    alerts.register(app)
