"""Accounts and signing in: passwords, second factors, sessions."""


def register(app) -> None:
    """Blueprints, the second-factor gate, the template helper and the dummy hash made at start-up."""
    from pwa.auth import mfa, passkey_views  # noqa: F401  (passkey routes join the mfa blueprint)
    from pwa.auth.mfa_views import bp as mfa_bp
    from pwa.auth.passwords import prepare
    from pwa.auth.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(mfa_bp)
    app.before_request(mfa.gate)
    app.jinja_env.globals["signed_in_fully"] = mfa.satisfied
    prepare(app)
