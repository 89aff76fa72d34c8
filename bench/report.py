"""The results table (every figure beside its budget) and bench/out/results.json."""
import json
import os
import platform
from dataclasses import asdict, dataclass, field

from bench.dataset import OUT


@dataclass
class Row:
    """One scenario's figures from this run."""

    name: str
    path: str
    role: str | None
    ratio_budget: float | None = None
    size_budget: int | None = None
    rps: float | None = None
    ratio: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    single_ms: float | None = None  # one request alone, on the large dataset (the probe)
    gz_bytes: int | None = None
    queries_small: int | None = None
    queries_large: int | None = None
    errors: list[str] = field(default_factory=list)  # the measurement itself went wrong
    notes: list[str] = field(default_factory=list)

    @property
    def queries_constant(self) -> bool | None:
        if self.queries_small is None or self.queries_large is None:
            return None
        return self.queries_small == self.queries_large

    def misses(self) -> list[str]:
        """The budgets this row misses."""
        out = []
        if self.ratio_budget is not None and self.ratio is not None and self.ratio < self.ratio_budget:
            out.append("throughput")
        if self.size_budget is not None and self.gz_bytes is not None and self.gz_bytes > self.size_budget:
            out.append("size")
        if self.queries_constant is False:
            out.append("queries")
        return out

    def verdict(self) -> str:
        if self.errors:
            return "ERROR: " + "; ".join(self.errors)
        if self.ratio_budget is None and self.size_budget is None:
            return "FAIL queries" if self.queries_constant is False else (
                "baseline" if self.queries_constant is None else "diagnostic")
        misses = self.misses()
        return "FAIL " + ", ".join(misses) if misses else "PASS"


def _num(value, fmt: str, empty: str = "—") -> str:
    return empty if value is None else format(value, fmt)


COLUMNS = [("page", 38, "<"), ("req/s", 6, ">"), ("×hello", 6, ">"), ("budget", 7, ">"), ("p99 ms", 7, ">"),
           ("1× ms", 7, ">"), ("gz bytes", 8, ">"), ("≤14000", 6, ">"), ("queries S→L", 11, ">"), ("result", 0, "<")]


def _cells(row: Row) -> list[str]:
    size_ok = None if row.size_budget is None or row.gz_bytes is None else row.gz_bytes <= row.size_budget
    q = "—" if row.queries_large is None else f"{_num(row.queries_small, 'd', '?')}→{row.queries_large}"
    if row.queries_constant is not None:
        q += " ✓" if row.queries_constant else " ✗"
    ratio_ok = None if row.ratio_budget is None or row.ratio is None else row.ratio >= row.ratio_budget
    budget = "—" if row.ratio_budget is None else f"≥{row.ratio_budget:.2f} {MARK[ratio_ok]}".strip()
    return [row.name, _short(row.rps), _num(row.ratio, ".2f"), budget,
            _short(row.p99_ms), _short(row.single_ms), _num(row.gz_bytes, ",d"),
            MARK[size_ok] or "—", q, row.verdict()]


MARK = {None: "", True: "✓", False: "✗"}


def _short(value: float | None) -> str:
    """One decimal below 10, whole numbers above."""
    return "—" if value is None else f"{value:.1f}" if value < 10 else f"{value:.0f}"


def table(rows: list[Row]) -> str:
    """Render the rows as a fixed-width table."""
    def line(cells):
        return "  ".join(f"{c:{a}{w}}" if w else c for c, (_, w, a) in zip(cells, COLUMNS)).rstrip()

    out = [line([c[0] for c in COLUMNS]), line(["-" * max(w, 6) for _, w, _ in COLUMNS])]
    out += [line(_cells(r)) for r in rows]
    return "\n".join(out)


def print_report(rows: list[Row], meta: dict, extensions: dict) -> None:
    """Print the table and a one-line summary of what missed."""
    print()
    print(f"Bridge benchmark — {meta['dataset']} · gunicorn {meta['server']} · wrk {meta['load']}")
    print(f"baseline: hello {meta['hello_first']:.0f} req/s first, {meta['hello_last']:.0f} last "
          f"(mean {meta['hello']:.0f}; drift {meta['hello_drift_pct']:+.0f}% — treat ratios closer than that as noise)")
    if meta.get("load_before") is not None:
        busy = meta["load_before"] > 1.0
        print(f"machine: {os.cpu_count()} CPUs, load average {meta['load_before']:.1f} before the run"
              + (" — busy: other work skews these figures; rerun when idle" if busy else ""))
    print(table(rows))
    for row in rows:
        for note in row.notes:
            print(f"  note, {row.name}: {note}")
    for name, result in extensions.items():
        print(f"\n{name}:")
        for part, figures in _parts(result):
            verdict = {True: "PASS", False: "FAIL"}.get(figures.get("ok"), "") if isinstance(figures, dict) else ""
            shown = {k: v for k, v in figures.items() if k != "ok"} if isinstance(figures, dict) else figures
            print(f"  {part:<36} {json.dumps(shown, default=str)}  {verdict}")
    failed = [r.name for r in rows if r.verdict().startswith(("FAIL", "ERROR"))] + extension_misses(extensions)
    print(f"\n{len(failed)} budget(s) missed" + (": " + ", ".join(failed) if failed else ""))


def _parts(result) -> list[tuple[str, object]]:
    """An extension's result as (part, figures) pairs."""
    if isinstance(result, dict) and all(isinstance(v, dict) for v in result.values()):
        return list(result.items())
    return [("result", result)]


def extension_misses(extensions: dict) -> list[str]:
    """Parts of extension results that say ok: false."""
    return [f"{name}: {part}" for name, result in extensions.items() for part, figures in _parts(result)
            if isinstance(figures, dict) and figures.get("ok") is False]


def write_json(rows: list[Row], meta: dict, extensions: dict) -> str:
    """Write bench/out/results.json; return its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    doc = {"meta": dict(meta, cpus=os.cpu_count(), python=platform.python_version()),
           "rows": [dict(asdict(r), queries_constant=r.queries_constant, misses=r.misses(), verdict=r.verdict())
                    for r in rows],
           "extensions": extensions}
    path.write_text(json.dumps(doc, indent=2, default=str))
    return str(path)
