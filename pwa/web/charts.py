"""Server-rendered, CSP-safe SVG charts (radar, small-multiple lines, bars) with no chart library.

Each function returns a complete ``<svg>`` for ``{{ chart|safe }}``, so all text is escaped here.
Presentation attributes only (no ``style=``/scripts); viewBox 360 wide, ``width="100%"``; text and
axes in ``currentColor``; series differ by colour (>= 3:1 on white), dash pattern and marker shape.
Missing readings (None/NaN): radar draws them at the centre with a hollow marker on the spoke, so
its polygon always has one point per area; line panels break the line at the gap.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import textwrap
from collections.abc import Iterable

W = 360
PALETTE = ("#1f5fa8", "#b34700", "#2e7d32", "#6a3d9a")  # 6.4, 5.5, 5.1, 7.6 : 1 on white
DASHES = ("none", "7 4", "2 3", "9 3 2 3")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: object) -> str:
    """Escape text for XML content or attribute values, dropping XML-illegal characters."""
    return html.escape(_BAD_XML.sub("", str(text)), quote=True)


def _f(x: float) -> str:
    """Format a coordinate with one decimal, deterministically."""
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def _num(v: float) -> str:
    """Format a displayed value: one decimal, trailing '.0' dropped."""
    s = _f(v)
    return s[:-2] if s.endswith(".0") else s


def _clean(v: float | None) -> float | None:
    """Map None/NaN/inf to None, else float."""
    return None if v is None or not math.isfinite(v) else float(v)


def _fit(text: str, chars: int, lines: int = 1) -> list[str]:
    """Wrap text to at most `lines` lines of `chars` characters, ending with an ellipsis if cut."""
    out = textwrap.wrap(" ".join(str(text).split()), max(chars, 2), break_long_words=False) or [""]
    out = [ln if len(ln) <= chars + 1 else ln[: chars - 1] + "…" for ln in out]
    if len(out) > lines:
        rest = " ".join(out[lines - 1:])
        short = textwrap.shorten(rest, max(chars, 2), placeholder="…")
        out = out[: lines - 1] + [short if len(short) > 1 else rest[: chars - 1] + "…"]
    return out


def _cid(kind: str, title: str, data: object, chart_id: str | None) -> str:
    """Return the caller's id or a deterministic one derived from the chart's content."""
    return chart_id or f"{kind}-" + hashlib.sha1(repr((title, data)).encode(), usedforsecurity=False).hexdigest()[:10]


def _svg(cid: str, title: str, desc: str, height: float, body: str) -> str:
    """Wrap body in an accessible root <svg> element."""
    c = _esc(cid)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {_f(height)}" width="100%"'
            f' role="img" aria-labelledby="{c}-t" aria-describedby="{c}-d"'
            f' font-family="system-ui, sans-serif" fill="currentColor">'
            f'<title id="{c}-t">{_esc(title)}</title><desc id="{c}-d">{_esc(desc)}</desc>'
            f"{body}</svg>")


def _empty(cid: str, title: str, message: str = "No readings yet") -> str:
    """A small valid SVG that just says there is nothing to chart."""
    text = f'<text x="{W // 2}" y="34" text-anchor="middle" font-size="14">{_esc(message)}</text>'
    return _svg(cid, title, message + ".", 56, text)


def _text(x: float, y: float, s: str, size: int = 11, anchor: str = "start", extra: str = "") -> str:
    """One escaped <text> element."""
    return (f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f"{_esc(s)}</text>")


def _marker(i: int, x: float, y: float, filled: bool = True) -> str:
    """Series marker: circle, square, triangle or diamond by series index; hollow when missing."""
    col = PALETTE[i % 4]
    paint = f'fill="{col}"' if filled else f'fill="none" stroke="{col}" stroke-width="1.5"'
    shape = i % 4
    if shape == 0:
        return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" {paint}/>'
    if shape == 1:
        return f'<rect x="{_f(x - 3.2)}" y="{_f(y - 3.2)}" width="6.4" height="6.4" {paint}/>'
    pts = [(0, -4.5), (4, 3), (-4, 3)] if shape == 2 else [(0, -4.5), (4.5, 0), (0, 4.5), (-4.5, 0)]
    return f'<polygon points="{_pts((x + dx, y + dy) for dx, dy in pts)}" {paint}/>'


def _pts(points: Iterable[tuple[float, float]]) -> str:
    """Format (x, y) pairs for a points attribute."""
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def _check(lo: float, hi: float, n: int, rows: list[tuple[str, list[float | None]]], what: str) -> None:
    """Reject an empty or inverted scale, or a row without exactly one value per area."""
    if not hi > lo:
        raise ValueError(f"scale_max ({hi}) must be greater than scale_min ({lo})")
    for name, vals in rows:
        if len(vals) != n:
            raise ValueError(f"{what} {name!r} has {len(vals)} values for {n} areas")


def _radar_grid(areas: list[str], cx: float, cy: float, r: float, lo: int,
                hi: int) -> tuple[str, float, float]:
    """Gridlines, spokes, tick values and wrapped area labels, plus the labels' top and bottom y."""
    n, out, top, bottom = len(areas), [], cy - r, cy + r
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 10**9) if (hi - lo) / s <= 5)
    first = math.ceil(lo / step) * step
    ticks = sorted({t for t in range(first, hi + 1, step) if lo < t < hi - step / 2} | {hi})
    ang = [-math.pi / 2 + 2 * math.pi * k / n for k in range(n)]
    mid_room = min(150.0, 2 * (r + 12) * math.sin(2 * math.pi / n) - 8) if n > 2 else 150.0
    grid = 'fill="none" stroke="currentColor" stroke-opacity="0.3" stroke-width="1"'
    for t in ticks:
        rr = r * (t - lo) / (hi - lo)
        ring = _pts((cx + rr * math.cos(a), cy + rr * math.sin(a)) for a in ang)
        out.append(f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(rr)}" {grid}/>' if n < 3
                   else f'<polygon points="{ring}" {grid}/>')
        out.append(_text(cx + 3, cy - rr + 10, str(t), 9, extra=' fill-opacity="0.75"'))
    for a, label in zip(ang, areas):
        c, s = math.cos(a), math.sin(a)
        out.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(cx + r * c)}" y2="{_f(cy + r * s)}" {grid}/>')
        lx, ly = cx + (r + 12) * c, cy + (r + 12) * s
        anchor = "start" if c > 0.3 else "end" if c < -0.3 else "middle"
        room = (W - 4 - lx) if anchor == "start" else (lx - 4) if anchor == "end" else mid_room
        lines = _fit(label, int(room / 6.3), 3 if n <= 8 else 2 if n <= 12 else 1)
        extra = (len(lines) - 1) * 13  # top labels grow upwards, bottom ones down, side ones both ways
        y0 = ly - extra if s < -0.3 else ly + 10 if s > 0.3 else ly + 4 - extra / 2
        out += [_text(lx, y0 + j * 13, line, 11, anchor) for j, line in enumerate(lines)]
        top, bottom = min(top, y0 - 11), max(bottom, y0 + (len(lines) - 1) * 13 + 3)
    return "".join(out), top, bottom


