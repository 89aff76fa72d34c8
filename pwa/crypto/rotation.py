"""Re-encrypting every encrypted field under a new current key."""
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import attributes

from pwa.crypto import runtime, save_key_file
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models.base import Base, encrypted_columns
from pwa.models.types import BoundText

BATCH = 500


def _models_with_secrets():
    for mapper in Base.registry.mappers:
        keys = encrypted_columns(mapper)
        if keys:
            yield mapper.class_, keys


def reencrypt_all() -> int:
    """Rewrite every encrypted value under the current key; returns values rewritten."""
    count = 0
    for model, keys in _models_with_secrets():
        last = None
        while True:
            q = sa.select(model).order_by(model.id).limit(BATCH)
            if last is not None:
                q = q.where(model.id > last)
            rows = db.session.scalars(q).all()
            for row in rows:
                for key in keys:
                    value = getattr(row, key)
                    if value is not None:
                        setattr(row, key, BoundText(str(value), value.ad))
                        attributes.flag_modified(row, key)
                        count += 1
            db.session.commit()
            if len(rows) < BATCH:
                break
            last = rows[-1].id
    return count


def rotate(*, reencrypt_only: bool = False) -> str:
    """Add a key to the key file (unless keys come from the environment) and re-encrypt."""
    ring = runtime.keyring()
    if not reencrypt_only:
        if ring.source == "environment":
            raise SystemExit("Keys come from BRIDGE_DATA_KEYS: add a new key there (last is current), "
                             "restart, then run `keys rotate --reencrypt-only`.")
        old = dict(ring.keys), ring.current
        ring.add_key()
        try:
            save_key_file(ring, Path(current_app.config["DATA_KEY_FILE"]))
        except OSError:
            ring.keys, ring.current = old
            raise
    count = reencrypt_all()
    # Content-free: which key became current, never a key or a value.
    audit.record(db.session, None, "data re-encrypted" if reencrypt_only else "data key rotated",
                 object_type="data_key", object_id=ring.current)
    db.session.commit()
    families = rebuild_search_index()
    return f"{count} values re-encrypted under key {ring.current}; search index rebuilt for {families} families"


def rebuild_search_index() -> int:
    """The blind index's key follows the current data key: rebuild every family's tokens."""
    from pwa.models.caseload import rebuild_all

    families = rebuild_all(db.session.connection())
    db.session.commit()
    return families
