"""Bridge: a visit diary and safeguarding alert app for volunteer family mentoring."""
from pathlib import Path

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application."""
    app = Flask(__name__, instance_relative_config=False)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from pwa import config

    app.config.from_mapping(test_config or config.from_environment(app.instance_path))
    register_secrets(app)
    register_extensions(app)
    register_blueprints(app)
    register_mail(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_secrets(app: Flask) -> None:
    """Load the data keys, and in development make a secret key if none is set."""
    from pwa.crypto import runtime
    from pwa.core.keyfiles import development_secret_key

    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))
    runtime.configure(app.config, allow_generate=not app.config.get("DATA_KEYS"))


def register_extensions(app: Flask) -> None:
    """Bind the extensions, the session store and the request hooks."""
    from pwa.core import audit, database, requests, security, sessions
    from pwa.core.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
        audit.install(db.session)
    app.session_interface = sessions.DatabaseSessionInterface()
    security.register(app)
    requests.register(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    from pwa import auth
    from pwa.admin.views import bp as admin
    from pwa.casework.views import bp as casework
    from pwa.concerns.views import bp as concerns
    from pwa.diary.views import bp as diary
    from pwa.families.views import bp as families
    from pwa.goals.views import bp as goals
    from pwa.main.views import bp as main
    from pwa.matches.views import bp as matches
    from pwa.offline.views import bp as offline
    from pwa.outcomes.views import bp as outcomes
    from pwa.reports.views import bp as reports
    from pwa.supervision.views import bp as supervision

    auth.register(app)
    for blueprint in (main, admin, families, matches, supervision, concerns, diary, goals, outcomes, offline, reports,
                      casework):
        app.register_blueprint(blueprint)


def register_mail(app: Flask) -> None:
    """The outbox (the undelivered-mail views, its jobs) and the mail rules and jobs of the features."""
    from pwa import outbox
    from pwa.concerns import alerts
    from pwa.supervision import reminders

    for feature in (outbox, alerts, reminders):
        feature.register(app)


def register_errorhandlers(app: Flask) -> None:
    """Answer errors as HTML or JSON."""
    from pwa.core import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    """The flask CLI commands."""
    from pwa.cli import commands as cli

    cli.register(app)
