"""Outcome frameworks (Bridge's own by default, a scheme's own from a file) and the journey of change."""
import json
import re

import pytest
import sqlalchemy as sa

from pwa.core import clock
from pwa.core.extensions import db
from pwa.models import OutcomeFramework, OutcomeReading, Programme
from pwa.outcomes import services

SCHEME = """\
key: riverside-star
name: Riverside journey
scale:
  min: 1
  max: 5
  labels: {1: Stuck, 5: Thriving}
areas:
  - {key: home, name: Home, description: A settled home}
  - {key: school, name: School}
  - {key: friends, name: Friends}
"""


def _load(runner, path, *extra):
    return runner.invoke(args=["outcomes", "load", str(path), *extra])


def test_bridges_own_framework_is_made_on_first_use_and_only_once(ctx):
    framework = services.default_framework()
    assert framework.builtin and (framework.scale_min, framework.scale_max) == (1, 10)
    assert [a.name for a in framework.areas] == [
        "Physical health", "Emotional wellbeing", "Keeping children safe", "Friends and community",
        "Learning and school", "Routines and boundaries", "Work and aspirations", "Home and money"]
    assert all(a.description for a in framework.areas) and framework.label_for(10) == "Doing well without help"
    db.session.commit()
    assert services.default_framework().id == framework.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeFramework)) == 1


def test_a_scheme_loads_its_own_framework_from_yaml_or_json(runner, tmp_path, make_programme, app):
    home, other = make_programme("Home"), make_programme("Other")
    yaml_file = tmp_path / "riverside.yaml"
    yaml_file.write_text(SCHEME)
    result = _load(runner, yaml_file, "--programme", "Home")
    assert result.exit_code == 0, result.output
    assert "Loaded 'Riverside journey' (riverside-star): 3 areas, scored 1 to 5, for Home." in result.output
    again = _load(runner, yaml_file, "--programme", "Home")
    assert again.exit_code == 0 and "Already loaded, unchanged" in again.output
    json_file = tmp_path / "county.json"
    json_file.write_text(json.dumps({"key": "county-1", "name": "County outcomes", "scale": {"min": 0, "max": 10},
                                     "areas": [{"key": "safety", "name": "Safety"}]}))
    assert _load(runner, json_file).exit_code == 0
    with app.app_context():
        assert services.framework_for(home.id).key == "riverside-star"
        assert services.framework_for(other.id).key == "county-1"  # loaded for every programme
    listing = runner.invoke(args=["outcomes", "list"]).output
    assert "Home uses riverside-star" in listing and "Other uses county-1" in listing and "[built in]" in listing


@pytest.mark.parametrize("name, text, message", [
    ("no-areas.yaml", "key: x\nname: X\nscale: {min: 1, max: 10}\n", "areas: required"),
    ("twice.yaml", "key: x\nname: X\nscale: {min: 1, max: 10}\nareas: [{key: a, name: A}, {key: a, name: B}]\n",
     "area 2: key 'a' is used twice"),
    ("inverted.yaml", "key: x\nname: X\nscale: {min: 10, max: 1}\nareas: [{key: a, name: A}]\n",
     "scale: min (10) must be below max (1)"),
    ("label.yaml", "key: x\nname: X\nscale: {min: 1, max: 5, labels: {9: Great}}\nareas: [{key: a, name: A}]\n",
     "scale.labels: 9 is not a score from 1 to 5"),
    ("typo.yaml", "key: x\nname: X\nscael: {min: 1, max: 5}\nareas: [{key: a, name: A}]\n",
     "unknown field 'scael'"),
    ("badkey.yaml", "key: Not A Key\nname: X\nscale: {min: 1, max: 5}\nareas: [{key: a}]\n",
     "key 'Not A Key': use lower-case letters|area 1: name: required"),
    ("broken.yaml", "key: x\nname: [unclosed\n", "not valid YAML (line 3"),
    ("broken.json", '{"key": "x",}', "not valid JSON (line 1"),
    ("scheme.txt", "key: x", "use a .json, .yaml or .yml file"),
])
def test_a_bad_file_is_refused_with_every_problem_named(runner, tmp_path, ctx, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    result = _load(runner, path)
    assert result.exit_code != 0 and f"{name} was not loaded" in result.output
    for part in message.split("|"):  # every problem is listed, not just the first
        assert part in result.output, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeFramework)) == 0


def test_a_loaded_framework_is_never_changed_in_place(runner, tmp_path, make_programme):
    make_programme("Home")
    path = tmp_path / "riverside.yaml"
    path.write_text(SCHEME)
    assert _load(runner, path).exit_code == 0
    path.write_text(SCHEME.replace("name: Friends", "name: Friendships"))
    result = _load(runner, path)
    assert result.exit_code != 0 and "give the file a new key (for example 'riverside-star-v2')" in result.output
    assert _load(runner, tmp_path / "missing.yaml").output.count("no such file") == 1
    assert "no programme is named 'Nowhere'" in _load(runner, path, "--programme", "Nowhere").output


