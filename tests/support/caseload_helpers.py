"""Helpers for the caseload tests: diary entries written straight in, the families a page lists."""
import html as html_lib
import re
import uuid
from datetime import date, timedelta

from pwa.core import clock
from pwa.core.extensions import db


def add_visit(app, match, *, on: date, talk: bool = False, corrects=None):
    """A diary entry by the match's mentor on the given day; returns its id."""
    from pwa.models import Visit, VisitKind

    with app.app_context():
        visit = Visit(family_id=match.family_id, match_id=match.id, author_id=match.mentor_id, visit_on=on,
                      started_at=clock.now() - timedelta(days=(clock.today() - on).days), duration_minutes=30,
                      kind=VisitKind.home_visit, what_done="Homework", talk_to_coordinator=talk,
                      client_uuid=uuid.uuid4(), body_hash="0" * 64, corrects_id=corrects,
                      correction_reason="Wrong day" if corrects else None)
        db.session.add(visit)
        db.session.commit()
        return visit.id


def listed(html: str) -> list[str]:
    """The family names listed as cards, in page order."""
    return [html_lib.unescape(n) for n in re.findall(r'<h3><a href="/families/[0-9a-f-]+">([^<]+)</a>', html)]


def showing(html: str) -> str:
    """The 'Showing 51–100 of 137' line of a paged list."""
    found = re.search(r"Showing [\d–]+ of \d+", html)
    assert found, "no count on the page"
    return found.group(0)


def section(html: str, key: str) -> str:
    """One dashboard section's HTML."""
    return html.split(f'id="{key}"')[1].split("</section>")[0]
