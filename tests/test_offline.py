"""The offline outbox's server side: sealed entries opened for their author, stored once, answered per entry;
the snapshot, the sealing key, the service worker, the manifest and long-lived static files."""
import json
import os
import re
import stat
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.crypto import sealing
from pwa.core.extensions import db
from pwa.models import AuditEvent, Concern, Goal, GoalStatus, OutboxMessage, Visit
from tests.support.offline_sealing import concern_fields, seal, send, visit_fields


@pytest.fixture
def mentor(world, auth):
    auth.login(world.mentor)
    return world.mentor


def _visits(app, client_uuid=None) -> list[Visit]:
    with app.app_context():
        q = sa.select(Visit)
        if client_uuid:
            q = q.where(Visit.client_uuid == uuid.UUID(str(client_uuid)))
        return list(db.session.scalars(q))


def test_a_sealed_visit_is_stored_once_and_its_replay_is_a_duplicate(app, world, auth, mentor):
    item = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="Baked bread together"))
    first = send(auth, [item])
    assert first.status_code == 200
    [answer] = first.get_json()["results"]
    assert (answer["uuid"], answer["status"], answer["code"]) == (item["uuid"], "stored", 201)
    again = send(auth, [item]).get_json()["results"][0]
    assert (again["status"], again["code"], again["url"]) == ("duplicate", 200, answer["url"])
    [visit] = _visits(app, item["uuid"])
    with app.app_context():
        visit = db.session.get(Visit, visit.id)
        assert visit.what_done == "Baked bread together" and visit.author_id == mentor.id
    assert answer["url"] == f"/visits/{visit.id}"
    assert first.headers["Cache-Control"] == "no-store"


def test_each_entry_in_a_batch_is_answered_in_order(app, world, auth, mentor, make_family):
    child = world.family.children[0]
    good = seal(app, mentor, "visit", world.family.id, visit_fields(children_seen=[str(child.id)]))
    bad = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="", duration_minutes="0"))
    concern = seal(app, mentor, "concern", world.family.id, concern_fields())
    results = send(auth, [good, bad, concern]).get_json()["results"]
    assert [r["uuid"] for r in results] == [good["uuid"], bad["uuid"], concern["uuid"]]
    assert [r["status"] for r in results] == ["stored", "quarantined", "stored"]  # one bad entry blocks nothing
    with app.app_context():
        from pwa.models import QuarantinedItem
        from pwa.quarantine.services import errors_of

        errors = errors_of(db.session.scalar(sa.select(QuarantinedItem)))
    messages = " ".join(e["message"] for e in errors)
    assert "Say what you did." in messages and "1 to 1440" in messages
    assert {e["field"] for e in errors} >= {"what_done", "duration_minutes"}
    with app.app_context():
        stored = db.session.scalar(sa.select(Concern).where(Concern.client_uuid == uuid.UUID(concern["uuid"])))
        assert stored.child_words == "I am hungry"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.subject_id == stored.id)) == 1
    assert results[2]["state"] == "Email being sent" and results[2]["url"] == f"/concerns/{stored.id}"
    assert len(_visits(app)) == 1


def test_the_same_uuid_with_different_content_is_held(app, world, auth, mentor):
    client_uuid = uuid.uuid4()
    first = seal(app, mentor, "visit", world.family.id, visit_fields(), client_uuid=client_uuid)
    second = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="Something else"),
                  client_uuid=client_uuid)
    assert send(auth, [first]).get_json()["results"][0]["status"] == "stored"
    answer = send(auth, [second]).get_json()["results"][0]
    assert (answer["status"], answer["code"], answer["url"]) == ("quarantined", 202, None)  # held, not dropped
    assert len(_visits(app)) == 1


def test_an_entry_sealed_by_another_author_does_not_open(app, world, auth, mentor):
    """The info binds the author: an entry sealed for another account is refused, not stored."""
    item = seal(app, mentor, "visit", world.family.id, visit_fields(), info_author=world.other_mentor)
    answer = send(auth, [item]).get_json()["results"][0]
    assert answer["status"] == "invalid"
    assert "sealed for another account" in answer["errors"][0]["message"]
    assert _visits(app) == []


@pytest.mark.parametrize("tamper", ["uuid", "kind", "ct", "kid"])
def test_an_envelope_changed_after_sealing_does_not_open(app, world, auth, mentor, tamper):
    item = seal(app, mentor, "visit", world.family.id, visit_fields())
    if tamper == "uuid":
        item["uuid"] = str(uuid.uuid4())  # replaying a sealed body under a fresh id
    elif tamper == "kind":
        item["kind"] = "concern"
    elif tamper == "ct":
        item["ct"] = ("A" if item["ct"][0] != "A" else "B") + item["ct"][1:]
    else:
        item["kid"] = "s9-00000000"
    answer = send(auth, [item]).get_json()["results"][0]
    assert (answer["uuid"], answer["status"]) == (item["uuid"], "invalid")
    assert _visits(app) == []


