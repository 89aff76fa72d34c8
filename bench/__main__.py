"""`python -m bench` (or `make bench`): see bench/__init__.py."""
import argparse
import sys

from bench.run import main


def options(argv: list[str]) -> argparse.Namespace:
    """Read the command line."""
    p = argparse.ArgumentParser(prog="python -m bench", description="Bridge load benchmark (see bench/__init__.py).")
    p.add_argument("--only", nargs="+", metavar="NAME", help="run only scenarios whose name contains NAME")
    p.add_argument("--duration", type=int, default=5, help="seconds of load per scenario (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of unmeasured load first (default 1)")
    p.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    p.add_argument("--worker-class", default="sync", help="gunicorn worker class (default sync)")
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread only)")
    p.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"],
                   help="which databases to measure on, in order (default both)")
    p.add_argument("--pg-workers", type=int, default=4, help="gunicorn workers on PostgreSQL (default 4)")
    p.add_argument("--pg-duration", type=int, default=3, help="seconds of load per scenario on PostgreSQL (default 3)")
    p.add_argument("--extensions", nargs="*", metavar="NAME",
                   help="run only these measurements of bench.run.EXTENSIONS (e.g. phone records); none if no names")
    p.add_argument("--reseed", action="store_true", help="ignore the cached databases and seed afresh")
    p.add_argument("--strict", action="store_true", help="exit 1 when any budget is missed")
    options = p.parse_args(argv)
    options.sqlite_duration = options.duration
    return options


if __name__ == "__main__":
    sys.exit(main(options(sys.argv[1:])))
