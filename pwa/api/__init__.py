"""Machine-readable descriptions of Bridge's JSON endpoints."""


def register(app) -> None:
    """The OpenAPI description of the JSON endpoints."""
    from pwa.api.views import bp

    app.register_blueprint(bp)
