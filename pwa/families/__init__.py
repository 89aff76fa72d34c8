"""Families: referral, consent, the record a child protection conference needs, and finding any family."""


def register(app) -> None:
    """The families pages and the record's dashboard sections (unknown adults, repeated no access)."""
    from pwa.families import dashboard
    from pwa.families.record_views import bp  # the families blueprint, the record's routes added
    from pwa.supervision import dashboard as coordinator_dashboard

    app.register_blueprint(bp)
    coordinator_dashboard.add(app, dashboard)
