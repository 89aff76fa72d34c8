"""Outcome readings (the journey of change) and the frameworks they are scored on."""


def register(app) -> None:
    """The reading pages."""
    from pwa.outcomes.views import bp

    app.register_blueprint(bp)
