"""The coordinator's dashboard, reviewing diary entries, supervision sessions and reminders."""


def register(app) -> None:
    """The dashboard and its own sections; the reminder and readiness-notice jobs."""
    from pwa.supervision import dashboard, mentors, queues, readiness_notices, reminders, reviews
    from pwa.supervision.views import bp

    app.register_blueprint(bp)
    dashboard.add(app, dashboard, reviews, queues, mentors)
    reminders.register(app)
    readiness_notices.register(app)
