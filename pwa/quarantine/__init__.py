"""Held entries: what the phone's sealed outbox sent that the server could not store, kept for a coordinator."""


def register(app) -> None:
    """The held-entry pages and their dashboard section."""
    from pwa.quarantine import dashboard
    from pwa.quarantine.views import bp
    from pwa.supervision import dashboard as coordinator_dashboard

    app.register_blueprint(bp)
    coordinator_dashboard.add(app, dashboard)
