"""Authenticator-app codes (TOTP, RFC 6238): a QR code drawn on the server, each code good once. Flush only."""
import hmac

import pyotp
import segno
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import TotpSecret, User

ISSUER = "Bridge"
STEP = 30


def confirmed(user_id) -> TotpSecret | None:
    """The person's working authenticator-app secret, if any."""
    return db.session.scalar(sa.select(TotpSecret).where(TotpSecret.user_id == user_id,
                                                         TotpSecret.confirmed_at.is_not(None)))


def pending(user: User) -> TotpSecret:
    """The secret being enrolled (made on first sight, kept until confirmed)."""
    row = db.session.scalar(sa.select(TotpSecret).where(TotpSecret.user_id == user.id,
                                                        TotpSecret.confirmed_at.is_(None)))
    if row is None:
        row = TotpSecret(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
        db.session.flush()
    return row


def qr_code(user: User, row: TotpSecret) -> str:
    """The otpauth:// link as a QR code, an SVG data URI (no script, no network)."""
    uri = pyotp.TOTP(str(row.secret)).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def check(row: TotpSecret, code: str) -> bool:
    """Accept a code from the current step or one either side, never a step already used."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    now = int(clock.now().timestamp()) // STEP
    otp = pyotp.TOTP(str(row.secret))
    for step in (now - 1, now, now + 1):
        if row.last_step is not None and step <= row.last_step:
            continue
        if hmac.compare_digest(otp.at(step * STEP), code):
            row.last_step = step
            return True
    return False


def confirm(user: User, row: TotpSecret, code: str) -> bool:
    """Make a pending secret the working one when its first code is right; the old one goes."""
    if not check(row, code):
        return False
    db.session.execute(sa.delete(TotpSecret).where(TotpSecret.user_id == user.id, TotpSecret.id != row.id))
    row.confirmed_at = clock.now()
    db.session.flush()
    return True


def enrol_fixed(user: User, secret: str) -> TotpSecret:
    """Enrol a known secret (demo accounts and test factories only)."""
    db.session.flush()  # the person's row first: no relationship orders the inserts
    row = TotpSecret(user_id=user.id, secret=secret, confirmed_at=clock.now())
    db.session.add(row)
    return row