def test_a_family_no_longer_the_mentors_is_held_not_stored(app, world, auth, mentor):
    item = seal(app, mentor, "visit", world.others_family.id, visit_fields())
    answer = send(auth, [item]).get_json()["results"][0]
    assert answer["status"] == "quarantined" and answer["held"] is True and answer["kind"] == "visit"
    assert _visits(app) == []


@pytest.mark.parametrize("body", [None, {}, {"items": []}, {"items": "x"}, "fifty-one"])
def test_a_batch_that_is_not_a_batch_is_refused_whole(app, world, auth, mentor, body):
    if body == "fifty-one":
        body = {"items": [seal(app, mentor, "visit", world.family.id, visit_fields()) for _ in range(51)]}
    token = auth.client.get("/sync/token").get_json()["csrf_token"]
    r = auth.client.post("/sync/items", data=json.dumps(body), content_type="application/json",
                         headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert r.status_code == 422 and r.is_json
    assert _visits(app) == []


def test_fifty_entries_in_one_request_make_fifty_records(app, world, auth, mentor):
    items = [seal(app, mentor, "visit", world.family.id, visit_fields(what_done=f"Visit {n}")) for n in range(50)]
    results = send(auth, items).get_json()["results"]
    assert [r["status"] for r in results] == ["stored"] * 50
    assert [r["status"] for r in send(auth, items).get_json()["results"]] == ["duplicate"] * 50
    assert len(_visits(app)) == 50


def test_without_a_csrf_token_the_batch_is_refused_with_400(app, world, auth, mentor):
    item = seal(app, mentor, "visit", world.family.id, visit_fields())
    r = send(auth, [item], token=False)
    assert r.status_code == 400 and r.is_json
    assert _visits(app) == []


def test_signed_out_the_outbox_endpoints_answer_401_json(app, client):
    for path in ("/sync/token", "/offline/key", "/offline/snapshot", "/sync/states"):
        r = client.get(path, headers={"Accept": "application/json"})
        assert r.status_code == 401 and r.get_json()["error"] == "Unauthorized", path


def test_other_roles_cannot_sync(app, world, auth):
    auth.login(world.social_worker)
    assert auth.client.get("/sync/token", headers={"Accept": "application/json"}).status_code == 403


def test_the_snapshot_holds_only_what_the_offline_forms_need(app, world, auth, mentor):
    with app.app_context():
        db.session.add(Goal(family_id=world.family.id, title="Get to school on time", success_looks_like="x",
                            status=GoalStatus.active, proposed_by_id=world.social_worker.id,
                            agreed_by_id=world.social_worker.id, agreed_at=clock.now()))
        db.session.add(Goal(family_id=world.family.id, title="Proposed only", success_looks_like="x",
                            status=GoalStatus.proposed, proposed_by_id=world.mentor.id))
        db.session.commit()
    r = auth.client.get("/offline/snapshot")
    assert r.headers["Cache-Control"] == "no-store"
    snap = r.get_json()
    assert snap["user"] == str(mentor.id) and snap["duty_phone"] == "01632 960000"
    [family] = snap["families"]
    assert family["id"] == str(world.family.id) and family["label"].startswith("The Own family (BR-")
    assert family["children"] == [{"id": str(world.family.children[0].id), "name": "Amy"}]
    assert [g["title"] for g in family["goals"]] == ["Get to school on time"]
    text = r.get_data(as_text=True)
    assert "Test Street" not in text and "Referral reason" not in text and "The Others family" not in text
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == mentor.id)))
    assert "offline snapshot" in actions


def test_the_key_endpoint_names_the_current_key_and_rotation_keeps_old_entries_open(app, world, auth, mentor):
    path = Path(app.config["SEALING_KEY_FILE"])
    before = path.read_text()
    old = auth.client.get("/offline/key").get_json()
    waiting = seal(app, mentor, "visit", world.family.id, visit_fields(), kid=old["kid"])
    try:
        ring = sealing.load(path, create=False)
        new_kid = ring.add_key()
        sealing.save(ring, path)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
        now = auth.client.get("/offline/key").get_json()
        assert now["kid"] == new_kid != old["kid"] and now["format"] == 1
        fresh = seal(app, mentor, "visit", world.family.id, visit_fields(what_done="after rotation"), kid=new_kid)
        assert [r["status"] for r in send(auth, [waiting, fresh]).get_json()["results"]] == ["stored", "stored"]
    finally:
        path.write_text(before)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2_000_000))


