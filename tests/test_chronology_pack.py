"""The chronology as a social worker reads it (every event under the day it happened, the child's words,
a filter by child) and the report pack a conference receives (a real PDF without internal notes)."""
import html
import io
import re
import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Child, Family, Match, User, Visit, VisitChild, VisitKind
from tests.support.concern_world import CANARY_WORDS, raise_concern


def _october_fifth() -> date:
    today = clock.today()
    return date(today.year if today >= date(today.year, 10, 20) else today.year - 1, 10, 5)


@pytest.fixture
def october(world, make_family, make_match):
    """A family referred and matched today, the match recorded as starting on 5 October."""
    family = make_family(world.social_worker, name="The October family",
                         children=(("Amy", date(2017, 3, 4)), ("Ben", date(2020, 6, 1))))
    return family, make_match(family, world.other_mentor, world.coordinator, started_on=_october_fifth())


def _chronology(auth, family, query="") -> str:
    return html.unescape(auth.client.get(f"/families/{family.id}/chronology{query}").get_data(as_text=True))


def _section_of(page: str, day: date) -> str:
    """The part of the page under one day's heading."""
    found = re.search(rf'<section class="day" aria-labelledby="day-{day.isoformat()}">(.*?)</section>', page, re.S)
    assert found, f"no heading for {day}"
    return found.group(1)


def test_a_match_sits_under_the_day_it_started_with_the_time_it_was_recorded(world, auth, october):
    family, match = october
    auth.login(world.social_worker)
    page = _chronology(auth, family)
    fifth = _october_fifth()
    under = _section_of(page, fifth)
    assert f"{fifth:%A} {fifth.day} October {fifth.year}" in page
    assert "Matched with" in under and "Recorded " in under
    year = fifth.year
    filtered = _chronology(auth, family, f"?since={year}-10-01&until={year}-10-31")
    assert "Matched with" in _section_of(filtered, fifth)
    assert "Referred" not in filtered


def test_referral_consent_support_and_family_agreement_are_in_the_chronology(world, auth, app, october):
    from tests.support.diary_helpers import add_goal

    family, _ = october
    goal_id = add_goal(app, family, world.coordinator, title="Calm bedtimes")
    with app.app_context():
        from pwa.models import Goal

        goal = db.session.get(Goal, goal_id)
        goal.family_agreed_on, goal.family_agreement_by_id = clock.today(), world.coordinator.id
        db.session.commit()
    auth.login(world.social_worker)
    page = _chronology(auth, family)
    for title in ("Referred by", "Consent given", "Support started", "Goal agreed with the family", "Matched with"):
        assert title in page, title


def _visit(app, match, on: date, *, words=None, child_names=(), talk=False):
    with app.app_context():
        family = db.session.get(Family, match.family_id)
        v = Visit(family_id=family.id, match_id=match.id, author_id=match.mentor_id, visit_on=on,
                  started_at=datetime(on.year, on.month, on.day, 10, tzinfo=timezone.utc), duration_minutes=60,
                  kind=VisitKind.home_visit, what_done=f"Visit on {on}", child_words=words, talk_to_coordinator=talk,
                  client_uuid=uuid.uuid4(), body_hash="0" * 64)
        v.children = [VisitChild(child_id=c.id, position=i, seen=True, spoken_to=True)
                      for i, c in enumerate(family.children) if c.first_name in child_names]
        db.session.add(v)
        db.session.commit()


def test_the_childs_words_from_visits_and_concerns_and_a_filter_by_child(world, auth, app, october):
    family, match = october
    _visit(app, match, clock.today(), words="Ben said the dog bit him", child_names=("Ben",))
    _visit(app, match, clock.today(), words="Amy said she likes school", child_names=("Amy",))
    raise_concern(app, world.other_mentor, family)
    auth.login(world.social_worker)
    page = _chronology(auth, family)
    assert "Ben said the dog bit him" in page and "Amy said she likes school" in page and CANARY_WORDS in page
    with app.app_context():
        ben = db.session.scalar(sa.select(Child).where(Child.family_id == family.id, Child.date_of_birth ==
                                                       date(2020, 6, 1)))
    only_ben = _chronology(auth, family, f"?child={ben.id}")
    assert "Ben said the dog bit him" in only_ben and "Amy said she likes school" not in only_ben
    assert "Matched with" not in only_ben and "Showing the visits that saw or spoke to Ben" in only_ben


def test_each_event_has_one_heading(world, auth, app, october):
    family, match = october
    _visit(app, match, clock.today())
    auth.login(world.social_worker)
    page = _chronology(auth, family)
    headings = re.findall(r"<h3[^>]*>(.*?)</h3>", page, re.S)
    visit_headings = [h for h in headings if "Home visit" in h]
    assert len(visit_headings) == 1, headings


def run_pack_job(app) -> None:
    """What the worker does every two seconds: prepare the oldest waiting pack."""
    from pwa.outbox import rules

    with app.app_context():
        rules.registry(app).jobs["report-packs"].task()
        db.session.commit()


def download_pack(app, auth, url: str):
    """Ask for the pack (the page says it is being prepared), let the worker prepare it, ask again: the PDF."""
    waiting = auth.client.get(url)
    assert waiting.status_code == 202 and "Preparing the pack" in waiting.get_data(as_text=True)
    run_pack_job(app)
    return auth.client.get(url)


def _pdf_pages(body: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(io.BytesIO(body)).pages]


def test_the_report_pack_is_a_pdf_with_children_and_plan_and_no_internal_notes(world, auth, app, october):
    family, match = october
    for i in range(40):  # enough to run over several pages
        _visit(app, match, date(clock.today().year, 1, 1) if False else clock.today(), words=f"Words {i}",
               child_names=("Amy",), talk=True)
    auth.login(world.social_worker)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      auth.client.get(f"/families/{family.id}").get_data(as_text=True)).group(1)
    auth.client.post(f"/families/{family.id}/plan", data={
        "csrf_token": token, "plan_started_on": _october_fifth().isoformat(), "cp_category": "emotional",
        "council_reference": "LCS-4471"})
    answer = download_pack(app, auth, f"/families/{family.id}/report.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data[:5] == b"%PDF-" and "attachment" in answer.headers["Content-Disposition"]
    pages = _pdf_pages(answer.data)
    text = "\n".join(pages)
    assert len(pages) >= 2
    for i, page in enumerate(pages, start=1):
        assert f"Page {i} of {len(pages)}" in page and "OFFICIAL-SENSITIVE" in page
    assert "Amy" in text and "Ben" in text and "Emotional abuse" in text and "LCS-4471" in text
    assert "Reason for referral" in text and "Volunteer involvement plan" in text
    assert "talk to" not in text.lower() and "Words 7" in text
    with app.app_context():
        assert "export report pack" in set(db.session.scalars(sa.select(AuditEvent.action)))
    assert Match and User


def test_the_report_pack_on_screen_shows_visits_planned_attempted_and_completed(world, auth, app, october):
    family, match = october
    _visit(app, match, clock.today(), child_names=("Amy",))
    auth.login(world.coordinator)
    page = auth.client.get(f"/families/{family.id}/report").get_data(as_text=True)
    assert "Visits planned, attempted and completed" in page and "Download the PDF" in page
    assert "Attempted, no access" in page and "family's own view" in page.lower()
