"""Completing the second step of signing in, for tests: a real code from the person's real secret.

Test users get an authenticator secret from the factory (`make_user`); the sign-in helpers
(conftest's Auth, the browser's sign_in, the process helper) type the current code into the
real verify form. A code is good once per 30-second step, and tests sign in many times a
minute, so the helper clears the remembered last step first: the test's own bookkeeping,
not a way round the check (tests/test_mfa.py proves a code is refused the second time).
"""
from datetime import datetime, timezone

import pyotp
import sqlalchemy as sa

TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_apps = []


def use(app) -> None:
    """Remember the test app, so helpers without a fixture (browser, processes) can reach its database."""
    _apps[:] = [app]


def code_for(email: str, *, real_time: bool = False, app=None) -> str:
    """The current code of this person's authenticator app, its last-used step forgotten."""
    from pwa.core import clock
    from pwa.core.extensions import db
    from pwa.models import TotpSecret, User

    app = app or _apps[0]
    with app.app_context():
        row = db.session.scalar(sa.select(TotpSecret).join(User, User.id == TotpSecret.user_id).where(
            User.email == email.lower(), TotpSecret.confirmed_at.is_not(None)))
        assert row is not None, f"{email} has no authenticator app"
        secret = str(row.secret)
        row.last_step = None
        db.session.commit()
    at = datetime.now(timezone.utc) if real_time else clock.now()
    return pyotp.TOTP(secret).at(at)


def enrol(user) -> None:
    """Give a factory-made person the test authenticator secret (in the factory's own transaction)."""
    from pwa.auth import totp

    totp.enrol_fixed(user, TEST_TOTP_SECRET)