def test_a_development_sealing_key_file_is_generated_owner_only(tmp_path):
    path = tmp_path / "sealing-keys.json"
    ring = sealing.keys_for({"SEALING_KEY_FILE": str(path), "DEVELOPMENT": True})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(ring.public_key()[1]) == 65
    with pytest.raises(sealing.KeyError_):
        sealing.keys_for({"SEALING_KEY_FILE": str(tmp_path / "absent.json"), "DEVELOPMENT": False})


def test_sent_concerns_report_email_and_acknowledgement(app, world, auth, mentor, smtp_server):
    from pwa.outbox import worker
    from pwa.concerns import services

    item = seal(app, mentor, "concern", world.family.id, concern_fields())
    send(auth, [item])
    states = lambda: auth.client.get(f"/sync/states?uuid={item['uuid']}").get_json()["states"]  # noqa: E731
    assert states()[item["uuid"]]["state"] == "Email being sent"
    app.config["SMTP_URL"] = smtp_server.url
    try:
        with app.app_context():
            worker.deliver_due()
    finally:
        app.config["SMTP_URL"] = None
    assert states()[item["uuid"]]["state"] == "Email accepted by the mail server"
    with app.app_context():
        concern = db.session.scalar(sa.select(Concern).where(Concern.client_uuid == uuid.UUID(item["uuid"])))
        services.acknowledge(db.session.get(type(world.social_worker), world.social_worker.id), concern)
        db.session.commit()
    assert states()[item["uuid"]]["state"].startswith("Received by the social worker at ")


def test_shell_pages_carry_no_case_data_and_no_token(app, world, auth, mentor):
    for path in ("/offline", "/offline/visit", "/offline/concern", "/offline/outbox"):
        r = auth.client.get(path)
        text = r.get_data(as_text=True)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache, private", path
        for secret in (world.mentor.email, world.mentor.name, "The Own family", str(world.family.children[0].id),
                       world.family.reference, str(world.mentor.id)):
            assert secret not in text, (path, secret)
        # The menu and sign-out are the same for everyone; a token is fetched only when sign-out is pressed.
        assert re.findall(r'name="csrf_token"[^>]*value="([^"]*)"', text) in ([], [""]), path


