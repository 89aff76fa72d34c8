"""Accounts and signing in: passwords, second factors, sessions."""


def register(app) -> None:
    """Blueprints (sign-in, second step, single sign-on), the second-factor gate, the template helper and the dummy hash made at start-up."""
    from pwa.auth import mfa
    from pwa.auth.passkey_views import bp as mfa_bp  # the second-step blueprint, its passkey routes added
    from pwa.auth.passwords import prepare
    from pwa.auth.sso import bp as sso
    from pwa.auth.views import bp

    for blueprint in (bp, mfa_bp, sso):
        app.register_blueprint(blueprint)
    app.before_request(mfa.gate)
    app.jinja_env.globals["signed_in_fully"] = mfa.satisfied
    prepare(app)
