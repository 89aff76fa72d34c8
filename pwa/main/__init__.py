"""Home and the health check."""


def register(app) -> None:
    """The home redirect and /healthz."""
    from pwa.main.views import bp

    app.register_blueprint(bp)