def _radar_series(i: int, vals: list[float | None], cx: float, cy: float, r: float, lo: int, hi: int) -> str:
    """One series polygon with per-vertex markers (hollow, near the centre, when missing)."""
    n, col = len(vals), PALETTE[i % 4]
    pts, marks = [], []
    for k, v in enumerate(vals):
        a = -math.pi / 2 + 2 * math.pi * k / n
        rr = 0.0 if v is None else r * (max(lo, min(hi, v)) - lo) / (hi - lo)
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
        mr = rr if v is not None else 9 + 7 * (i % 4)  # missing: hollow marker on the spoke, by the centre
        marks.append(_marker(i, cx + mr * math.cos(a), cy + mr * math.sin(a), v is not None))
    dash = DASHES[i % 4]
    poly = (f'<polygon points="{_pts(pts)}" fill="{col}" fill-opacity="0.08" stroke="{col}"'
            f' stroke-width="2.5" stroke-linejoin="round" stroke-dasharray="{dash}"/>')
    return poly + "".join(marks)


def radar(areas: list[str], series: list[tuple[str, list[float | None]]], *, scale_max: int = 10,
          scale_min: int = 1, title: str, chart_id: str | None = None) -> str:
    """Radar chart of one or more series over the same areas; values are clamped to the scale."""
    _check(scale_min, scale_max, len(areas), series if areas else [], "series")
    cid = _cid("radar", title, (areas, series, scale_min, scale_max), chart_id)
    if not areas or not series:
        return _empty(cid, title)
    clean = [(name, [_clean(v) for v in vals]) for name, vals in series]
    cx, r = W / 2, 95.0
    cy = 6 - _radar_grid(areas, cx, 0.0, r, scale_min, scale_max)[1]  # highest label just inside
    grid, _, bottom = _radar_grid(areas, cx, cy, r, scale_min, scale_max)
    body = [grid] + [_radar_series(i, v, cx, cy, r, scale_min, scale_max) for i, (_, v) in enumerate(clean)]
    y = bottom + 24
    for i, (name, _) in enumerate(clean):
        col = PALETTE[i % 4]
        body.append(f'<line x1="16" y1="{_f(y)}" x2="52" y2="{_f(y)}" stroke="{col}" stroke-width="2.5"'
                    f' stroke-dasharray="{DASHES[i % 4]}"/>' + _marker(i, 34, y))
        body.append(_text(60, y + 4, _fit(name, 44)[0], 12))
        y += 20
    if any(v is None for _, vals in clean for v in vals):
        body.append(_text(16, y + 2, "Hollow marker near the centre = no reading", 10))
        y += 14
    desc = "; ".join(f"{name}: " + ", ".join(f"{a} {'no reading' if v is None else _num(v)}"
                                             for a, v in zip(areas, vals)) for name, vals in clean)
    return _svg(cid, title, f"Scale {scale_min} to {scale_max}. {desc}.", y + 6, "".join(body))


