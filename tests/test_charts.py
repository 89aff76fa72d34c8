"""Tests for pwa.web.charts: well-formed, accessible, CSP-safe SVG with escaped labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pwa.web import charts

NS = "{http://www.w3.org/2000/svg}"
AREAS = ["Confidence", "Routines & boundaries", "Health", "School engagement", "Home"]
EVIL = "<script>alert('x')</script> & \"q\""


def parse(svg: str) -> ET.Element:
    """Parse the markup and check the invariants every chart must hold."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("width") == "100%" and root.get("viewBox")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None and (desc.text or "").strip()
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    for el in root.iter():
        assert "style" not in el.attrib
        assert el.tag not in (f"{NS}script", f"{NS}style", f"{NS}foreignObject")
        assert not any(k.startswith("on") for k in el.attrib)
    assert "style=" not in svg and "<script" not in svg
    return root


def polygons(root: ET.Element) -> list[ET.Element]:
    """Series polygons (the ones with a dash pattern), not gridlines or markers."""
    return [p for p in root.iter(f"{NS}polygon") if p.get("stroke-dasharray")]


def point_list(el: ET.Element) -> list[tuple[float, float]]:
    """Parse a points attribute."""
    return [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]  # type: ignore[misc]


def texts(root: ET.Element) -> list[str]:
    """All visible text."""
    return [t.text or "" for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize("areas,series", [([], []), (AREAS, []), ([], [("First", [])])])
def test_radar_empty(areas, series):
    root = parse(charts.radar(areas, series, title="Star"))
    assert texts(root) == ["No readings yet"]
    assert not polygons(root)


def test_radar_one_series():
    root = parse(charts.radar(AREAS, [("First reading", [3, 4, 5, 6, 7])], title="Star"))
    (poly,) = polygons(root)
    assert len(point_list(poly)) == len(AREAS)
    assert "First reading" in texts(root)


def test_radar_many_series_distinct_stroke_and_dash():
    series = [(f"S{i}", [i + 1.0] * len(AREAS)) for i in range(4)]
    root = parse(charts.radar(AREAS, series, title="Star"))
    polys = polygons(root)
    assert len(polys) == 4
    assert all(len(point_list(p)) == len(AREAS) for p in polys)
    assert len({p.get("stroke") for p in polys}) == 4
    assert len({p.get("stroke-dasharray") for p in polys}) == 4


def test_radar_missing_value_at_centre_and_marked():
    root = parse(charts.radar(AREAS, [("Latest", [5, None, 5, float("nan"), 5])], title="Star"))
    (poly,) = polygons(root)
    pts = point_list(poly)
    assert len(pts) == len(AREAS)
    assert pts[1] == pts[3]  # both at the centre
    hollow = [c for c in root.iter(f"{NS}circle")
              if c.get("fill") == "none" and c.get("stroke") != "currentColor"]
    assert len(hollow) == 2
    assert any("no reading" in t for t in texts(root))
    assert "no reading" in root.find(f"{NS}desc").text


def test_radar_clamps_out_of_scale_values():
    root = parse(charts.radar(AREAS, [("A", [-5, 1, 10, 99, 5.5])], title="Star"))
    (poly,) = polygons(root)
    pts = point_list(poly)
    ref = parse(charts.radar(AREAS, [("A", [1, 1, 10, 10, 5.5])], title="Star"))
    assert pts == point_list(polygons(ref)[0])
    centre = pts[1]
    radii = [((x - centre[0]) ** 2 + (y - centre[1]) ** 2) ** 0.5 for x, y in pts]
    assert radii[0] == 0 and radii[2] == pytest.approx(radii[3]) and radii[3] <= 95.1


def test_radar_escapes_labels():
    svg = charts.radar([EVIL, "b", "c"], [(EVIL, [1, 2, 3])], title=EVIL)
    root = parse(svg)
    assert "&lt;script&gt;" in svg
    assert root.find(f"{NS}title").text == EVIL
    assert any("<script" in t for t in texts(root))


def test_radar_rejects_bad_input():
    with pytest.raises(ValueError):
        charts.radar(AREAS, [("A", [1, 2])], title="x")
    with pytest.raises(ValueError):
        charts.radar(AREAS, [], title="x", scale_min=5, scale_max=5)


def test_radar_deterministic_and_small_area_counts():
    args = (AREAS, [("A", [1.04, 2.25, 3, 4, 5])])
    assert charts.radar(*args, title="t") == charts.radar(*args, title="t")
    for n in (1, 2, 3, 12):
        root = parse(charts.radar([f"Area {i}" for i in range(n)], [("A", [5] * n)], title="t"))
        assert len(point_list(polygons(root)[0])) == n


def panels(root: ET.Element) -> list[ET.Element]:
    """The small-multiple panels."""
    return [g for g in root.iter(f"{NS}g") if g.get("class") == "panel"]


@pytest.mark.parametrize("areas,points", [([], []), (AREAS, []), ([], [("2024-01-01", [])])])
def test_lines_empty(areas, points):
    root = parse(charts.lines(areas, points, title="Progress"))
    assert texts(root) == ["No readings yet"]
    assert not panels(root)


def test_lines_one_reading_is_a_dot():
    root = parse(charts.lines(AREAS, [("2024-01-01", [3, 4, 5, 6, None])], title="Progress"))
    ps = panels(root)
    assert len(ps) == len(AREAS)
    assert not list(root.iter(f"{NS}polyline"))
    assert [len(list(p.iter(f"{NS}circle"))) for p in ps] == [1, 1, 1, 1, 0]
    assert "No readings" in texts(ps[4])


def test_lines_many_readings():
    pts = [(f"2024-0{m}-01", [m, m + 1, None if m == 2 else m, 11, 0]) for m in range(1, 5)]
    root = parse(charts.lines(AREAS, pts, title="Progress"))
    ps = panels(root)
    assert len(ps) == len(AREAS)
    assert len(list(ps[0].iter(f"{NS}polyline"))) == 1
    assert len(point_list(next(ps[0].iter(f"{NS}polyline")))) == 4
    # a gap splits the line: readings 1 | 3-4 -> one polyline of 2 points plus a lone dot
    assert [len(point_list(p)) for p in ps[2].iter(f"{NS}polyline")] == [2]
    assert len(list(ps[2].iter(f"{NS}circle"))) == 3
    assert "First 1 · latest 4" in texts(ps[0])
    assert "2024-01-01" in texts(ps[0]) and "2024-04-01" in texts(ps[0])
    assert {"1", "10"} <= set(texts(ps[0]))  # min/max ticks


def test_lines_clamps_out_of_scale_values():
    root = parse(charts.lines(["A"], [("d1", [-3]), ("d2", [50]), ("d3", [1]), ("d4", [10])], title="P"))
    ys = [y for _, y in point_list(next(root.iter(f"{NS}polyline")))]
    assert ys[0] == ys[2] and ys[1] == ys[3] and ys[1] < ys[0]


def test_lines_panel_count_and_escaping():
    areas = [EVIL] + [f"Area {i}" for i in range(8)]
    svg = charts.lines(areas, [(EVIL, [5] * 9), ("d2", [6] * 9)], title=EVIL)
    root = parse(svg)
    assert len(panels(root)) == 9
    assert "&lt;script&gt;" in svg


def test_lines_rejects_ragged_rows():
    with pytest.raises(ValueError):
        charts.lines(AREAS, [("d", [1, 2])], title="x")


def test_bars():
    root = parse(charts.bars(["Visits", EVIL, "None"], [10, 5.25, 0], title="Impact", unit="%"))
    rects = list(root.iter(f"{NS}rect"))
    assert len(rects) == 3
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] > widths[1] > widths[2] == 0
    assert {"10%", "5.2%", "0%"} <= set(texts(root))
    assert any("<script" in t for t in texts(root))


def test_bars_empty_and_mismatch():
    assert texts(parse(charts.bars([], [], title="Impact"))) == ["No data yet"]
    with pytest.raises(ValueError):
        charts.bars(["a"], [], title="x")


def test_ids_unique_per_chart_and_overridable():
    a = ET.fromstring(charts.radar(AREAS, [("A", [1] * 5)], title="one"))
    b = ET.fromstring(charts.radar(AREAS, [("A", [2] * 5)], title="one"))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")
    c = ET.fromstring(charts.bars(["x"], [1], title="t", chart_id="impact"))
    assert c.get("aria-labelledby") == "impact-t"


def test_xml_illegal_characters_are_dropped():
    parse(charts.bars(["bad\x00\x1bchar"], [1], title="t\x0c"))
