"""`flask --app wsgi aggregates rebuild`: recount the impact report's tallies from the diary."""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from pwa.core.extensions import db


@click.group("aggregates", cls=AppGroup)
def aggregates() -> None:
    """Counters and monthly tallies the reports read instead of scanning."""


@aggregates.command("rebuild")
def rebuild() -> None:
    """Recount every monthly visit tally from the visits and their reviews (after deleting rows, say)."""
    from pwa.models import VisitTally
    from pwa.reports import tallies

    tallies.rebuild()
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(VisitTally))
    db.session.commit()
    click.echo(f"Visit tallies rebuilt: {rows} match-months.")
