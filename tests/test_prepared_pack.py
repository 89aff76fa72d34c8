"""The report pack as a document the worker prepares and keeps: the first download says it is being prepared
(and refreshes itself), the next one is the stored copy, a change to the family's record makes it out of date,
the copy is encrypted at rest, expires, goes with the family, is never someone else's, and each download is
audited like an export; the night before a conference week the worker prepares it unasked."""
from datetime import date, timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.casework import pack
from pwa.outbox import rules
from pwa.models import AuditEvent, Family, PlanDetails, PreparedPack, User
from tests.test_chronology_pack import _pdf_pages, _visit, download_pack, october, run_pack_job

assert october  # the fixture, imported for the tests below


def _url(family) -> str:
    return f"/families/{family.id}/report.pdf"


def _exports(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "export report pack"))


def _packs(app) -> list:
    with app.app_context():
        return db.session.execute(sa.select(PreparedPack.__table__)).all()


def test_the_first_download_is_prepared_by_the_worker_and_the_next_is_the_kept_copy(world, auth, app, october):
    family, match = october
    _visit(app, match, clock.today(), words="Amy said the park was fun", child_names=("Amy",))
    auth.login(world.social_worker)
    waiting = auth.client.get(_url(family))
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 202 and waiting.headers["Refresh"] == "3"
    assert "Preparing the pack — it will download when ready" in page and "<script>" not in page
    assert "no-store" in waiting.headers["Cache-Control"] and _exports(app) == 0
    assert auth.client.get(_url(family)).status_code == 202 and len(_packs(app)) == 1  # asked once
    run_pack_job(app)
    first = auth.client.get(_url(family))
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert "Amy said the park was fun" in "\n".join(_pdf_pages(first.data))
    [kept] = _packs(app)
    second = auth.client.get(_url(family))
    assert second.data == first.data and _packs(app) == [kept]  # served from the copy, not drawn again
    assert _exports(app) == 2  # every download audited like an export


def test_a_change_to_the_record_makes_the_kept_pack_out_of_date(world, auth, app, october):
    family, match = october
    auth.login(world.social_worker)
    assert download_pack(app, auth, _url(family)).status_code == 200
    _visit(app, match, clock.today(), words="Ben said he was hungry", child_names=("Ben",))
    assert _packs(app) == []
    again = download_pack(app, auth, _url(family))
    assert again.status_code == 200 and "Ben said he was hungry" in "\n".join(_pdf_pages(again.data))


def test_reading_the_record_and_downloading_leave_the_kept_pack_current(world, auth, app, october):
    family, _ = october
    auth.login(world.social_worker)
    download_pack(app, auth, _url(family))
    for page in (f"/families/{family.id}", f"/families/{family.id}/chronology", f"/families/{family.id}/report"):
        assert auth.client.get(page).status_code == 200
    assert auth.client.get(_url(family)).status_code == 200


def test_a_pack_drawn_while_the_record_changed_is_not_kept(world, auth, app, october):
    from pwa.casework import prepared

    family, match = october
    auth.login(world.social_worker)
    auth.client.get(_url(family))
    [waiting] = _packs(app)
    _visit(app, match, clock.today(), words="Words written while it was drawn")
    with app.app_context():
        assert prepared._prepare(waiting.id, waiting.prepared_for_id, waiting.family_id, waiting.since,
                                 waiting.until) == 0
        db.session.commit()
    assert _packs(app) == [] and auth.client.get(_url(family)).status_code == 202


def test_the_kept_pack_is_encrypted_at_rest_and_expires(world, auth, app, october):
    family, _ = october
    auth.login(world.social_worker)
    download_pack(app, auth, _url(family))
    with app.app_context():
        raw = db.session.connection().execute(sa.text("SELECT pdf FROM prepared_packs")).scalar()
    assert raw and "JVBERi0" not in raw and "%PDF" not in raw  # neither the PDF nor its base64
    clock.advance(8 * 86400)
    with app.app_context():
        rules.registry(app).jobs["report-packs-hourly"].task()
        db.session.commit()
    assert _packs(app) == []  # the worker's hourly job deleted the expired copy
    auth.login(world.social_worker)  # a week on: signed in again
    assert auth.client.get(_url(family)).status_code == 202  # so the next download is prepared afresh


