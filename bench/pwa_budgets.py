"""bench.run's hook for the PWA budgets (bench/pwa.py drives headless Chromium against the running server)."""
from bench import pwa


def run(ctx) -> dict:
    """First load, JavaScript, repeat visits and the offline outbox, on the large dataset's server."""
    return pwa.run(ctx.server.base, ctx.dataset.fixtures)
