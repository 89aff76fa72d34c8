"""Issue 12's budget: a year's report pack (the PDF) for the busiest family of the 1,000-family dataset, ≤ 500 ms.

Single client, requests one after another after a warm-up, as the programme's coordinator;
the family measured is the one with the long diary (fixtures["family_id"]).
"""
from datetime import date, timedelta

from bench.supervision import measure

BUDGET_MS = 500.0


def run(ctx) -> dict:
    """bench.run's hook: the report pack PDF for one year."""
    fixtures = ctx.dataset.fixtures
    token = ctx.tokens.get("coordinator") or ctx.server.login(fixtures["people"]["coordinator"], fixtures["password"])
    end = date.today()
    path = f"/families/{fixtures['family_id']}/report.pdf?since={end - timedelta(days=364)}&until={end}"
    # Five renders after one: each takes seconds today, and the figure's order of magnitude is what matters.
    return {"report pack PDF, one year": measure(ctx.server.port, token, path, BUDGET_MS, requests=5, warm_up=1)}
