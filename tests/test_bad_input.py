"""The known server errors under bad input, each now a clear refusal (issue 14, point 6)."""
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from pwa.crypto import sealing
from pwa.crypto.hpke import public_key_raw
from pwa.offline import sync
from pwa.web import dates
from tests.support.offline_sealing import SUITE, b64u, seal, send, visit_fields

EDGES = ["0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "1970-01-01", "2024-02-29", "2023-02-29",
         "10000-01-01", "-0001-01-01", "", "2026-13-01", "2026-1-1", "０２０２-01-01"]


@pytest.fixture
def mentor(world, auth):
    auth.login(world.mentor)
    return world.mentor


def _reseal_raw(app, author, item: dict, body: bytes) -> dict:
    """The same envelope with `body` sealed inside instead (bytes that json.dumps could not even write)."""
    keys = sealing.keys_for(app.config)
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public_key_raw(keys.keys[item["kid"]]))
    sealed = SUITE.encrypt(body, point, info=sync.info(item["kid"], author.id, item["kind"], item["uuid"]))
    return dict(item, enc=b64u(sealed[:65]), ct=b64u(sealed[65:]))


@pytest.mark.parametrize("kind", [["visit"], {"a": 1}, 7, None, True, "visit\n"])
def test_sync_items_with_a_kind_that_is_not_a_kind_is_refused_per_item(app, world, auth, mentor, kind):
    item = seal(app, world.mentor, "visit", world.family.id, visit_fields())
    item["kind"] = kind
    r = send(auth, [item])
    assert r.status_code == 200
    [result] = r.get_json()["results"]
    assert result["status"] == "invalid" and result["code"] == 422
    assert "not in a format Bridge can read" in result["errors"][0]["message"]


@pytest.mark.parametrize("field", ["v", "kid", "enc", "ct"])
def test_sync_items_with_a_list_or_object_where_text_belongs_is_refused(app, world, auth, mentor, field):
    item = seal(app, world.mentor, "visit", world.family.id, visit_fields())
    item[field] = [item[field]]
    [result] = send(auth, [item]).get_json()["results"]
    assert result["status"] == "invalid"


def test_deeply_nested_json_in_the_body_is_refused_with_422(app, world, auth, mentor):
    token = auth.client.get("/sync/token").get_json()["csrf_token"]
    body = '{"items": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    r = auth.client.post("/sync/items", data=body, content_type="application/json",
                         headers={"Accept": "application/json", "X-CSRFToken": token})
    assert r.status_code == 422 and r.get_json() == {"error": "Unprocessable Entity",
                                                      "message": 'expected {"items": [...]}'}


def test_deeply_nested_json_inside_a_sealed_entry_is_refused_per_item(app, world, auth, mentor):
    item = seal(app, world.mentor, "visit", world.family.id, {"what_done": "x"})
    item = _reseal_raw(app, world.mentor, item, b'{"family": "x", "fields": {"what_done": ' + b"[" * 20_000 +
                       b"]" * 20_000 + b"}}")
    [result] = send(auth, [item]).get_json()["results"]
    assert result["status"] == "invalid" and "cannot be opened" in result["errors"][0]["message"]


PAIRS = [(edge, "") for edge in EDGES] + [("", edge) for edge in ("0001-01-01", "9999-12-31", "1900-01-01")] + \
    [("0001-01-01", "9999-12-31"), ("9999-12-31", "0001-01-01"), ("2199-12-31", "1900-01-01")]


def _readable(text: str) -> bool:
    try:
        dates.optional_day(text)
    except ValueError:
        return False
    return True


def test_impact_report_and_csv_take_any_dates_at_the_edges_of_the_calendar(world, auth):
    auth.login(world.coordinator)
    for start, end in PAIRS:
        page = auth.client.get("/reports/impact", query_string={"start": start, "end": end})
        assert page.status_code == 200, (start, end)
        told = "Dates must look like 2026-04-01." in page.get_data(as_text=True)
        assert told == (not (_readable(start) and _readable(end))), (start, end)
        csv = auth.client.get("/reports/impact.csv", query_string={"start": start, "end": end, "table": "activity"})
        assert csv.status_code in (200, 404), (start, end)


def test_chronology_and_report_take_any_dates_at_the_edges_of_the_calendar(world, auth):
    auth.login(world.social_worker)
    for since, until in PAIRS:
        for path in (f"/families/{world.family.id}/chronology", f"/families/{world.family.id}/report"):
            r = auth.client.get(path, query_string={"since": since, "until": until})
            assert r.status_code == 200, (path, since, until)
            told = "Dates must look like 2026-04-01" in r.get_data(as_text=True)
            assert told == (not (_readable(since) and _readable(until))), (path, since, until)
