"""Every budget of DESIGN.md's Budgets table and of issue 15 as one line: figure, budget, ratio, pass or fail.

The page budgets come from the rows (bench/scenarios.py, with their per-page verdicts in the
table above them); the others from the extensions (bench.run.EXTENSIONS). A budget whose
measurement is absent from this tree or this database is listed as "not measured", so a
missing row is visible instead of silently passing.
"""
import json

# DESIGN.md rows measured by extensions: (what, extension, part of its result, or None: its Rows)
FROM_EXTENSIONS = [
    ("first load of any page ≤ 50 KiB, ≤ 5 requests, no third party", "pwa_budgets", "first_load"),
    ("JavaScript on first load ≤ 20 KiB gz (all ≤ 40 KiB)", "pwa_budgets", "javascript_gzipped"),
    ("repeat visit of the shell: 0 requests for static files", "pwa_budgets", "repeat_visit_static_requests"),
    ("every HTML response (crawled in Chromium) ≤ 14,000 B gz", "pwa_budgets", "html_gzipped_bytes"),
    ("coordinator dashboard, one client p95 ≤ 50 ms", "supervision", "coordinator dashboard"),
    ("a year's impact report, one client p95 ≤ 200 ms", "supervision", "impact report, one year"),
    ("families search, one client p95 ≤ 50 ms (issue 11)", "supervision", "families search"),
    ("families filtered, one client p95 ≤ 50 ms (issue 11)", "supervision", "families filtered"),
    ("dashboard and impact report flat as visits grow tenfold", "aggregates", None),
    ("concern committed → accepted by local SMTP p99 ≤ 250 ms", "concerns", "commit_to_smtp_accepted_ms"),
    ("the concern POST never waits on SMTP (stalled ÷ normal ≤ 1.2)", "concerns", "concern_post_with_smtp_stalled_5s"),
    ("offline outbox of 50 entries: all committed ≤ 1 s, no duplicates", "pwa_budgets", "outbox_replay_50"),
    ("the phone, CPU 4×, 400 kbit/s, 400 ms RTT: form ≤ 1.5 s cold, ≤ 300 ms cached, Save ≤ 200 ms",
     "phone", None),
    ("report pack PDF, one year ≤ 500 ms (issue 12)", "records", "report pack PDF, one year"),
]
SIGNED_IN_RATIO = 0.45  # issue 15: each page >= 0.45 x the signed-in hello


def line(what: str, figure: str, budget: str, ok: bool | None, ratio: float | None = None) -> dict:
    return {"what": what, "figure": figure, "budget": budget, "ratio": None if ratio is None else round(ratio, 3),
            "ok": ok}


def summarise(page_rows: list, extension_rows: dict, extensions: dict, skipped: list[str]) -> list[dict]:
    """One line per budget. extension_rows: extension name -> its Rows; skipped: extensions not run here."""
    pages = [r for r in page_rows if r.single_budget_ms is not None and not r.errors]
    posts = [r for r in page_rows if r.p99_budget_ms is not None and not r.errors]
    lines = [
        _worst("each HTML response, gzipped, headers included", pages, "gz_bytes", 14_000, "≤ 14,000 B", "{:,.0f} B"),
        _worst("one request of any page (1,000 families, 100,000 visits)", pages, "single_ms", 10.0, "≤ 10 ms",
               "{:.1f} ms"),
        _worst("page throughput ÷ a bare hello (same run)", pages, "ratio", 0.2, "≥ 0.2", "{:.3f}", floor=True),
        _worst("page throughput ÷ the plain Flask page (bench/peer.py)", pages, "peer_ratio", 1.0, "≥ 1.0",
               "{:.3f}", floor=True),
        _signed_in(page_rows, pages),
        *[_post(r) for r in posts],
        _queries(pages + posts),
    ]
    for what, name, part in FROM_EXTENSIONS:
        lines.append(_extension(what, name, part, extension_rows, extensions, skipped))
    return lines


