"""The mentor's diary: visits logged in about a minute, corrections as new entries."""


def register(app) -> None:
    """The diary pages and the diary's chronology source."""
    from pwa.casework import chronology
    from pwa.diary import views

    app.register_blueprint(views.bp)
    chronology.add(app, views)
