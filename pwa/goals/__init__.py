"""Goals agreed with the family and the social worker, and progress visit by visit."""


def register(app) -> None:
    """The goal pages."""
    from pwa.goals.views import bp

    app.register_blueprint(bp)