def _worst(what, rows, attr, budget, shown, fmt, floor=False) -> dict:
    """The worst page's figure for one budget, and how many pages miss it."""
    measured = [r for r in rows if getattr(r, attr) is not None]
    if not measured:
        return line(what, "not measured", shown, None)
    pick = min if floor else max
    worst = pick(measured, key=lambda r: getattr(r, attr))
    value = getattr(worst, attr)
    missed = [r for r in measured if (getattr(r, attr) < budget if floor else getattr(r, attr) > budget)]
    figure = f"worst {fmt.format(value)} ({worst.name}); {len(missed)} of {len(measured)} pages miss"
    return line(what, figure, shown, not missed, value / budget)


def _signed_in(all_rows, pages) -> dict:
    what, shown = "page throughput ÷ the signed-in hello (issue 15)", f"≥ {SIGNED_IN_RATIO}"
    signed = next((r for r in all_rows if r.name == "hello, signed in" and r.ratio), None)
    measured = [r for r in pages if r.ratio is not None]
    if signed is None or not measured:
        return line(what, "not measured", shown, None)
    worst = min(measured, key=lambda r: r.ratio)
    value = worst.ratio / signed.ratio
    missed = [r for r in measured if r.ratio / signed.ratio < SIGNED_IN_RATIO]
    figure = f"worst {value:.3f} ({worst.name}); {len(missed)} of {len(measured)} pages miss"
    return line(what, figure, shown, not missed, value / SIGNED_IN_RATIO)


def _post(row) -> dict:
    what = f"{row.name} under 8 connections"
    if row.ratio is None or row.p99_ms is None:
        return line(what, "not measured", "≥ 0.1 × hello, p99 ≤ 250 ms", None)
    ok = row.ratio >= row.ratio_budget and row.p99_ms <= row.p99_budget_ms
    return line(what, f"{row.ratio:.3f} × hello, p99 {row.p99_ms:.0f} ms",
                f"≥ {row.ratio_budget} × hello, p99 ≤ {row.p99_budget_ms:.0f} ms", ok, row.ratio / row.ratio_budget)


def _queries(rows) -> dict:
    measured = [r for r in rows if r.queries_constant is not None]
    changed = [f"{r.name} {r.queries_small}→{r.queries_large}" for r in measured if not r.queries_constant]
    figure = f"{len(measured) - len(changed)} of {len(measured)} constant" + (
        f"; grow: {', '.join(changed)}" if changed else "")
    return line("queries per page, small → large dataset", figure, "constant (no N+1)",
                not changed if measured else None)


def _extension(what, name, part, extension_rows, extensions, skipped) -> dict:
    if name in skipped:
        return line(what, "measured on SQLite only", "", None)
    if part is None and name in extension_rows:
        rows = extension_rows[name]
        missed = [r.name for r in rows if r.verdict().startswith(("FAIL", "ERROR"))]
        figure = f"{len(rows) - len(missed)} of {len(rows)} rows pass (see the table)" + (
            f"; missed: {', '.join(missed)}" if missed else "")
        return line(what, figure, "see rows", not missed)
    result = extensions.get(name)
    figures = result.get(part or "result") if isinstance(result, dict) else None
    if figures is None and part is None and result is not None:
        figures = result
    if not isinstance(figures, dict):
        return line(what, f"not measured (bench/{name}.py not in this tree or returned nothing)", "", None)
    shown = {k: v for k, v in figures.items() if k != "ok" and not k.startswith("budget") and _small(v)}
    budget = {k: v for k, v in figures.items() if k.startswith("budget")}
    return line(what, json.dumps(shown, default=str, ensure_ascii=False), json.dumps(budget, default=str, ensure_ascii=False), figures.get("ok"))


def _small(value) -> bool:
    """Worth a place on one line: a number, a short text, a short list."""
    return isinstance(value, (int, float, str, bool)) or (isinstance(value, list) and len(value) <= 4)


def table(lines: list[dict]) -> str:
    """The budget lines as text: result, what, figure, budget."""
    verdict = {True: "PASS", False: "FAIL", None: "—"}
    out = []
    for item in lines:
        out.append(f"  {verdict[item['ok']]:<4}  {item['what']}")
        out.append(f"        {item['figure']}" + (f"   budget {item['budget']}" if item["budget"] else "")
                   + ("" if item["ratio"] is None else f"   (÷ budget {item['ratio']:.2f})"))
    return "\n".join(out)
