"""The concerns, mentors and accounts lists: what each card or row says, paging past the end, and the same
number of statements however many rows there are (each list reads its rows in one select)."""
import re
from datetime import timedelta

import pytest

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import Concern, Role, User
from tests.support.caseload_helpers import add_visit, showing
from tests.support.concern_world import add_to_concern, raise_concern


def _queries(auth, path: str) -> int:
    auth.client.get(path)  # the session settles
    return int(auth.client.get(path).headers["X-Query-Count"])


@pytest.fixture
def counting(app):
    app.config["QUERY_COUNT_HEADER"] = True
    yield
    app.config["QUERY_COUNT_HEADER"] = False


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _card(page: str, reference: str) -> str:
    return _words(page.split(f">{reference}</a>")[1].split("</li>")[0])


def _acknowledge(app, user, concern, *, addenda=(), action: str | None = None):
    from pwa.concerns import services

    with app.app_context():
        found = db.session.get(Concern, concern.id)
        who = db.session.get(User, user.id)
        services.acknowledge(who, found, list(addenda))
        if action:
            services.record_action_taken(who, found, action)
        db.session.commit()
        db.session.remove()


def test_a_concern_card_says_who_acknowledged_it_what_was_done_and_what_still_waits(app, canaries, auth):
    c = canaries
    waiting, done = raise_concern(app, c.mentor, c.family), raise_concern(app, c.mentor, c.family)
    _acknowledge(app, c.social_worker, done, action="Visited the family")
    add_to_concern(app, c.mentor, done)
    auth.login(c.coordinator)
    page = auth.client.get("/concerns/").get_data(as_text=True)
    assert "Not yet acknowledged (1)" in page
    open_card, done_card = _card(page, waiting.reference), _card(page, done.reference)
    assert "The Ravensworth-Canary family · raised" in open_card and "Waiting" in open_card
    assert "email being sent" in open_card and "deadline" in open_card
    assert "Acknowledged by the social worker in" in done_card and "· action taken" in done_card
    assert "1 addition not yet acknowledged" in done_card and "Visited the family" not in page
    assert "action taken · 1 addition" in done_card  # spaced like the card's other parts
    auth.logout()
    auth.login(c.mentor)
    mentor_page = auth.client.get("/concerns/").get_data(as_text=True)
    assert done.reference in mentor_page and "Ravensworth" not in mentor_page  # no family name for a mentor


def test_the_concerns_list_pages_and_a_page_past_the_end_shows_the_last(app, canaries, auth):
    c = canaries
    for _ in range(52):
        raise_concern(app, c.mentor, c.family)
    auth.login(c.social_worker)
    first = auth.client.get("/concerns/").get_data(as_text=True)
    assert showing(first) == "Showing 1–50 of 52" and first.count('class="card"') == 50
    last = auth.client.get("/concerns/?page=2").get_data(as_text=True)
    assert showing(last) == "Showing 51–52 of 52" and last.count('class="card"') == 2
    past = auth.client.get("/concerns/?page=9").get_data(as_text=True)
    assert showing(past) == "Showing 51–52 of 52" and past.count('class="card"') == 2


def test_the_concerns_list_runs_the_same_queries_whether_or_not_any_concern_waits(app, canaries, auth, counting):
    c = canaries
    done = raise_concern(app, c.mentor, c.family)
    _acknowledge(app, c.social_worker, done)
    auth.login(c.social_worker)
    none_waiting = _queries(auth, "/concerns/")
    raise_concern(app, c.mentor, c.family)
    assert _queries(auth, "/concerns/") == none_waiting


def test_a_mentor_card_shows_readiness_families_last_visit_and_profile(world, auth, app, make_user):
    from pwa.matches import services

    with app.app_context():
        services.record_profile(db.session.get(User, world.coordinator.id), db.session.get(User, world.mentor.id),
                                languages="English, Polish", area="North Riverside")
        db.session.commit()
    add_visit(app, world.match, on=clock.today() - timedelta(days=2))
    unready = make_user(Role.mentor, world.programme, ready=False, name="Una Unready")
    auth.login(world.coordinator)
    page = auth.client.get("/mentors").get_data(as_text=True)
    card = _words(page.split(f"<h2>{world.mentor.name}</h2>")[1].split("</li>")[0])
    assert "Ready to be matched" in card and "DBS check lapses" in card and "Child protection training lapses" in card
    assert "1 current family · last visit" in card and "speaks English, Polish · North Riverside" in card
    other = _words(page.split(f"<h2>{unready.name}</h2>")[1].split("</li>")[0])
    assert "Not ready: no DBS check recorded" in other and "0 current families · last visit none yet" in other
    assert showing(auth.client.get("/mentors?page=9").get_data(as_text=True)) == "Showing 1–3 of 3"


def test_the_mentors_and_accounts_lists_run_the_same_queries_however_many_rows(world, auth, app, make_user,
                                                                             make_family, make_match, counting):
    from pwa.matches import services

    auth.login(world.admin)
    everyone = _queries(auth, "/admin/users")
    auth.logout()
    auth.login(world.coordinator)
    mentors = _queries(auth, "/mentors")
    accounts = _queries(auth, "/admin/users")
    for i in range(6):
        mentor = make_user(Role.mentor, world.programme, ready=bool(i % 2))
        make_user(Role.social_worker, world.programme)
        if i % 2:  # a ready mentor, matched and visiting; the others not ready
            match = make_match(make_family(world.social_worker, name=f"The Row {i} family"), mentor, world.coordinator)
            add_visit(app, match, on=clock.today() - timedelta(days=i))
        with app.app_context():
            services.record_profile(db.session.get(User, world.coordinator.id), db.session.get(User, mentor.id),
                                    languages="Welsh", area=f"Area {i}")
            db.session.commit()
    assert _queries(auth, "/mentors") == mentors
    assert _queries(auth, "/admin/users") == accounts
    auth.logout()
    auth.login(world.admin)
    assert _queries(auth, "/admin/users") == everyone
