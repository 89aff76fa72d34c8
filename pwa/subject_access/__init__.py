"""Data protection for one family: a subject-access export and "who has seen this record"."""


def register(app) -> None:
    """The export and the who-has-seen page."""
    from pwa.subject_access.views import bp

    app.register_blueprint(bp)
