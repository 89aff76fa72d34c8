"""An admin sets up a programme's single sign-on; the client secret is encrypted at rest."""
import html

import sqlalchemy as sa

from pwa.core.extensions import db
from pwa.models import ProgrammeSSO, Role

SECRET = "s3cret-from-the-council-provider"


def _settings(app, programme):
    with app.app_context():
        sso = db.session.scalar(sa.select(ProgrammeSSO).where(ProgrammeSSO.programme_id == programme.id))
        raw = db.session.execute(sa.text("SELECT client_secret FROM programme_sso")).scalar()
        return (sso.issuer, sso.client_id, str(sso.client_secret), sso.domains, sso.role, sso.enabled), raw


def _form(**changes):
    data = {"enabled": "y", "issuer": "https://login.council.example", "client_id": "bridge",
            "client_secret": SECRET, "allowed_domains": "Council.example\nschools.council.example",
            "role": "social_worker"}
    data.update(changes)
    return data


def test_an_admin_saves_single_sign_on_with_the_secret_encrypted(world, auth, app):
    auth.login(world.admin)
    page = f"/admin/programmes/{world.programme.id}/sso"
    assert "http://bridge.test/sso/callback" in auth.client.get(page).get_data(as_text=True)
    assert auth.post(page, _form(), token_from=page).status_code == 302
    saved, raw = _settings(app, world.programme)
    assert saved == ("https://login.council.example", "bridge", SECRET, ["council.example", "schools.council.example"],
                     Role.social_worker, True)
    assert SECRET not in raw
    assert SECRET not in auth.client.get(page).get_data(as_text=True)  # never shown again
    assert auth.post(page, _form(client_secret="", client_id="bridge-2"), token_from=page).status_code == 302
    saved, _ = _settings(app, world.programme)
    assert saved[1:3] == ("bridge-2", SECRET)  # a blank secret keeps the saved one


def test_bad_settings_are_explained(world, auth, app):
    auth.login(world.admin)
    page = f"/admin/programmes/{world.programme.id}/sso"
    r = auth.post(page, _form(issuer="http://login.council.example", client_secret="",
                              allowed_domains="someone@council.example"), token_from=page)
    text = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert "Enter the issuer's https address" in text
    assert "'someone@council.example' is not an email domain" in text
    r = auth.post(page, _form(client_secret=""), token_from=page)
    assert r.status_code == 422 and "Enter the client secret" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgrammeSSO)) == 0


def test_only_an_admin_reaches_the_settings(world, auth):
    auth.login(world.coordinator)
    assert auth.client.get(f"/admin/programmes/{world.programme.id}/sso").status_code == 403
