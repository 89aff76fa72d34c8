"""A family's subject-access export and its "who has seen this record" page, as a coordinator uses them."""
import html
import io
import json
import re
import uuid
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from pwa.core import audit, clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Family, User, Visit, VisitKind
from tests.support.concern_world import CANARY_WORDS, raise_concern

MENTOR_PHONE = "07700 900461"


def _visit(app, match, what_done: str, **kw) -> None:
    with app.app_context():
        day = clock.today() - timedelta(days=kw.pop("days_ago", 2))
        db.session.add(Visit(family_id=match.family_id, match_id=match.id, author_id=match.mentor_id, visit_on=day,
                             started_at=clock.now() - timedelta(days=2), duration_minutes=50,
                             kind=VisitKind.home_visit, what_done=what_done, client_uuid=uuid.uuid4(),
                             body_hash="0" * 64, **kw))
        db.session.commit()


def _give_phone(app, user, phone: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).phone = phone
        db.session.commit()


def _reference(app, family) -> str:
    with app.app_context():
        return db.session.get(Family, family.id).reference


def _export(auth, family, reason="Subject access request from the mother, by letter"):
    path = f"/families/{family.id}/subject-access"
    return auth.post(path, {"reason": reason}, token_from=path)


def _files(response) -> dict:
    with zipfile.ZipFile(io.BytesIO(response.data)) as z:
        return {name.split("/")[-1]: z.read(name) for name in z.namelist()}


@pytest.fixture
def exported(world, auth, app):
    """The own family with a visit and a concern (its notes naming the mentor's phone and another family),
    another family with its own visit, and the coordinator's export of the own family."""
    _give_phone(app, world.mentor, MENTOR_PHONE)
    others_ref = _reference(app, world.others_family)
    _visit(app, world.match, f"Played snakes and ladders; ring me on {MENTOR_PHONE} or 07700-900-461. "
                             f"Mum mentioned The Others family ({others_ref}).")
    _visit(app, world.others_match, "OTHER-FAMILY-VISIT swings in the park")
    raise_concern(app, world.mentor, world.family)
    auth.login(world.mentor)
    auth.client.get(f"/families/{world.family.id}")  # the mentor reads the record: it must be listed
    auth.logout()
    auth.login(world.coordinator)
    response = _export(auth, world.family)
    return response, others_ref


def test_the_export_is_one_zip_named_by_reference_not_cached(world, app, exported):
    response, _ = exported
    ref = _reference(app, world.family)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == f'attachment; filename="subject-access-{ref}.zip"'
    files = _files(response)
    assert set(files) == {"record.pdf", "record.html", "record.json", "report-pack.pdf"}
    assert files["record.pdf"].startswith(b"%PDF") and files["report-pack.pdf"].startswith(b"%PDF")


def test_the_json_holds_this_familys_visits_and_concerns_and_not_another_familys(world, exported):
    response, others_ref = exported
    files = _files(response)
    data = json.loads(files["record.json"])
    assert data["family"]["name"] == "The Own family"
    assert [v["what_done"][:26] for v in data["visits"]] == ["Played snakes and ladders;"]
    assert data["concerns"][0]["child_words"] == CANARY_WORDS
    assert data["children"][0]["first_name"] == "Amy"
    assert data["matches"][0]["mentor"] == {"name": world.mentor.name, "role": "Mentor"}
    everything = b"".join(files[n] for n in ("record.json", "record.html")).decode()
    assert "OTHER-FAMILY-VISIT" not in everything
    assert "The Others family" not in everything and others_ref not in everything
    assert "[another family: withheld]" in data["visits"][0]["what_done"]


def test_the_mentors_phone_and_staff_emails_are_redacted_and_the_document_says_why(world, exported):
    files = _files(exported[0])
    everything = b"".join(files[n] for n in ("record.json", "record.html")).decode()
    assert "900461" not in everything and "900-461" not in everything
    for person in (world.mentor, world.coordinator, world.social_worker):
        assert person.email not in everything
    data = json.loads(files["record.json"])
    assert data["visits"][0]["what_done"].count("[a staff member's phone number: withheld]") == 2
    whats = [r["what"] for r in data["export"]["redactions"]]
    assert "Staff and volunteers' contact details" in whats and "Phone numbers in notes" in whats
    document = html.unescape(files["record.html"].decode())
    assert "What has been taken out, and why" in document
    assert "including the mentor's personal phone" in document
    assert "2 time(s) a note held a staff member's or volunteer's phone number" in document


def test_the_document_lists_who_accessed_the_record(world, exported):
    files = _files(exported[0])
    document = html.unescape(files["record.html"].decode())
    accesses = document.split("Who has seen this record (")[1]
    assert f"{world.mentor.name} (Mentor)" in accesses and "Opened the family's page" in accesses
    assert "Concern raised" in accesses
    assert json.loads(files["record.json"])["export"]["reason"] == "Subject access request from the mother, by letter"


def test_the_export_is_audited_and_then_shown_on_the_who_has_seen_page(world, auth, app, exported):
    with app.app_context():
        row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export subject access")).one()
        assert row.actor_id == world.coordinator.id and row.family_id == world.family.id
        assert audit.verify(db.session).ok
    page = html.unescape(auth.client.get(f"/families/{world.family.id}/who-has-seen").get_data(as_text=True))
    assert "Downloaded a subject-access export" in page and world.coordinator.name in page
    export_page = html.unescape(auth.client.get(f"/families/{world.family.id}/subject-access").get_data(as_text=True))
    assert "Earlier exports" in export_page and "Subject access request from the mother, by letter" in export_page


def test_a_reason_is_required(world, auth):
    auth.login(world.coordinator)
    response = _export(auth, world.family, reason="")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert "Say why you are making this export." in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["mentor", "social_worker", "far_coordinator"])
