"""The report pack as a document the worker prepares and keeps (issue 12's budget: ≤ 500 ms for a year's pack).

The trade-off, and why. A year's pack for the busiest family of the benchmark is ~1,000
chronology rows, ~60 A4 pages; even with the cheap layout (fixed tables, inline rows, see
pack.css) WeasyPrint takes ~8 s to lay it out, and no PDF library lays out 60 pages in
500 ms in Python. So a download is served from a stored copy when one is prepared and still
current, and otherwise the worker is asked to prepare it while the page says so and refreshes
itself (an HTTP Refresh header: no script). Drawing it per request instead would hold a web
worker for seconds per download and let a few downloads starve every other page.

- Current: same family, same period, the same person's view (their access drew it), not
  expired, and nothing in the family's record written since: any write deletes the family's
  packs (pwa.models.pack), so a stored pack is always the one that would be drawn now.
- Kept encrypted (an EncryptedText column, like every case field), for KEEP at most; deleted
  with the family by retention, and by retention whenever any of the family's records go.
- Every download is audited like an export ("export report pack").
- Each night the worker prepares the pack (from the referral to today) for the social worker of
  every family whose next conference, core group or review is within NIGHTLY_AHEAD days.
"""
import base64
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from pwa import access
from pwa.casework import pack, pdf
from pwa.core import audit, clock
from pwa.core.database import reads_first
from pwa.core.extensions import db
from pwa.models import Family, PlanDetails, PreparedPack, Role, User

KEEP = timedelta(days=7)  # a prepared pack is deleted this long after it was asked for
NIGHTLY_AHEAD = 7  # days before a conference, core group or review that the pack is prepared overnight
NIGHT_HOURS = range(1, 5)  # local hours in which the nightly preparation runs
REFRESH_SECONDS = 3  # how often the "Preparing the pack" page looks again


def _row(user: User, family: Family, since: date, until: date):
    return db.session.scalars(sa.select(PreparedPack).where(
        PreparedPack.family_id == family.id, PreparedPack.prepared_for_id == user.id,
        PreparedPack.since == since, PreparedPack.until == until)).first()


def stored(user: User, family: Family, since: date, until: date) -> bytes | None:
    """The PDF of a prepared, current pack for this person, family and period, or None."""
    row = _row(user, family, since, until)
    if row is None or row.pdf is None or row.expires_at <= clock.now():
        return None
    return base64.b64decode(row.pdf)


def ask(user: User, family: Family, since: date, until: date) -> None:
    """Ask the worker to prepare the pack (once: asking again while it waits changes nothing). Flushes."""
    row = _row(user, family, since, until)
    if row is not None and row.expires_at > clock.now():
        return
    try:
        with db.session.begin_nested():
            if row is not None:
                db.session.delete(row)
                db.session.flush()
            db.session.add(PreparedPack(family_id=family.id, prepared_for_id=user.id, since=since, until=until,
                                        requested_at=clock.now(), expires_at=clock.now() + KEEP))
    except IntegrityError:  # asked at the same moment from another tab: that request stands
        pass


def page_of(user: User, family: Family, since: date | None, until: date | None) -> str:
    """The pack's HTML as this person sees it (what drawing needs from the database)."""
    built = pack.build(user, family, since, until)
    with current_app.test_request_context("/"):  # the chronology rows link to pages (url_for) even on paper
        return render_template("casework/pack_pdf.html", pack=built)


def draw(user: User, family: Family, since: date | None, until: date | None) -> bytes:
    """The pack's PDF as this person sees it (seconds for a busy year)."""
    return pdf.render(page_of(user, family, since, until))


def prepare_next() -> int:
    """The worker's job (every 2 s): prepare the oldest waiting pack; how many were prepared (0 or 1)."""
    waiting = db.session.scalars(sa.select(PreparedPack).where(PreparedPack.pdf.is_(None))
                                 .order_by(PreparedPack.requested_at).limit(1)).first()
    if waiting is None:
        return 0
    wanted = (waiting.id, waiting.prepared_for_id, waiting.family_id, waiting.since, waiting.until)
    return _prepare(*wanted)


def _prepare(row_id, user_id, family_id, since: date, until: date) -> int:
    """Draw one pack and keep it, unless its request was withdrawn (the record changed) meanwhile."""
    db.session.rollback()  # the next transaction reads without SQLite's write lock (reads_first)
    try:
        with reads_first():
            user = db.session.get(User, user_id)
            html = page_of(user, access.family_for(user, family_id), since, until)
    except HTTPException:  # the person no longer has the family: nothing to prepare for them
        db.session.rollback()
        db.session.execute(sa.delete(PreparedPack.__table__).where(PreparedPack.id == row_id))
        return 0
    # Done with what drawing read: the seconds of layout hold no transaction, so writers never wait on them.
    # The rollback also drops the read-audit rows the drawing queued: the worker is not a person reading
    # the record; the download is audited as an export. Then look at the request afresh.
    db.session.rollback()
    body = pdf.render(html)
    q = sa.select(PreparedPack).where(PreparedPack.id == row_id, PreparedPack.pdf.is_(None))
    if db.engine.dialect.name == "postgresql":
        q = q.with_for_update()  # a change to the record waits for this commit, then deletes the pack
    row = db.session.scalars(q).first()
    if row is None:  # the record changed while it was drawn: the next request asks again
        return 0
    row.pdf, row.prepared_at = base64.b64encode(body).decode("ascii"), clock.now()
    return 1


def queue_nightly(today: date | None = None) -> int:
    """Ask for the pack of each family with a conference, core group or review within NIGHTLY_AHEAD days."""
    today = today or clock.today()
    ahead = today + timedelta(days=NIGHTLY_AHEAD)
    soon = sa.or_(*(column.between(today, ahead) for column in (
        PlanDetails.next_conference_on, PlanDetails.next_core_group_on, PlanDetails.next_review_on)))
    families = db.session.scalars(sa.select(Family).join(PlanDetails, PlanDetails.family_id == Family.id)
                                  .where(soon, Family.closed_on.is_(None))).all()
    asked = 0
    for family in families:
        worker = family.social_worker
        if worker is None or worker.role is not Role.social_worker or not worker.is_active:
            continue
        since, until = pack.period(worker, family, None, today)
        audit.take_pending(db.session)  # the worker looked up the dates: nobody read the record
        ask(worker, family, since, until)
        asked += 1
    return asked


def hourly_job() -> int:
    """The worker's hourly look: delete expired packs; in the night hours, ask for the coming week's packs."""
    db.session.execute(sa.delete(PreparedPack.__table__).where(PreparedPack.expires_at <= clock.now()))
    return queue_nightly() if clock.local(clock.now()).hour in NIGHT_HOURS else 0
