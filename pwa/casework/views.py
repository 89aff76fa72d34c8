"""The social worker's view: caseload, one filterable chronology per family, and a printable report."""
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from pwa import access
from pwa.casework import chronology, pack, prepared
from pwa.core import audit, clock
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role
from pwa.families import finder, listed
from pwa.web import dates

bp = Blueprint("casework", __name__)


def _dates() -> tuple[date | None, date | None, str | None]:
    """?since= and ?until= (YYYY-MM-DD), swapped if back to front, with any problem to show."""
    try:
        since = dates.optional_day(request.args.get("since"))  # bounded: no overflow in the sources
        until = dates.optional_day(request.args.get("until"))
    except ValueError:
        return None, None, "Dates must look like 2026-04-01; showing everything."
    if since and until and since > until:
        return until, since, "The dates were back to front, so they have been swapped."
    return since, until, None


@bp.route("/caseload")
@roles_required(Role.social_worker, Role.coordinator)
def caseload():
    """Your families (paged, with last visit), goals waiting for your agreement, concerns waiting for acknowledgement."""
    criteria, today = finder.Criteria(sort=request.args.get("sort") if request.args.get("sort") in finder.SORTS
                                      else "referred"), clock.today()
    found, page = listed.page(current_user, criteria, today)
    waiting_goals = access.proposed_goals(current_user)
    concerns = access.list_concerns(current_user, open_only=True)
    return render_template("casework/caseload.html", found=found, page=page, criteria=criteria,
                           waiting_goals=waiting_goals,
                           concerns=concerns, today=today)


@bp.app_template_global()
def chronology_days(items):
    """Chronology items under the day each happened."""
    return chronology.by_day(items)


def _child(family):
    """?child=<id>: one of the family's children, or None."""
    wanted = request.args.get("child")
    return next((c for c in family.children if str(c.id) == wanted), None)


@bp.route("/families/<family_id>/chronology")
@roles_required(Role.social_worker, Role.coordinator)
def family_chronology(family_id):
    """Everything that happened with a family, newest first, by the day it happened; filtered by kind, dates, child."""
    family = access.family_for(current_user, family_id)
    kinds = set(request.args.getlist("kind")) & set(chronology.KIND_NAMES)
    since, until, problem = _dates()
    child = _child(family)
    page = chronology.page(current_user, family, chronology.page_number(request.args.get("page")),
                           kinds=kinds or None, since=since, until=until, child=child.id if child else None)
    return render_template("casework/chronology.html", family=family, page=page, kinds=kinds, since=since,
                           until=until, problem=problem, kind_names=chronology.KIND_NAMES, child=child)


@bp.route("/families/<family_id>/report")
@roles_required(Role.social_worker, Role.coordinator)
def family_report(family_id):
    """The report pack for a CP conference, core group or CIN review, on screen, for a chosen period."""
    family = access.family_for(current_user, family_id)
    since, until, problem = _dates()
    built = pack.build(current_user, family, since, until)
    return render_template("casework/report.html", pack=built, problem=problem)


@bp.route("/families/<family_id>/report.pdf")
@roles_required(Role.social_worker, Role.coordinator)
def family_report_pdf(family_id):
    """The report pack as a PDF, from the copy the worker prepared (pwa.casework.prepared); audited as an export.

    No current copy yet: the worker is asked for one and the page says so, refreshing itself until it downloads.
    """
    family = access.family_for(current_user, family_id)
    if request.method == "HEAD":  # what it is, without drawing (or auditing) an export nobody receives
        return Response(mimetype="application/pdf")
    since, until = pack.period(current_user, family, *_dates()[:2])
    body = prepared.stored(current_user, family, since, until)
    if body is None:
        prepared.ask(current_user, family, since, until)
        db.session.commit()
        page = render_template("casework/pack_preparing.html", family=family, since=since, until=until)
        return Response(page, status=202, headers={"Refresh": str(prepared.REFRESH_SECONDS)})
    audit.record(db.session, current_user, "export report pack", family)
    db.session.commit()
    name = f"bridge-report-{family.reference}-{since}-to-{until}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