def _panel(x: float, y: float, w: float, area: str, dates: list[str], vals: list[float | None],
           lo: int, hi: int) -> str:
    """One sparkline panel: name, min/max ticks, the line with dots, dates, first and latest value."""
    px0, px1, py0, py1 = x + 22, x + w - 6, y + 24, y + 78
    n = len(vals)
    xs = [px0 + (px1 - px0) * k / (n - 1) for k in range(n)] if n > 1 else [(px0 + px1) / 2]
    name = _text(x, y + 13, _fit(area, int(w / 7.2))[0], 12, extra=' font-weight="bold"')
    out = ['<g class="panel">', name]
    axis = 'stroke="currentColor" stroke-opacity="0.35" stroke-width="1"'
    for t, ty, dash in ((hi, py0, ' stroke-dasharray="2 3"'), (lo, py1, "")):
        out.append(f'<line x1="{_f(px0)}" y1="{_f(ty)}" x2="{_f(px1)}" y2="{_f(ty)}" {axis}{dash}/>')
        out.append(_text(px0 - 4, ty + 3.5, str(t), 9, "end"))
    out.append(f'<line x1="{_f(px0)}" y1="{_f(py0)}" x2="{_f(px0)}" y2="{_f(py1)}" {axis}/>')
    runs: list[list[tuple[float, float]]] = [[]]
    for k, v in enumerate(vals):
        if v is None:
            runs.append([])
        else:
            px, py = xs[k], py1 - (py1 - py0) * (max(lo, min(hi, v)) - lo) / (hi - lo)
            runs[-1].append((px, py))
            out.append(f'<circle cx="{_f(px)}" cy="{_f(py)}" r="2.5" fill="{PALETTE[0]}"/>')
    out += [f'<polyline points="{_pts(run)}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"'
            f' stroke-linejoin="round"/>' for run in runs if len(run) > 1]
    if len(dates) > 1:
        out += [_text(px0, py1 + 12, _fit(dates[0], 12)[0], 9),
                _text(px1, py1 + 12, _fit(dates[-1], 12)[0], 9, "end")]
    else:
        out.append(_text((px0 + px1) / 2, py1 + 12, _fit(dates[0], 14)[0], 9, "middle"))
    seen = [v for v in vals if v is not None]
    note = f"First {_num(seen[0])} · latest {_num(seen[-1])}" if seen else "No readings"
    return "".join(out) + _text(x, py1 + 27, note, 11) + "</g>"


def lines(areas: list[str], points: list[tuple[str, list[float | None]]], *, scale_max: int = 10,
          scale_min: int = 1, title: str, chart_id: str | None = None) -> str:
    """Small multiples: one sparkline panel per area over the readings in `points` (date, values)."""
    _check(scale_min, scale_max, len(areas), points if areas else [], "reading")
    cid = _cid("lines", title, (areas, points, scale_min, scale_max), chart_id)
    if not areas or not points:
        return _empty(cid, title)
    dates = [str(d) for d, _ in points]
    cols = 1 if len(areas) == 1 else 2
    gap, pad, ph = 16, 4, 124
    pw = (W - 2 * pad - gap * (cols - 1)) / cols
    body, desc = [], []
    for j, area in enumerate(areas):
        vals = [_clean(row[j]) for _, row in points]
        x, y = pad + (j % cols) * (pw + gap), 4 + (j // cols) * ph
        body.append(_panel(x, y, pw, area, dates, vals, scale_min, scale_max))
        got = [(d, v) for d, v in zip(dates, vals) if v is not None]
        desc.append(f"{area}: " + (f"{_num(got[0][1])} on {got[0][0]} to {_num(got[-1][1])} on {got[-1][0]}"
                                   f" ({len(got)} readings)" if got else "no readings"))
    height = 4 + math.ceil(len(areas) / cols) * ph
    summary = f"Scale {scale_min} to {scale_max}. " + "; ".join(desc) + "."
    return _svg(cid, title, summary, height, "".join(body))


def bars(labels: list[str], values: list[float], *, title: str, unit: str = "",
         chart_id: str | None = None) -> str:
    """Horizontal bar chart; `unit` is appended verbatim to each value ("%" or " visits")."""
    cid = _cid("bars", title, (labels, values, unit), chart_id)
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels for {len(values)} values")
    if not labels:
        return _empty(cid, title, "No data yet")
    vals = [_clean(v) or 0.0 for v in values]
    top = max(max(vals), 0.0) or 1.0
    span, body, y = W - 8 - 64, [], 4.0
    for label, v in zip(labels, vals):
        body.append(_text(4, y + 12, _fit(label, 52)[0], 12))
        bw = span * max(v, 0.0) / top
        body.append(f'<rect x="4" y="{_f(y + 18)}" width="{_f(bw)}" height="14" fill="{PALETTE[0]}"/>')
        body.append(_text(4 + bw + 5, y + 29.5, f"{_num(v)}{unit}", 11))
        y += 42
    desc = "; ".join(f"{label}: {_num(v)}{unit}" for label, v in zip(labels, vals))
    return _svg(cid, title, desc + ".", y + 2, "".join(body))
