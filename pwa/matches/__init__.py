"""Matching a ready mentor to a consenting family; reviews, extensions and endings."""


def register(app) -> None:
    """The matching pages."""
    from pwa.matches.views import bp

    app.register_blueprint(bp)