def test_only_the_familys_coordinator_gets_either_page(world, auth, who):
    auth.login(getattr(world, who))
    for path in ("who-has-seen", "subject-access"):
        assert auth.client.get(f"/families/{world.family.id}/{path}").status_code in (403, 404)
    assert _export(auth, world.family).status_code in (400, 403, 404)


def test_the_family_page_links_both_for_the_coordinator_only(world, auth):
    auth.login(world.coordinator)
    page = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert "Who has seen this record" in page and "Subject-access export" in page
    auth.logout()
    auth.login(world.social_worker)
    assert "Who has seen this record" not in auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)


def _count_line(page: str) -> str:
    return re.search(r'<p class="muted count-line">([^<]+)</p>', page).group(1)


def test_filters_and_paging_give_the_right_counts(world, auth, app):
    auth.login(world.mentor)
    for _ in range(60):
        auth.client.get(f"/families/{world.family.id}")
    auth.logout()
    auth.login(world.far_coordinator)
    assert auth.client.get(f"/families/{world.family.id}").status_code == 404
    auth.logout()
    auth.login(world.coordinator)
    with app.app_context():
        def n(*where):
            return db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.family_id == world.family.id, *where))
        total, by_mentor = n(), n(AuditEvent.actor_id == world.mentor.id)
    base = f"/families/{world.family.id}/who-has-seen"
    page = auth.client.get(base).get_data(as_text=True)
    assert _count_line(page) == f"Showing 1–50 of {total}"  # this page's own read is counted from the next one
    mentor = auth.client.get(f"{base}?person={world.mentor.id}").get_data(as_text=True)
    assert _count_line(mentor) == f"Showing 1–50 of {by_mentor}" and by_mentor >= 60
    last = -(-by_mentor // 50)  # each family page view reads several parts of the record
    final = auth.client.get(f"{base}?person={world.mentor.id}&page={last}").get_data(as_text=True)
    assert _count_line(final) == f"Showing {(last - 1) * 50 + 1}–{by_mentor} of {by_mentor}"
    assert f"Page {last} of {last}" in final
    assert f"person={world.mentor.id}&amp;page={last - 1}" in final  # the filter stays in the page links
    refused = html.unescape(auth.client.get(f"{base}?kind=refused").get_data(as_text=True))
    assert _count_line(refused) == "Showing 1–1 of 1"
    assert "Was refused: tried to open the family's page" in refused and world.far_coordinator.name in refused
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert _count_line(auth.client.get(f"{base}?since={tomorrow}").get_data(as_text=True)) == "Showing 0 of 0"


def test_events_about_a_familys_objects_carry_the_family(world, app):
    concern = raise_concern(app, world.mentor, world.family)
    with app.app_context():
        raised = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "concern raised",
                                                                AuditEvent.object_id == str(concern.id))).one()
        assert raised.family_id == world.family.id
        listed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "families",
                                                                AuditEvent.action == "family referred")).all()
        assert {e.family_id for e in listed} >= {world.family.id, world.others_family.id}


def test_the_who_has_seen_page_runs_the_same_queries_however_long_the_trail(world, auth, app):
    auth.login(world.coordinator)
    path = f"/families/{world.family.id}/who-has-seen?kind=read&person={world.coordinator.id}"
    auth.client.get(path)
    before = int(auth.client.get(path).headers["X-Query-Count"])
    auth.logout()
    auth.login(world.mentor)
    for _ in range(30):
        auth.client.get(f"/families/{world.family.id}")
    auth.logout()
    auth.login(world.coordinator)
    for _ in range(20):
        auth.client.get(path)
    assert int(auth.client.get(path).headers["X-Query-Count"]) == before


def test_the_who_has_seen_page_reads_its_rows_with_their_total_and_its_people_with_their_names(world, auth, app):
    """One select for the page's events and their count, one for everyone in the trail with their names."""
    auth.login(world.coordinator)
    path = f"/families/{world.family.id}/who-has-seen"
    auth.client.get(path)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", keep := lambda conn, cursor, statement, *_: statements.append(
        " ".join(statement.split())))
    try:
        page = html.unescape(auth.client.get(path).get_data(as_text=True))
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    reads = [s for s in statements if s.startswith("SELECT") and ("audit_events" in s or " FROM users" in s)]
    assert len(reads) == 2, reads
    assert f"{world.coordinator.name} (Coordinator)" in page.split('id="person"')[1].split("</select>")[0]
    assert _count_line(page).startswith("Showing 1–")


def test_a_very_long_trail_is_counted_up_to_ten_thousand(world, auth, app, monkeypatch):
    from pwa.subject_access import trail

    monkeypatch.setattr(trail, "CAP", 3)
    auth.login(world.coordinator)
    page = auth.client.get(f"/families/{world.family.id}/who-has-seen").get_data(as_text=True)
    assert _count_line(page) == "Showing 1–4 of more than 3"
    assert world.coordinator.name in page.split('id="person"')[1].split("</select>")[0]  # the person filter


def test_a_legal_hold_is_in_the_export_and_its_document(world, auth, app):
    from pwa.closure import services

    with app.app_context():
        services.set_hold(db.session.get(User, world.coordinator.id), db.session.get(Family, world.family.id),
                          "Care proceedings: keep everything")
        db.session.commit()
    auth.login(world.coordinator)
    files = _files(_export(auth, world.family))
    data = json.loads(files["record.json"])
    assert [h["reason"] for h in data["legal_holds"]] == ["Care proceedings: keep everything"]
    assert data["legal_holds"][0]["by"]["name"] == world.coordinator.name and data["case_closures"] == []
    document = html.unescape(files["record.html"].decode())
    assert "Case closed and legal holds" in document and "Care proceedings: keep everything · in force" in document
