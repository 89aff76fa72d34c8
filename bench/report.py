"""The results table (every figure beside its budget) and bench/out/results.json."""
import json
import os
import platform
from dataclasses import asdict, dataclass, field

from bench import budgets
from bench.dataset import OUT


@dataclass
class Row:
    """One scenario's figures from this run."""

    name: str
    path: str
    role: str | None
    ratio_budget: float | None = None
    size_budget: int | None = None
    peer_budget: float | None = None  # throughput as a ratio to the plain Flask page (bench/peer.py)
    single_budget_ms: float | None = None  # one request alone
    p99_budget_ms: float | None = None  # under load
    rps: float | None = None
    ratio: float | None = None
    peer_ratio: float | None = None
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
        if _over(self.peer_ratio, self.peer_budget, below=True):
            out.append("×peer")
        if _over(self.single_ms, self.single_budget_ms):
            out.append("1× ms")
        if _over(self.p99_ms, self.p99_budget_ms):
            out.append("p99")
        if self.queries_constant is False:
            out.append("queries")
        return out

    def verdict(self) -> str:
        if self.errors:
            return "ERROR: " + "; ".join(self.errors)
        budgets = (self.ratio_budget, self.size_budget, self.peer_budget, self.single_budget_ms, self.p99_budget_ms)
        if all(b is None for b in budgets):
            return "FAIL queries" if self.queries_constant is False else (
                "baseline" if self.queries_constant is None else "diagnostic")
        misses = self.misses()
        return "FAIL " + ", ".join(misses) if misses else "PASS"


def _over(value: float | None, budget: float | None, below: bool = False) -> bool:
    """The figure misses its budget (a ceiling, or a floor when `below`)."""
    if value is None or budget is None:
        return False
    return value < budget if below else value > budget


def _marked(value: float | None, budget: float | None, text: str, below: bool = False) -> str:
    """A figure with ✓ or ✗ for its budget, when it has one."""
    if value is None or budget is None:
        return text
    return text + ("✗" if _over(value, budget, below) else "✓")


def _num(value, fmt: str, empty: str = "—") -> str:
    return empty if value is None else format(value, fmt)


COLUMNS = [("page", 38, "<"), ("req/s", 6, ">"), ("×hello", 6, ">"), ("budget", 7, ">"), ("×peer", 6, ">"),
           ("p99 ms", 7, ">"), ("1× ms", 6, ">"), ("gz bytes", 8, ">"), ("≤14000", 6, ">"), ("queries S→L", 11, ">"),
           ("result", 0, "<")]
LEGEND = ("×peer: throughput ÷ the plain Flask page's (budget ≥ 1.0); 1× ms: one request alone, large dataset, "
          "median of 7 after every worker is warmed (pages ≤ 10 ms); p99 ✓/✗ where a p99 budget applies (visit POST ≤ 250 ms)")