def test_the_service_worker_is_served_from_the_root_with_its_allowlist(app, client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in r.headers["Cache-Control"] and "no-store" not in r.headers["Cache-Control"]
    source = r.get_data(as_text=True)
    shell = json.loads(source.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert {"/offline", "/offline/visit", "/offline/concern", "/offline/outbox"} <= set(shell)
    assert all("?v=" in url for url in shell if url.startswith("/static/"))
    assert 'const VERSION = "' in source and "skipWaiting" in source
    app.config["SW_KILL"] = True
    try:
        killed = client.get("/sw.js").get_data(as_text=True)
    finally:
        app.config["SW_KILL"] = False
    assert "unregister()" in killed and "caches.delete" in killed and "SHELL" not in killed


def test_the_manifest_offers_installation(app, client):
    r = client.get("/manifest.webmanifest")
    manifest = json.loads(r.get_data())
    assert r.mimetype == "application/manifest+json"
    assert (manifest["name"], manifest["short_name"], manifest["display"], manifest["start_url"]) == \
        ("Bridge", "Bridge", "standalone", "/")
    assert manifest["theme_color"] == "#1d4f7a"
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (size, _), src in icons.items():
        with client.get(src) as png:
            data = png.data
        width = int.from_bytes(data[16:20], "big")
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and f"{width}x{width}" == size


def test_static_files_under_their_version_are_cached_for_a_year(app, client):
    from pwa.offline.assets import version

    with app.test_request_context():
        idb = version("js/idb.js")
        css = version("css/app.css")
    with client.get(f"/static/css/app.css?v={css}") as fresh:
        assert fresh.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/app.css?v=old") as stale:
        assert stale.headers["Cache-Control"] == "no-cache"
    app_js = client.get("/static/js/app.js").get_data(as_text=True)
    assert f'from "./idb.js?v={idb}"' in app_js and 'import("./outbox.js?v=' in app_js
    assert client.get("/static/js/missing.js").status_code == 404
    assert client.get("/static/../pwa/config.py").status_code == 404
    page = client.get("/login").get_data(as_text=True)
    assert f'/static/css/app.css?v={css}"' in page and "/static/js/app.js?v=" in page


def test_scripts_and_styles_travel_compressed_and_pages_never_do(app, world, auth, mentor):
    """Static files are the same for everyone; a page holds a token beside what was typed (BREACH)."""
    import gzip

    with app.test_request_context():
        from pwa.offline.assets import static_url
        js, css = static_url("js/forms.js"), static_url("css/app.css")
    for url in (js, css):
        answer = auth.client.get(url, headers={"Accept-Encoding": "gzip"})
        assert answer.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in answer.headers["Vary"]
        assert gzip.decompress(answer.data) == auth.client.get(url).data
    page = auth.client.get("/families/?q=ash", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers


def test_a_page_with_an_outbox_form_preloads_every_module_it_will_need(app, world, auth, mentor):
    """One round trip for the whole module graph: the phone on a poor signal waits once, not five times."""
    preloads = lambda html: set(re.findall(r'<link rel="modulepreload" href="/static/js/(\w+)\.js', html))  # noqa: E731
    home = preloads(auth.client.get("/diary").get_data(as_text=True))
    assert home == {"app", "idb", "dom"}  # what app.js imports; the rest loads on demand
    form = preloads(auth.client.get(f"/families/{world.family.id}/visits/new").get_data(as_text=True))
    assert form == home | {"forms", "save", "seal", "hpke"}  # Save works once it is enhanced; sending loads after
    shell = preloads(auth.client.get("/offline/visit").get_data(as_text=True))
    assert shell == home | {"forms"}  # Save's modules come from the worker's cache once the form is usable


def test_the_visit_form_needs_no_svg_document_before_it_shows(app, world, auth, mentor):
    """A slow phone builds a whole document for each SVG image it draws (~0.1 s at a quarter of the speed):
    the favicon is a PNG, and the date and time fields' picker icons are the stylesheet's own, not the browser's
    SVG ones."""
    for path in (f"/families/{world.family.id}/visits/new", "/offline/visit"):
        icons = re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', auth.client.get(path).get_data(as_text=True))
        assert [(url.split("?")[0], kind) for url, kind in icons] == [("/static/icons/icon-192.png", "image/png")]
    css = (Path(app.static_folder) / "css" / "app.css").read_text()
    pickers = re.findall(r"(input(?:\[type=(\w+)\])?)::-webkit-calendar-picker-indicator\{([^}]*)\}", css)
    assert {kind for _, kind, _ in pickers} == {"", "time"}  # every picker (date, time), and the clock for time
    assert all("background:" in rule and "url(" not in rule for _, _, rule in pickers)


def test_visit_form_and_concern_form_post_still_work_without_javascript(app, world, auth, mentor):
    """Progressive enhancement: the plain form post is untouched by the outbox."""
    page = auth.client.get(f"/families/{world.family.id}/visits/new").get_data(as_text=True)
    assert f'data-outbox="visit" data-family="{world.family.id}"' in page
    data = {"visit_on": date.today().isoformat(), "started_at": "00:00", "duration_minutes": "30",
            "kind": "home_visit", "what_done": "Plain post", "client_uuid": str(uuid.uuid4())}
    r = auth.post(f"/families/{world.family.id}/visits/new", data, token_from=f"/families/{world.family.id}/visits/new")
    assert r.status_code == 302
    assert len(_visits(app, data["client_uuid"])) == 1


def test_the_rotate_command_adds_a_current_key_and_keeps_the_old(app, runner, tmp_path, monkeypatch):
    path = tmp_path / "sealing-keys.json"
    monkeypatch.setitem(app.config, "SEALING_KEY_FILE", str(path))
    first = sealing.keys_for(app.config).current
    result = runner.invoke(args=["offline", "rotate-sealing-key"])
    assert result.exit_code == 0, result.output
    ring = sealing.load(path, create=False)
    assert ring.current != first and set(ring.keys) == {first, ring.current}
    assert ring.current in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_scripts_are_served_without_their_comment_lines_and_with_all_their_code(app, client):
    """A fifth of the gzipped scripts was comments, paid for in bytes by a phone on a poor signal."""
    from pwa.offline.assets import lean

    tricky = "const a = `\n// inside a template: kept\n`;\n// gone\n/* gone\n * too */\nf(); // kept\n/* kept */ g();"
    assert lean(tricky) == "const a = `\n// inside a template: kept\n`;\nf(); // kept\n/* kept */ g();"
    for path in sorted(Path(app.static_folder, "js").glob("*.js")):
        source = path.read_text()
        served = client.get(f"/static/js/{path.name}").get_data(as_text=True)
        code = [line for line in source.split("\n") if not line.strip().startswith(("//", "/*", "*"))]
        assert [re.sub(r"\?v=\w+", "", line) for line in served.split("\n")] == code, path.name
