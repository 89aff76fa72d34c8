"""Offline-first: the installable shell, the service worker, the encrypted snapshot and the sealed outbox."""


def register(app) -> None:
    """The shell, the service worker and the outbox endpoints; versioned static files; shell pages'
    own caching (the security headers leave them alone)."""
    from pwa.core import security
    from pwa.offline import assets, shell
    from pwa.offline.views import bp, sealing_key

    app.register_blueprint(bp)
    app.jinja_env.globals["sealing_key"] = sealing_key
    assets.install(app)
    security.shell_endpoints(app).update({"offline.service_worker", "offline.manifest", *shell.SHELL_PAGES})
