"""What a person sees around a concern: the page that updates itself, a post refused for its token that keeps
every word, and the thanks after a concern or a visit is saved."""
import re
import uuid

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import Concern, User
from tests.support.concern_fixtures import deliver
from tests.support.concern_world import CANARY_SEEN, concern_form_data, raise_concern


def _status(auth, concern) -> dict:
    r = auth.client.get(f"/concerns/{concern.id}/status", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    return r.get_json()


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_status_endpoint_follows_the_concern_from_sent_to_acknowledged(app, canaries, auth, mail_to):
    from pwa.concerns import services

    c = canaries
    concern = raise_concern(app, c.mentor, c.family)
    auth.login(c.mentor)
    page = auth.client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert f'data-status="/concerns/{concern.id}/status"' in page and "js/concern_status.js" in page
    first = _status(auth, concern)
    assert "Email being sent now." in _words(first["items"][0]["html"]) and first["final"] is False
    deliver(app)
    sent = _words(_status(auth, concern)["items"][0]["html"])
    assert "Email accepted by the mail server at" in sent and "Not yet acknowledged" in sent
    with app.app_context():
        services.acknowledge(db.session.get(User, c.social_worker.id), db.session.get(Concern, concern.id))
        db.session.commit()
        at = db.session.get(Concern, concern.id).acknowledged_at
    from pwa.web import templating

    done = _status(auth, concern)
    assert f"Acknowledged by the social worker at {templating.hhmm(at)}" in _words(done["items"][0]["html"])
    assert done["final"] is True
    assert c.social_worker.name not in done["items"][0]["html"]  # the mentor's view: no staff names


def test_the_status_module_is_served_as_a_module(app, client):
    r = client.get("/static/js/concern_status.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert "data-status" in r.get_data(as_text=True)


def _new(c) -> str:
    return f"/families/{c.family.id}/concerns/new"


def test_a_post_with_a_stale_token_keeps_everything_typed_and_says_what_to_do(app, canaries, auth):
    c = canaries
    auth.login(c.mentor)
    data = concern_form_data(csrf_token="a-token-from-a-page-left-open")
    r = auth.client.post(_new(c), data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "the concern was not sent yet. Everything you typed is still here" in page
    assert CANARY_SEEN in page and "Quillfeather" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    again = auth.client.post(_new(c), data=dict(data, csrf_token=token))  # press Send again: it is stored
    assert again.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Concern)) == 1


def test_a_post_after_the_session_ended_shows_what_was_typed_to_copy(app, canaries, auth):
    c = canaries
    auth.login(c.mentor)
    token = auth.token(_new(c) + "?urgency=urgent")
    auth.client.delete_cookie("bridge_session")  # signed out after a while without use
    r = auth.client.post(_new(c), data=concern_form_data(csrf_token=token))
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "Not sent yet: you were signed out" in page
    assert CANARY_SEEN in page and "Quillfeather" in page and 'href="tel:999"' in page
    assert "sign in again in a new tab" in page
    assert c.family.display_name not in page  # nothing from the server, only what the person typed


def test_the_csrf_token_is_made_at_sign_in_and_kept_for_the_session(app, canaries, auth):
    c = canaries
    auth.login(c.mentor)
    tokens = {auth.token(_new(c) + "?urgency=urgent") for _ in range(3)}
    raw = set()
    for token in tokens:  # every page's token is signed from the one session token
        from itsdangerous import URLSafeTimedSerializer

        raw.add(URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").loads(token))
    assert len(raw) == 1
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None  # valid as long as the session, not an hour


def test_saving_a_visit_thanks_the_mentor(app, world, auth):
    from tests.support.offline_sealing import visit_fields

    auth.login(world.mentor)
    path = f"/families/{world.family.id}/visits/new"
    fields = visit_fields(client_uuid=str(uuid.uuid4()))
    r = auth.post(path, fields, token_from=path)
    assert r.status_code == 302
    page = auth.client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Visit saved. Thank you: what you noticed helps the family and everyone supporting them." in page