def _reading(auth, family_id, taken_on, family_scores, mentor_scores, occasion="review", note=""):
    data = {"taken_on": taken_on, "occasion": occasion, "note": note, "framework_key": "bridge-1"}
    data |= {f"family_{i}": str(v) for i, v in enumerate(family_scores) if v is not None}
    data |= {f"mentor_{i}": str(v) for i, v in enumerate(mentor_scores) if v is not None}
    return auth.post(f"/families/{family_id}/readings/new", data)


def test_a_reading_is_scored_side_by_side_and_validated(world, auth, client, app):
    auth.login(world.mentor)
    form = client.get(f"/families/{world.family.id}/readings/new").get_data(as_text=True)
    assert form.count('type="number"') == 16 and "<legend>Physical health</legend>" in form
    assert "Doing well without help" in form
    bad = _reading(auth, world.family.id, clock.today().isoformat(), [11], [3], note="Kept this note-typed")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Physical health: family&#39;s score: Enter a whole number from 1 to 10." in page
    assert "Kept this note-typed" in page and 'value="11"' in page
    empty = _reading(auth, world.family.id, clock.today().isoformat(), [], [])
    assert empty.status_code == 422 and "Give at least one score." in empty.get_data(as_text=True)
    good = _reading(auth, world.family.id, clock.today().isoformat(), [4, 5], [3, None], occasion="start")
    assert good.status_code == 302 and good.headers["Location"].endswith("/journey")
    with app.app_context():
        [reading] = db.session.scalars(sa.select(OutcomeReading)).all()
        assert sorted((s.family_score, s.mentor_score) for s in reading.scores) == [(4, 3), (5, None)]


def _svgs(page: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", page, re.S)


def test_the_journey_draws_zero_one_and_many_readings(world, auth, client):
    auth.login(world.coordinator)
    journey = f"/families/{world.family.id}/journey"
    page = client.get(journey).get_data(as_text=True)
    assert len(_svgs(page)) == 2 and all("No readings yet" in svg for svg in _svgs(page))
    assert "No readings yet. Take the first" in page

    _reading(auth, world.family.id, "2026-01-05", [2] * 8, [3] * 8, occasion="start", note="First talk")
    page = client.get(journey).get_data(as_text=True)
    radar, lines = _svgs(page)
    assert "Only reading, 5 Jan 2026" in radar and "<polygon" in radar and 'role="img"' in radar
    assert "Physical health: 2 on 5 Jan 2026 to 2 on 5 Jan 2026 (1 readings)" in lines
    assert "<td>2</td><td>3</td>" in page and "First talk" in page

    _reading(auth, world.family.id, "2026-02-16", [4] * 8, [4] * 8)
    _reading(auth, world.family.id, "2026-03-30", [7, 6, 6, 5, 7, 8, 5, None], [6] * 8, occasion="end")
    page = client.get(journey).get_data(as_text=True)
    radar, lines = _svgs(page)
    assert "First, 5 Jan 2026" in radar and "Latest, 30 Mar 2026" in radar
    assert "Physical health: 2 on 5 Jan 2026 to 7 on 30 Mar 2026 (3 readings)" in lines
    assert "Home and money: 2 on 5 Jan 2026 to 4 on 16 Feb 2026 (2 readings)" in lines  # a gap, not a zero
    assert page.count('scope="colgroup"') == 3 and "30 Mar 2026, end" in page
    assert "style=" not in page and "<script>" not in page  # strict CSP: no inline styles or scripts

    mentor = client.get(journey + "?view=mentor").get_data(as_text=True)
    assert "The mentor&#x27;s view: first and latest reading" in _svgs(mentor)[0]
    assert "Physical health: 3 on 5 Jan 2026 to 6 on 30 Mar 2026 (3 readings)" in _svgs(mentor)[1]


def test_readings_under_an_earlier_framework_stay_readable(world, auth, client, runner, tmp_path, app):
    auth.login(world.coordinator)
    _reading(auth, world.family.id, "2026-01-05", [2] * 8, [3] * 8)
    path = tmp_path / "riverside.yaml"
    path.write_text(SCHEME)
    assert _load(runner, path, "--programme", "Home").exit_code == 0
    page = client.get(f"/families/{world.family.id}/journey").get_data(as_text=True)
    assert page.index("Riverside journey") < page.index("Bridge journey of change (earlier framework)")
    assert "Only reading, 5 Jan 2026" in page
    form = client.get(f"/families/{world.family.id}/readings/new").get_data(as_text=True)
    assert "<legend>School</legend>" in form and 'max="5"' in form
    with app.app_context():
        assert db.session.scalar(sa.select(Programme.name).where(Programme.id == world.programme.id)) == "Home"
