"""Programmes and accounts: invitations, approvals (the two-person rule), single sign-on settings."""


def register(app) -> None:
    """The admin pages, the approval queue and the programmes' single sign-on settings."""
    from pwa.admin.approval_views import bp as approvals
    from pwa.admin.sso_views import bp as sso_settings
    from pwa.admin.views import bp

    for blueprint in (bp, approvals, sso_settings):
        app.register_blueprint(blueprint)