def test_another_persons_pack_is_never_served(world, auth, app, october):
    family, _ = october
    auth.login(world.social_worker)
    download_pack(app, auth, _url(family))
    auth.logout()
    auth.login(world.coordinator)
    answer = auth.client.get(_url(family))
    assert answer.status_code == 202 and len(_packs(app)) == 2


def test_retention_deletes_the_kept_pack_as_soon_as_any_of_the_familys_records_go(
        world, auth, app, make_family, make_match):
    from pwa.casework import prepared
    from pwa.closure import retention
    from tests.test_retention import SEVEN_YEARS, _case

    young = _case(app, make_family, make_match, world, "The Young family", date(2020, 6, 1))
    with app.app_context():  # a pack kept for the closed case (asked for the day before the run)
        sw, fam = db.session.get(User, world.social_worker.id), db.session.get(Family, young.id)
        prepared.ask(sw, fam, *pack.period(sw, fam, None, None))
        db.session.commit()
        prepared.prepare_next()
        db.session.commit()
    assert [p.family_id for p in _packs(app)] == [young.id]
    clock.advance(SEVEN_YEARS)
    with app.app_context():
        gone = {d.kind for d in retention.run()}
    assert gone == {"visits", "goals", "matches"}  # the family and its concerns stay (a child under 25)
    assert _packs(app) == []  # the pack drew on the visits: it goes with them


def test_each_night_the_worker_prepares_the_packs_for_the_coming_weeks_meetings(
        world, auth, app, make_family, october):
    from pwa.casework import prepared

    soon, _ = october
    later = make_family(world.social_worker, name="The Later family")
    with app.app_context():
        for fam, days in ((soon, 3), (later, 10)):
            db.session.add(PlanDetails(family_id=fam.id, next_conference_on=clock.today() + timedelta(days=days),
                                    updated_by_id=world.coordinator.id))
        db.session.commit()
        reads = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
        assert prepared.queue_nightly(clock.today()) == 1
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == reads  # nobody read it
    run_pack_job(app)
    [kept] = _packs(app)
    assert kept.family_id == soon.id and kept.pdf and kept.prepared_for_id == world.social_worker.id
    auth.login(world.social_worker)
    answer = auth.client.get(_url(soon))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert isinstance(kept.until, date) and Family


def test_a_mentor_saves_a_visit_while_the_worker_is_drawing_a_pack(world, auth, app, october, monkeypatch):
    """Drawing takes seconds and holds no transaction: writers (a visit, a concern) never wait on it."""
    import threading

    from pwa.casework import prepared
    from pwa.core import database
    from tests.conftest import Auth
    from tests.support.diary_helpers import open_visit_form, visit_data

    family, _ = october
    auth.login(world.social_worker)
    assert auth.client.get(_url(family)).status_code == 202
    drawing, done_posting = threading.Event(), threading.Event()
    real_render = prepared.pdf.render

    def slow_render(html):
        drawing.set()
        done_posting.wait(timeout=20)
        return real_render(html)

    monkeypatch.setattr(prepared.pdf, "render", slow_render)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)  # a writer held back would be refused at once
    mentor = Auth(app.test_client())
    mentor.login(world.mentor)
    _, fields = open_visit_form(mentor.client, world.family.id)
    worker = threading.Thread(target=run_pack_job, args=(app,))
    worker.start()
    try:
        assert drawing.wait(timeout=20)
        saved = mentor.client.post(f"/families/{world.family.id}/visits/new", data={**fields, **visit_data()})
    finally:
        done_posting.set()
        worker.join(timeout=60)
    assert saved.status_code == 302
    assert len(_packs(app)) == 1 and _packs(app)[0].pdf is not None  # the other family's pack was kept
