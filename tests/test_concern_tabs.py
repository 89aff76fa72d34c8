"""Two tabs never cost a concern: the concern form loaded in four tabs at once, right after sign-in, then
four posts, each with its own page's token, against a real gunicorn serving four requests at a time."""
import re
import threading

import pytest
import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Concern
from tests.conftest import PASSWORD
from tests.support.concern_processes import Browser, free_port, start_web
from tests.support.concern_world import concern_form_data

TABS = 4


@pytest.fixture
def web(app, tmp_path):
    port = free_port()
    process = start_web(app, port, tmp_path, threads=TABS)
    try:
        Browser(port).wait_up()
        yield port
    finally:
        process.kill()


def _tab(port: int, cookie: str) -> Browser:
    tab = Browser(port)
    tab.cookie = cookie
    return tab


def _all_at_once(calls) -> list:
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_four_tabs_loaded_at_once_then_four_posts_are_all_stored(app, canaries, web):
    c = canaries
    signed_in = Browser(web)
    signed_in.login(c.mentor.email, PASSWORD)
    path = f"/families/{c.family.id}/concerns/new"
    tabs = [_tab(web, signed_in.cookie) for _ in range(TABS)]
    pages = _all_at_once([lambda t=t: t.request("GET", path + "?urgency=urgent") for t in tabs])
    posts = []
    for status, html in pages:
        assert status == 200
        fields = concern_form_data(what_seen=f"CANARY-TAB {len(posts)}")
        fields["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        fields["client_uuid"] = re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', html).group(1)
        posts.append(fields)
    answers = _all_at_once([lambda t=t, f=f: t.request("POST", path, f) for t, f in zip(tabs, posts)])
    assert [status for status, _ in answers] == [302] * TABS, [text[:300] for _, text in answers]
    with app.app_context():
        stored = sorted(c.what_seen for c in db.session.scalars(sa.select(Concern)))
    assert stored == [f"CANARY-TAB {i}" for i in range(TABS)]
