"""The journey of change: a radar of first against latest, a line per area, and the table beneath."""
from dataclasses import dataclass

from pwa.web import charts
from pwa.web.templating import day

PERSPECTIVES = {"family": "The family's view", "mentor": "The mentor's view"}


@dataclass
class Journey:
    framework: object
    readings: list
    radar: str
    lines: str
    rows: list  # (area name, [(family's score, mentor's score) per reading])


def build(framework, readings: list, perspective: str) -> Journey:
    """Charts of one perspective over a framework's readings, and a table of both perspectives."""
    areas, view = framework.areas, PERSPECTIVES[perspective]
    names = [a.name for a in areas]
    scored = [(r, [r.score_for(a.id, perspective) for a in areas]) for r in readings]
    scored = [(r, values) for r, values in scored if any(v is not None for v in values)]
    if len(scored) > 1:
        series = [(f"First, {day(scored[0][0].taken_on)}", scored[0][1]),
                  (f"Latest, {day(scored[-1][0].taken_on)}", scored[-1][1])]
    else:
        series = [(f"Only reading, {day(r.taken_on)}", values) for r, values in scored]
    scale = dict(scale_min=framework.scale_min, scale_max=framework.scale_max)
    radar = charts.radar(names, series, title=f"{view}: first and latest reading",
                         chart_id=f"radar-{framework.key}", **scale)
    lines = charts.lines(names, [(day(r.taken_on), values) for r, values in scored],
                         title=f"{view}: each area over time", chart_id=f"lines-{framework.key}", **scale)
    rows = [(a.name, [(r.score_for(a.id, "family"), r.score_for(a.id, "mentor")) for r in readings]) for a in areas]
    return Journey(framework, readings, radar, lines, rows)


def for_family(current, frameworks: dict, readings: list, perspective: str) -> list[Journey]:
    """One journey per framework the family has readings in, the framework in use first."""
    grouped: dict = {current.id: []}
    for reading in readings:
        grouped.setdefault(reading.framework_id, []).append(reading)
    frameworks = {**frameworks, current.id: current}
    return [build(frameworks[fid], rs, perspective) for fid, rs in grouped.items() if fid == current.id or rs]
