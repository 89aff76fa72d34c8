"""The subject-access export as one zip: a readable document (PDF and HTML), the same as JSON, and the
report pack PDF. Recorded (who, when, why; the reason encrypted) and audited like an export."""
import io
import json
import uuid
import zipfile
from datetime import date, datetime

import sqlalchemy as sa
from flask import render_template

from pwa.casework import pack, pdf
from pwa.core import audit
from pwa.core.extensions import db
from pwa.models import Family, SubjectAccessExport, User
from pwa.subject_access import casefile, redact

CONTENTS = {
    "record.pdf": "this record as a readable document (PDF)",
    "record.html": "the same document as a web page",
    "record.json": "the same, machine-readable (JSON)",
    "report-pack.pdf": "the report pack Bridge makes for child protection meetings, for the whole involvement",
}


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def data_for(user: User, family: Family, reason: str) -> dict:
    """Everything held, redacted, with a first section saying what this is, for whom and what was left out."""
    raw = casefile.build(user, family)
    staff, made_at = raw.pop("_staff"), raw.pop("_made_at")
    redactor = redact.Redactor(user, family, staff)
    body = redactor.walk(raw)
    about = {"family_reference": family.reference, "made_at": made_at,
             "made_by": {"name": user.name, "role": user.role.value}, "reason": reason,
             "contents": CONTENTS, "redactions": redactor.account()}
    return {"export": about, **body}


def record(user: User, family: Family, reason: str) -> SubjectAccessExport:
    """Keep the export's who, when and why, and audit it (flush only)."""
    row = SubjectAccessExport(family_id=family.id, made_by_id=user.id, reason=reason)
    db.session.add(row)
    db.session.flush()
    audit.record(db.session, user, "export subject access", row)
    return row


def zip_for(user: User, family: Family, reason: str) -> bytes:
    """The download: record.pdf, record.html, record.json and report-pack.pdf in a folder named by reference."""
    data = data_for(user, family, reason)
    document = render_template("subject_access/document.html", data=data)
    files = {"record.pdf": pdf.render(document), "record.html": document.encode(),
             "record.json": json.dumps(data, default=_plain, indent=2, ensure_ascii=False).encode(),
             "report-pack.pdf": pdf.render(render_template("casework/pack_pdf.html", pack=pack.build(user, family)))}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(f"subject-access-{family.reference}/{name}", body)
    return out.getvalue()


def earlier(family: Family, limit: int = 20) -> list[SubjectAccessExport]:
    """The family's previous exports, newest first."""
    return list(db.session.scalars(sa.select(SubjectAccessExport).where(SubjectAccessExport.family_id == family.id)
                                   .order_by(SubjectAccessExport.made_at.desc()).limit(limit)))
