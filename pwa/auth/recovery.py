"""Ten single-use recovery codes, for when the phone is lost; only their hashes are stored. Flush only."""
import secrets

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.crypto import token_digest
from pwa.models import RecoveryCode

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _normal(code: str) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{plain[:5]}-{plain[5:]}"


def new_codes(user_id) -> list[str]:
    """Replace a person's codes with ten new ones; returns them to show once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(10)) for _ in range(COUNT)]
    codes = [_normal(c) for c in codes]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user_id, code_hash=token_digest(code)))
    db.session.flush()
    return codes


def use(user_id, code: str) -> bool:
    """Spend a code if it is one of this person's unused ones."""
    row = db.session.scalar(sa.select(RecoveryCode).where(RecoveryCode.code_hash == token_digest(_normal(code)),
                                                          RecoveryCode.user_id == user_id,
                                                          RecoveryCode.used_at.is_(None)))
    if row is None:
        return False
    row.used_at = clock.now()
    return True


def remaining(user_id) -> int:
    """How many unused codes a person has."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0
