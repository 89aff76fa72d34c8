"""Read and check an outcome framework file (JSON or YAML), listing every problem found.

    flask --app wsgi outcomes load FILE [--programme NAME]

The file (see pwa/frameworks/bridge.yaml, Bridge's own):

    key: riverside-2            # lower-case letters, digits, hyphens; a new key for each new version
    name: Riverside journey
    description: optional text
    scale: {min: 1, max: 10, labels: {1: Stuck, 10: Thriving}}   # labels optional, 0 <= min < max <= 100
    areas:                      # 1 to 16, each key and name used once
      - {key: home, name: Home and money, description: optional guidance}

A loaded framework is never changed (readings depend on its wording): loading the same file
again does nothing, and a changed file under a loaded key is refused.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
FIELDS = {"key", "name", "description", "scale", "areas"}
MAX_AREAS = 16
BUILTIN = Path(__file__).resolve().parent.parent / "frameworks" / "bridge.yaml"


class FrameworkFileError(Exception):
    """The framework cannot be loaded; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class AreaSpec:
    key: str
    name: str
    description: str | None


@dataclass(frozen=True)
class FrameworkSpec:
    key: str
    name: str
    description: str | None
    scale_min: int
    scale_max: int
    labels: dict
    areas: tuple[AreaSpec, ...]


def read(path) -> FrameworkSpec:
    """Read a framework file and check it."""
    path = Path(path)
    if path.suffix.lower() not in {".json", ".yaml", ".yml"}:
        raise FrameworkFileError([f"{path.name}: use a .json, .yaml or .yml file"])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkFileError([f"{path}: no such file"]) from None
    except UnicodeDecodeError:
        raise FrameworkFileError([f"{path.name}: not UTF-8 text"]) from None
    return parse(_decode(path, text))


def _decode(path: Path, text: str):
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError([f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                  f"{exc.msg})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise FrameworkFileError([f"{path.name}: not valid YAML ({where}{getattr(exc, 'problem', exc)})"]) from None


def parse(data) -> FrameworkSpec:
    """Check a decoded framework and return it, or raise FrameworkFileError listing every problem."""
    if not isinstance(data, dict):
        raise FrameworkFileError(["the file must hold a mapping with key, name, scale and areas"])
    problems = [f"unknown field '{name}' (expected: {', '.join(sorted(FIELDS))})"
                for name in data if name not in FIELDS]
    key = _text(data, "key", problems, 60)
    if key and not KEY.match(key):
        problems.append(f"key '{key}': use lower-case letters, digits and hyphens, for example 'riverside-2'")
    name = _text(data, "name", problems, 120)
    description = _text(data, "description", problems, 2000, required=False)
    scale_min, scale_max, labels = _scale(data.get("scale"), problems)
    areas = _areas(data.get("areas"), problems)
    if problems:
        raise FrameworkFileError(problems)
    return FrameworkSpec(key, name, description, scale_min, scale_max, labels, areas)


def _text(data: dict, field: str, problems: list, limit: int, *, where: str = "", required: bool = True):
    value = data.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(f"{where}{field}: required")
        return None
    if not isinstance(value, str):
        problems.append(f"{where}{field}: must be text")
        return None
    if len(value) > limit:
        problems.append(f"{where}{field}: longer than {limit} characters")
    return " ".join(value.split())


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scale(scale, problems: list) -> tuple[int, int, dict]:
    if not isinstance(scale, dict):
        problems.append("scale: required, with min and max (for example min: 1, max: 10)")
        return 0, 0, {}
    lo, hi = scale.get("min"), scale.get("max")
    if not (_whole(lo) and _whole(hi)):
        problems.append("scale: min and max must be whole numbers")
        return 0, 0, {}
    if not 0 <= lo < hi <= 100:
        problems.append(f"scale: min ({lo}) must be below max ({hi}), both from 0 to 100")
    labels = {}
    raw = scale.get("labels") or {}
    if not isinstance(raw, dict):
        problems.append("scale.labels: must map scores to wording, for example 1: Struggling")
        raw = {}
    for score, wording in raw.items():
        number = int(score) if isinstance(score, str) and score.strip().isdigit() else score
        if not _whole(number) or not lo <= number <= hi:
            problems.append(f"scale.labels: {score!r} is not a score from {lo} to {hi}")
        elif not isinstance(wording, str) or not wording.strip():
            problems.append(f"scale.labels {number}: wording must be text")
        else:
            labels[str(number)] = " ".join(wording.split())
    return lo, hi, labels


def _areas(areas, problems: list) -> tuple[AreaSpec, ...]:
    if not isinstance(areas, list) or not areas:
        problems.append("areas: required, a list of areas each with a key and a name")
        return ()
    if len(areas) > MAX_AREAS:
        problems.append(f"areas: at most {MAX_AREAS} (found {len(areas)})")
    out, keys, names = [], set(), set()
    for number, area in enumerate(areas, start=1):
        where = f"area {number}: "
        if not isinstance(area, dict):
            problems.append(f"{where}must be a mapping with key, name and description")
            continue
        problems += [f"{where}unknown field '{f}'" for f in area if f not in {"key", "name", "description"}]
        key = _text(area, "key", problems, 60, where=where)
        name = _text(area, "name", problems, 120, where=where)
        if key and not KEY.match(key):
            problems.append(f"{where}key '{key}': use lower-case letters, digits and hyphens")
        if key in keys:
            problems.append(f"{where}key '{key}' is used twice")
        if name and name.lower() in names:
            problems.append(f"{where}name '{name}' is used twice")
        keys.add(key)
        names.add((name or "").lower())
        out.append(AreaSpec(key, name, _text(area, "description", problems, 1000, where=where, required=False)))
    return tuple(out)
