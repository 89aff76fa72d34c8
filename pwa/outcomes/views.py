"""The journey of change, recording an outcome reading, and `flask outcomes load FILE`."""
import click
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pwa import access
from pwa.access import roles_required
from pwa.core.clock import local_today
from pwa.core.extensions import db
from pwa.models import OutcomeFramework, Programme, ReadingOccasion
from pwa.outcomes import journey, loader, services
from pwa.outcomes.forms import reading_form

bp = Blueprint("outcomes", __name__, cli_group="outcomes")


@bp.route("/families/<family_id>/journey")
@roles_required(*access.CASE_ROLES)
def show_journey(family_id):
    """The family's journey of change: first against latest, each area over time, and the table."""
    family = access.family_for(current_user, family_id)
    perspective = request.args.get("view") if request.args.get("view") in journey.PERSPECTIVES else "family"
    current = services.framework_for(family.programme_id)
    readings = access.family_readings(current_user, family)
    frameworks = services.frameworks_by_id({r.framework_id for r in readings} - {current.id})
    journeys = journey.for_family(current, frameworks, readings, perspective)
    return render_template("outcomes/journey.html", family=family, journeys=journeys, perspective=perspective,
                           perspectives=journey.PERSPECTIVES)


@bp.route("/families/<family_id>/readings/new", methods=["GET", "POST"])
@roles_required(*access.CASE_ROLES)
def new_reading(family_id):
    """Record a reading: each area scored from the family's and the mentor's perspective, side by side."""
    family = access.family_for(current_user, family_id, "record_reading")
    framework = services.framework_for(family.programme_id)
    form = reading_form(framework)
    if not form.is_submitted():
        form.taken_on.data = local_today()
        if not access.family_readings(current_user, family):
            form.occasion.data = ReadingOccasion.start.name  # a family's first reading is its starting point
    elif form.validate():
        services.record_reading(current_user, family, framework, taken_on=form.taken_on.data,
                                occasion=ReadingOccasion[form.occasion.data], scores=form.scores(),
                                note=form.note.data)
        db.session.commit()
        flash("Reading recorded.", "info")
        return redirect(url_for("outcomes.show_journey", family_id=family.id))
    status = 422 if form.is_submitted() else 200
    return render_template("outcomes/reading_form.html", form=form, family=family, framework=framework), status


@bp.cli.command("load")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--programme", help="Name of the one programme that uses it (default: every programme).")
def load_command(path: str, programme: str | None) -> None:
    """Load an outcome framework (areas, scale, wording) from a JSON or YAML file."""
    try:
        spec = loader.read(path)
        owner = _programme(programme) if programme else None
        framework, created = services.install(spec, programme=owner)
    except loader.FrameworkFileError as exc:
        raise click.ClickException(f"{path} was not loaded:\n  - " + "\n  - ".join(exc.problems)) from None
    db.session.commit()
    what = f"'{framework.name}' ({framework.key}): {len(framework.areas)} areas, scored {framework.scale_min}" \
           f" to {framework.scale_max}, for {programme or 'every programme without its own'}"
    click.echo(f"Loaded {what}." if created else f"Already loaded, unchanged: {what}.")


def _programme(name: str) -> Programme:
    found = db.session.scalar(sa.select(Programme).where(Programme.name == name))
    if found is None:
        raise loader.FrameworkFileError([f"no programme is named '{name}'"])
    return found


@bp.cli.command("list")
def list_command() -> None:
    """List the outcome frameworks loaded, and which each programme uses."""
    services.default_framework()
    db.session.commit()
    for framework in db.session.scalars(sa.select(OutcomeFramework).order_by(OutcomeFramework.loaded_at)):
        click.echo(f"{framework.key}: {framework.name} ({len(framework.areas)} areas, "
                   f"{framework.scale_min}-{framework.scale_max}){' [built in]' if framework.builtin else ''}")
    for programme in db.session.scalars(sa.select(Programme).order_by(Programme.name)):
        click.echo(f"{programme.name} uses {services.framework_for(programme.id).key}")
