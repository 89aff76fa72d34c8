"""`flask --app wsgi retention report|run|set`: the dry run, the deletion, a programme's own rules."""
import click
from flask.cli import AppGroup

from pwa.core.extensions import db


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """The retention schedule: what it would delete, deleting it, a programme's own rules."""


def _programme_id(name: str | None):
    from pwa.models import Programme

    if name is None:
        return None
    found = db.session.scalar(db.select(Programme.id).where(Programme.name == name))
    if found is None:
        raise click.ClickException(f"no programme called {name!r}")
    return found


@retention_group.command("report")
@click.option("--programme", help="Only this programme (by name).")
def report(programme: str | None) -> None:
    """List what would be deleted and when, by family reference (no names); deletes nothing."""
    from pwa.closure import retention
    from pwa.core import clock

    today, planned = clock.today(), retention.plan(_programme_id(programme))
    for p in planned:
        state = "held" if p.held else ("due" if p.due(today) else "later")
        click.echo(f"{p.due_on.isoformat()}  {state:5}  {p.reference}  {p.kind:9} {p.rows:6}  {p.rule.words}")
    click.echo(f"{sum(p.due(today) for p in planned)} due now, {len(planned)} listed.")


@retention_group.command("run")
@click.option("--programme", help="Only this programme (by name).")
def run(programme: str | None) -> None:
    """Delete what is due now (audited: type, how many, rule); what `report` lists as due now."""
    from pwa.closure import retention

    done = retention.run(programme_id=_programme_id(programme))
    for d in done:
        click.echo(f"deleted {d.rows} {d.kind} of family {d.family_id} ({d.rule})")
    click.echo(f"{len(done)} deletions.")


@retention_group.command("set")
@click.argument("programme")
@click.argument("kind")
@click.argument("years", type=click.IntRange(1, 100))
@click.option("--until-age", type=click.IntRange(18, 100), help="Concerns: also keep until the youngest is this old.")
def set_rule(programme: str, kind: str, years: int, until_age: int | None) -> None:
    """Give a programme its own rule for one record type (concerns, visits, goals, readings, matches, family)."""
    from pwa.closure import rules
    from pwa.core import audit

    try:
        rules.set_override(_programme_id(programme), kind, years, until_age)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record(db.session, None, "retention rule set", object_type="retention_overrides", object_id=kind)
    db.session.commit()
    click.echo(f"{programme}: {kind} {rules.schedule(_programme_id(programme))[kind].words}")
