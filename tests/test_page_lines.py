"""The family page's concern lines and the visit form's goals, read as Core selects of what they show."""
import re
from datetime import timedelta

import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import AuditEvent, Child, Concern
from tests.support.concern_world import CANARY_SEEN, CANARY_WORDS, add_to_concern, raise_concern
from tests.support.diary_helpers import add_goal, make_entries


def _amy(app, family):
    with app.app_context():
        return db.session.scalars(sa.select(Child).where(Child.family_id == family.id)).one()


def _query_count(app, client, path: str) -> tuple[int, str]:
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        page = client.get(path)
    finally:
        app.config["QUERY_COUNT_HEADER"] = False
    assert page.status_code == 200
    return int(page.headers["X-Query-Count"]), page.get_data(as_text=True)


def test_staff_read_a_concern_and_its_addendum_on_the_family_page_a_mentor_only_its_status(world, auth, app):
    amy = _amy(app, world.family)
    concern = raise_concern(app, world.mentor, world.family, children=[str(amy.id)])
    add_to_concern(app, world.mentor, concern, facts="CANARY-ADDENDUM a second bruise")
    auth.login(world.social_worker)
    page = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert f"Safeguarding concern {concern.reference} (urgent)" in page
    assert f"Addition to concern {concern.reference}" in page
    assert f"Neglect, Emotional abuse · raised by {world.mentor.name}" in page
    assert "<p>About: Amy</p>" in page and "Not yet acknowledged" in page
    assert CANARY_SEEN in page and "CANARY-ADDENDUM a second bruise" in page
    assert "mummy&#39;s friend Quillfeather" in page  # the child's words, escaped
    assert page.count(f'href="/concerns/{concern.id}"') == 2  # the concern and its addendum link to the concern
    auth.logout()
    auth.login(world.mentor)
    page = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert f"Safeguarding concern {concern.reference} (urgent)" in page and "<p>About: Amy</p>" in page
    assert CANARY_SEEN not in page and CANARY_WORDS not in page and "raised by" not in page
    with app.app_context():
        listed = db.session.scalars(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "list concerns"))
        assert set(listed) == {world.social_worker.id, world.mentor.id}


def test_the_family_page_reads_concerns_in_the_same_queries_however_many(world, auth, app):
    raise_concern(app, world.mentor, world.family)
    auth.login(world.coordinator)
    few, _ = _query_count(app, auth.client, f"/families/{world.family.id}")
    amy = _amy(app, world.family)
    for urgency in ("worried", "urgent"):
        concern = raise_concern(app, world.mentor, world.family, urgency=urgency, children=[str(amy.id)])
        add_to_concern(app, world.mentor, concern)
        add_to_concern(app, world.coordinator, concern)
    many, page = _query_count(app, auth.client, f"/families/{world.family.id}")
    assert page.count("Safeguarding concern SC-") == 3 and page.count("Addition to concern SC-") == 4
    assert few == many


def test_only_the_shown_concerns_text_is_opened(world, auth, app, monkeypatch):
    from pwa.access import concern_lines

    concern = raise_concern(app, world.mentor, world.family)
    with app.app_context():  # the concern happened before the twenty-odd newer diary entries that fill page 1
        db.session.execute(sa.update(Concern.__table__).values(created_at=clock.now() - timedelta(days=90)))
        db.session.commit()
    make_entries(app, world.match, 25, text="Newer entry")
    opened = []
    real = concern_lines.open_column
    monkeypatch.setattr(concern_lines, "open_column", lambda column, *a: opened.append(column.key) or real(column, *a))
    auth.login(world.coordinator)
    first = auth.client.get(f"/families/{world.family.id}").get_data(as_text=True)
    assert concern.reference not in first and opened == []
    second = auth.client.get(f"/families/{world.family.id}?page=2").get_data(as_text=True)
    assert concern.reference in second and CANARY_SEEN in second
    assert sorted(opened) == ["child_words", "what_seen"]  # no action taken yet: no note stored to open


def test_the_visit_form_offers_each_open_goal_by_title_in_the_same_queries(world, auth, app):
    add_goal(app, world.family, world.coordinator, title="Amy & Mum <read> together")
    auth.login(world.mentor)
    path = f"/families/{world.family.id}/visits/new"
    few, page = _query_count(app, auth.client, path)
    assert "<legend>Amy &amp; Mum &lt;read&gt; together</legend>" in page
    for n in range(3):
        add_goal(app, world.family, world.coordinator, title=f"Goal number {n}")
    many, page = _query_count(app, auth.client, path)
    assert re.findall(r'<fieldset class="goal">\s*<legend>([^<]+)</legend>', page) == [
        "Amy &amp; Mum &lt;read&gt; together", "Goal number 0", "Goal number 1", "Goal number 2"]
    assert few == many
