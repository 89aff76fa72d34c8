"""The benchmark's own app: Bridge exactly as deployed, plus what only the benchmark measures with.

`gunicorn 'bench.app:create_bench_app()'` serves it, and the test suite runs on it. It adds the bare `/bench/hello` route that every page is compared
against, and an `X-Query-Count` header (the queries a request made, its audit append included) that the
benchmark checks is the same on the small and the large dataset. Neither exists in the production app.
"""
from flask import Blueprint, Flask

from pwa import create_app
from pwa.core.database import query_count

hello = Blueprint("bench", __name__)


@hello.route("/bench/hello")
def bare():
    """Answer with the least a request can cost: the session is loaded, nothing else."""
    return "hello"


def count_queries(response):
    """Say how many queries the request made."""
    response.headers["X-Query-Count"] = str(query_count())
    return response


def create_bench_app(test_config: dict | None = None) -> Flask:
    """Bridge, with the bare route and the query-count header."""
    app = create_app(test_config)
    app.register_blueprint(hello)
    # after_request functions run last-registered first: put this one at the front so it runs
    # after the app's own hook has committed the request (and its audit rows).
    app.after_request_funcs.setdefault(None, []).insert(0, count_queries)
    return app

