"""The coordinator dashboard's statements: every section's count in one select, then one select a section with rows.

With something in every section, the page makes the same number of queries however much is in them.
"""
import re
import uuid
from datetime import timedelta

import pytest

from pwa.core import clock, refusals
from pwa.core.extensions import db
from pwa.models import Match, Role, User, Visit, VisitKind, VisitOutcome
from tests.support.caseload_helpers import add_visit
from tests.support.concern_world import _dead_letter, raise_concern

SECTIONS = 16
# The request's own statements: its session, the audit chain's head, the audit rows and the new head, and on
# SQLite its BEGIN (PostgreSQL's begins with its first statement, not counted apart).
OWN = 4
# With rows in every section: the one select of counts, one select for each of the 16 sections, and one more
# for the refused accounts (by id). The entries with an unknown adult and the repeated no-access families are
# read as the lines they show, their author's name, note or family reference with them (pwa/families/dashboard.py).
FULL = 1 + SECTIONS + 1
# A quiet programme: the counts, and the two sections of pwa/families/dashboard.py, which are not probed;
# its two families have had no visit yet and its two mentors no supervision, so those two sections read theirs.
QUIET = 1 + 2 + 2


def _own(app) -> int:
    with app.app_context():
        return OWN + (db.engine.dialect.name == "sqlite")


def _queries(auth) -> tuple[int, dict[str, int]]:
    answer = auth.client.get("/dashboard")
    counts = re.findall(r'<h2 id="([\w-]+)-h">.+? \((\d+)\)</h2>', answer.get_data(as_text=True))
    return int(answer.headers["X-Query-Count"]), {key: int(n) for key, n in counts}


def _visit(app, match: Match, days_ago: int, **what) -> None:
    with app.app_context():
        on = clock.today() - timedelta(days=days_ago)
        db.session.add(Visit(family_id=match.family_id, match_id=match.id, author_id=match.mentor_id, visit_on=on,
                             started_at=clock.now() - timedelta(days=days_ago), duration_minutes=30,
                             kind=VisitKind.home_visit, what_done="Knocked", client_uuid=uuid.uuid4(),
                             body_hash="0" * 64, **what))
        db.session.commit()


def _one_more_of_everything(w, i: int, make_user, make_family, make_match) -> None:
    """A mentor and family in every dashboard section of the programme (a concern, a held entry, ...)."""
    from pwa.models import HeldReason
    from pwa.quarantine import services as quarantine

    app, today = w.app, clock.today()
    mentor = make_user(Role.mentor, w.programme, name=f"Mentor {i}")
    family = make_family(w.social_worker, name=f"The Busy {i} family")
    match = make_match(family, mentor, w.coordinator, started_on=today - timedelta(days=90))
    make_family(w.social_worker, name=f"The Unconsented {i} family", consent=False)
    make_family(w.social_worker, name=f"The Waiting {i} family")
    add_visit(app, match, on=today - timedelta(days=20), talk=True)  # to review, asks to talk, overdue
    _visit(app, match, 3, unknown_adult=True)
    for days_ago in (2, 1):
        _visit(app, match, days_ago, outcome=VisitOutcome.no_answer)
    concern = raise_concern(app, mentor, family)  # unacknowledged, and a debrief to do
    with app.test_request_context():
        db.session.add(_dead_letter(concern))
        quarantine.hold(db.session.get(User, mentor.id), uuid.uuid4(), "concern", HeldReason.out_of_reach,
                        body=b"{}", family_id=family.id)
        row = db.session.get(Match, match.id)
        row.next_review_on, row.agreed_end_on = today - timedelta(days=1), today - timedelta(days=1)
        db.session.get(User, mentor.id).dbs_checked_on = today - timedelta(days=365 * 3 - 10)
        db.session.commit()
        for _ in range(3):
            refusals.record(db.session.get(User, mentor.id), "read", "families", uuid.uuid4())


@pytest.fixture
def counting(app):
    app.config["QUERY_COUNT_HEADER"] = True
    yield
    app.config["QUERY_COUNT_HEADER"] = False


def test_an_empty_section_runs_no_select_of_its_own(world, auth, app, counting):
    auth.login(world.coordinator)
    queries, counts = _queries(auth)
    assert [key for key, n in counts.items() if n] == ["overdue", "supervision"]
    assert queries == _own(app) + QUIET


def test_with_every_section_full_the_queries_stay_the_same_as_they_grow(world, auth, app, make_user, make_family,
                                                                       make_match, counting):
    _one_more_of_everything(world, 1, make_user, make_family, make_match)
    auth.login(world.coordinator)
    queries, counts = _queries(auth)
    assert len(counts) == SECTIONS and all(counts.values()), counts  # something to act on in every section
    assert queries == _own(app) + FULL
    for i in range(2, 4):
        _one_more_of_everything(world, i, make_user, make_family, make_match)
    more, grown = _queries(auth)
    assert more == queries
    # every section has more in it (the world's two families stay the overdue ones: the new had visits this week)
    assert all(grown[key] > n for key, n in counts.items() if key != "overdue"), (counts, grown)
    for key, n in grown.items():  # each see-all page counts and lists the same (its probe or count read alone)
        page = auth.client.get(f"/dashboard/{key}").get_data(as_text=True)
        assert f"({n})</h1>" in page and page.count('class="card') >= min(n, 1), key
