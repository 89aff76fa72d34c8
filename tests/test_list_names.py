"""Staff names on the families list and in its filters: opened once per process, never stale."""
import re

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Role, User


def _options(page: str, select: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each person offered in one of the page's dropdowns."""
    body = page.split(f'<select id="{select}"')[1].split("</select>")[0]
    return [(value, label, bool(chosen)) for value, chosen, label in
            re.findall(r'<option value="([0-9a-f-]+)"( selected)?>([^<]+)</option>', body)]


def _rename(app, user: User, name: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).name = name
        db.session.commit()


def test_the_filters_offer_the_programmes_people_and_keep_the_choice(world, auth, make_user):
    gone = make_user(Role.social_worker, world.programme, name="Gone Away", active=False)
    auth.login(world.coordinator)
    page = auth.client.get("/families/", query_string={"mentor": str(world.mentor.id)}).get_data(as_text=True)
    mentors = _options(page, "mentor")
    assert (str(world.mentor.id), world.mentor.name, True) in mentors
    assert (str(world.other_mentor.id), world.other_mentor.name, False) in mentors
    assert str(world.far_mentor.id) not in {value for value, _, _ in mentors}  # another programme's
    workers = {label for _, label, _ in _options(page, "social_worker")}
    assert workers == {world.social_worker.name, world.other_social_worker.name}  # not the disabled one
    assert gone.name not in workers


def test_a_renamed_or_new_colleague_shows_at_once(world, app, auth, make_user):
    auth.login(world.coordinator)
    first = auth.client.get("/families/").get_data(as_text=True)  # names opened and kept
    assert f"Mentor: {world.mentor.name}" in first
    _rename(app, world.mentor, "Renamed Mentor")
    _rename(app, world.social_worker, "Renamed Worker")
    newcomer = make_user(Role.social_worker, world.programme, name="New Colleague")
    page = auth.client.get("/families/").get_data(as_text=True)
    assert "Mentor: Renamed Mentor" in page and "Social worker: Renamed Worker" in page
    assert world.mentor.name not in page and world.social_worker.name not in page
    assert ("Renamed Mentor" in {label for _, label, _ in _options(page, "mentor")})
    workers = {value: label for value, label, _ in _options(page, "social_worker")}
    assert workers[str(world.social_worker.id)] == "Renamed Worker" and workers[str(newcomer.id)] == "New Colleague"
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == newcomer.id).values(active=False))
        db.session.commit()
    later = auth.client.get("/families/").get_data(as_text=True)
    assert "New Colleague" not in later  # disabled: no longer offered


def test_staff_names_are_opened_once_per_process_not_once_per_request(world, auth, monkeypatch):
    from pwa.crypto import Keyring

    opened = []
    real = Keyring.decrypt
    monkeypatch.setattr(Keyring, "decrypt", lambda self, stored, ad: opened.append(ad) or real(self, stored, ad))
    auth.login(world.coordinator)
    auth.client.get("/families/")
    auth.client.get("/families/")
    staff = [ad for ad in opened if ad.startswith("users.name:")]
    mentor = f"users.name:{world.mentor.id}"
    assert staff.count(mentor) <= 1  # the first request may open it; the second reuses it
    assert sum(ad.startswith("families.display_name:") for ad in opened) >= 4  # each page opens its families' names


def test_the_finder_names_each_rows_people_without_loading_them(world, app):
    from pwa.core import clock
    from pwa.families import finder, listed

    with app.app_context():
        coordinator = db.session.get(User, world.coordinator.id)
        found = listed.find(coordinator, finder.Criteria(), clock.today(), limit=10)
        named = {row.display_name: (row.mentor_name, row.social_worker_name) for row in found.rows}
        users = [o.id for o in db.session.identity_map.values() if isinstance(o, User)]
    assert named["The Own family"] == (world.mentor.name, world.social_worker.name)
    assert named["The Others family"] == (world.other_mentor.name, world.other_social_worker.name)
    assert "The Far family" not in named  # another programme's
    assert users == [world.coordinator.id] and found.total == 2  # no mentor or social worker loaded


def test_a_name_in_the_filters_is_shown_as_typed_never_as_markup(world, auth, make_user):
    odd = make_user(Role.mentor, world.programme, name='Jo "Bo" <b>O\'Neil</b> & Co')
    auth.login(world.coordinator)
    page = auth.client.get("/families/", query_string={"mentor": str(odd.id)}).get_data(as_text=True)
    assert (f'<option value="{odd.id}" selected>Jo &#34;Bo&#34; &lt;b&gt;O&#39;Neil&lt;/b&gt; &amp; Co</option>'
            in page)
    assert "<b>O'Neil</b>" not in page
