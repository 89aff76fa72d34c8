"""Bridge's load benchmark: `make bench` (installs wrk) or `.venv/bin/python -m bench [--only NAME ...]`.

What a run does (about 15 minutes on 2 cores; the first run also seeds, a few minutes more):
1. Seeds two SQLite databases under bench/out/cache/ (gitignored) with the real migrations
   (`flask --app wsgi db upgrade`) and then bench/seed.py: "small" (50 families) and "large"
   (1,000 families, 300 mentors, 100,000 visits, 5,000 concerns). They are cached under a hash
   of the migrations, the models' schema (their tables, not their methods) and the seeder, and
   copied to bench/out/run/ for each run. A new migration alone does not re-seed: the cached
   file of the same seed is migrated, and kept if its schema then matches a fresh migration's.
2. On SQLite, then on PostgreSQL 15 (`--databases` picks; bench/pgdata.py: a throwaway cluster
   on 127.0.0.1, the same rows copied in by COPY after the real migrations, cached as a pg_dump
   file under the same hash, stopped at the end): serves each size with gunicorn on 127.0.0.1
   (sync workers: 3 on SQLite, whose one write lock more workers only queue on; 4 on
   PostgreSQL), signs in over HTTP as each role, and fetches every scenario once on each: the
   gzipped size (headers included), the X-Query-Count (the same on both sizes), and the time
   of one request alone on the large one (pages: <= 10 ms; the median of 7, once every worker
   has answered the page a few times, so no worker's first build of it is counted).
3. Beside it, the peer (bench/peer.py): a plain Flask page (cookie session, Flask-Login, one
   20-row query, a template) on the same kind of database, served by gunicorn with the same
   settings. Loads every scenario with wrk on the large one, between a bare hello and the peer
   measured first and last; throughput is a ratio to the mean hello (pages >= 0.2, the visit
   POST >= 0.1 with p99 <= 250 ms) and to the mean peer (pages >= 1.0). PostgreSQL loads each
   scenario 3 s instead of 5 (`--pg-duration`) to keep the run near 15 minutes.
4. Runs the extensions (below), then prints per database the table, the extensions' results and
   every budget of DESIGN.md's Budgets table and of issue 15 (bench/budgets.py: figure, budget,
   ratio, PASS or FAIL), the machine's load before and after, and writes bench/out/results.json.
   Exit 0 when measured (budgets may miss; --strict makes a miss exit 1), 2 when the
   measurement itself broke.

Speed is measured here only, never in timed tests (tests/test_bench_smoke.py only keeps the
seeder and the scenarios working). `python -m bench.profile NAME` profiles one scenario.

Extending it:
- A page: append a Scenario to PAGES in bench/scenarios.py (path, role, budgets). A path may
  be a function of the fixtures (ids the seeder chose: family_id, match_id, ...).
- A POST: a Scenario with `wrk_lua` (Lua setting wrk.method/wrk.body/headers, or a request()
  function for a fresh client UUID each time; bench.wrk.lua_string quotes values) and `probe`
  (the same POST once in Python, for its query count); see the visit POST in scenarios.py.
  `needs="pwa.diary"` skips it until that package exists.
- Data: a seed step is a function (ctx: bench.seed.SeedContext) -> None. Optional ones live in
  bench/seed_<feature>.py with available() and seed(ctx) and are listed in seed.optional_steps.
  ctx.add(obj) queues a row and returns its id; ids of everything seeded are in ctx.
- A whole measurement of its own: a module listed in bench.run.EXTENSIONS (bench/concerns.py)
  with run(ctx) (or run()), called after the pages while the large server still runs. ctx is a
  bench.run.BenchContext: server (base URL, get(), login()), dataset (path, fixtures), env (the
  server's environment, to start e.g. a worker with SMTP_URL added), tokens (role -> session
  cookie), baseline_rps, database ("sqlite" or "postgresql"), peer_rps. Return a list of
  bench.report.Row (they join the table) or a JSON-able dict of parts with "ok" (printed under
  the table and stored in results.json). An extension runs on SQLite only unless its module says
  `DATABASES = ("sqlite", "postgresql")`. bench/budgets.py's FROM_EXTENSIONS names which
  DESIGN.md budget each extension's part answers.
"""