def _cells(row: Row) -> list[str]:
    size_ok = None if row.size_budget is None or row.gz_bytes is None else row.gz_bytes <= row.size_budget
    q = "—" if row.queries_large is None else f"{_num(row.queries_small, 'd', '?')}→{row.queries_large}"
    if row.queries_constant is not None:
        q += " ✓" if row.queries_constant else " ✗"
    ratio_ok = None if row.ratio_budget is None or row.ratio is None else row.ratio >= row.ratio_budget
    budget = "—" if row.ratio_budget is None else f"≥{row.ratio_budget:.2f} {MARK[ratio_ok]}".strip()
    return [row.name, _short(row.rps), _num(row.ratio, ".2f"), budget,
            _marked(row.peer_ratio, row.peer_budget, _num(row.peer_ratio, ".2f"), below=True),
            _marked(row.p99_ms, row.p99_budget_ms, _short(row.p99_ms)),
            _marked(row.single_ms, row.single_budget_ms, _short(row.single_ms)), _num(row.gz_bytes, ",d"),
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


def print_report(run: dict) -> None:
    """Print one database's table, its extensions' results and every budget with pass or fail."""
    meta, rows, extensions = run["meta"], run["rows"], run["extensions"]
    print()
    print(f"Bridge benchmark on {meta['database_label']} — {meta['dataset']} · gunicorn {meta['server']} · "
          f"wrk {meta['load']}")
    print(f"baseline: hello {meta['hello_first']:.0f} req/s first, {meta['hello_last']:.0f} last "
          f"(mean {meta['hello']:.0f}; drift {meta['hello_drift_pct']:+.0f}% — treat ratios closer than that as noise)")
    if meta.get("peer"):
        print(f"peer: the plain Flask page {meta['peer_first']:.0f} req/s first, {meta['peer_last']:.0f} last "
              f"(mean {meta['peer']:.0f} = {meta['peer'] / meta['hello']:.2f} × hello)")
    if meta.get("note"):
        print(f"note: {meta['note']}")
    print(table(rows))
    print(LEGEND)
    for row in rows:
        for note in row.notes:
            print(f"  note, {row.name}: {note}")
    for name, result in extensions.items():
        print(f"\n{name}:")
        for part, figures in _parts(result):
            verdict = {True: "PASS", False: "FAIL"}.get(figures.get("ok"), "") if isinstance(figures, dict) else ""
            shown = {k: v for k, v in figures.items() if k != "ok"} if isinstance(figures, dict) else figures
            print(f"  {part:<36} {json.dumps(shown, default=str)}  {verdict}")
    print(f"\nEvery budget on {meta['database_label']} (DESIGN.md's Budgets table and issue 15):")
    print(budgets.table(run["budgets"]))
    failed = [r.name for r in rows if r.verdict().startswith(("FAIL", "ERROR"))] + extension_misses(extensions)
    print(f"\n{meta['database_label']}: {len(failed)} row(s) missed a budget" + (": " + ", ".join(failed) if failed else ""))


def print_machine(meta: dict) -> None:
    """The machine's load before and after: a busy machine skews every figure."""
    before, after = meta.get("load_before"), meta.get("load_after")
    if before is None:
        return
    busy = max(before, after or 0) > 1.0
    print(f"\nmachine: {os.cpu_count()} CPUs, 1-minute load average {before:.1f} before the run, "
          f"{_num(after, '.1f')} after; the run took {meta['seconds']:.0f}s"
          + (" — busy: other work skews these figures; compare ratios from the same run, rerun when idle"
             if busy else ""))


def _parts(result) -> list[tuple[str, object]]:
    """An extension's result as (part, figures) pairs."""
    if isinstance(result, dict) and all(isinstance(v, dict) for v in result.values()):
        return list(result.items())
    return [("result", result)]


def extension_misses(extensions: dict) -> list[str]:
    """Parts of extension results that say ok: false."""
    return [f"{name}: {part}" for name, result in extensions.items() for part, figures in _parts(result)
            if isinstance(figures, dict) and figures.get("ok") is False]


def write_json(runs: dict, meta: dict) -> str:
    """Write bench/out/results.json (every database's rows, extensions and budgets); return its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "results.json"
    databases = {name: {"meta": run["meta"], "rows": [_row_json(r) for r in run["rows"]],
                        "extensions": run["extensions"], "budgets": run["budgets"]} for name, run in runs.items()}
    first = next(iter(databases.values()), {})
    doc = {"meta": dict(meta, cpus=os.cpu_count(), python=platform.python_version()),
           "rows": first.get("rows", []), "extensions": first.get("extensions", {}),  # the first database's, as before
           "databases": databases}
    path.write_text(json.dumps(doc, indent=2, default=str))
    return str(path)


def _row_json(r: Row) -> dict:
    return dict(asdict(r), queries_constant=r.queries_constant, misses=r.misses(), verdict=r.verdict())
