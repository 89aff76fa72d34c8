"""The social worker's view: caseload, one filterable chronology per family, and a printable report."""
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from pwa import access
from pwa.casework import chronology
from pwa.core import clock
from pwa.access import roles_required
from pwa.casework import sources  # noqa: F401  (registers the chronology sources)
from pwa.models import Role
from pwa.families import finder
from pwa.web import paging
from pwa.web import dates

bp = Blueprint("casework", __name__)
REPORT_LIMIT = 500


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
    page = paging.from_request(finder.count(current_user, criteria, today))
    found = finder.find(current_user, criteria, today, limit=page.per_page, offset=page.offset, total=page.total)
    waiting_goals = access.proposed_goals(current_user)
    concerns = access.list_concerns(current_user, open_only=True)
    return render_template("casework/caseload.html", found=found, page=page, criteria=criteria,
                           waiting_goals=waiting_goals,
                           concerns=concerns, today=today)


@bp.route("/families/<family_id>/chronology")
@roles_required(Role.social_worker, Role.coordinator)
def family_chronology(family_id):
    """Everything that happened with a family, newest first, filtered by kind and dates."""
    family = access.family_for(current_user, family_id)
    kinds = set(request.args.getlist("kind")) & set(chronology.KIND_NAMES)
    since, until, problem = _dates()
    page = chronology.page(current_user, family, chronology.page_number(request.args.get("page")),
                           kinds=kinds or None, since=since, until=until)
    return render_template("casework/chronology.html", family=family, page=page, kinds=kinds, since=since,
                           until=until, problem=problem, kind_names=chronology.KIND_NAMES)


@bp.route("/families/<family_id>/report")
@roles_required(Role.social_worker, Role.coordinator)
def family_report(family_id):
    """A printable report for a core group or child protection conference."""
    from pwa.outcomes import journey, services as outcomes

    family = access.family_for(current_user, family_id)
    since, until, problem = _dates()
    items = chronology.page(current_user, family, 1, REPORT_LIMIT, since=since, until=until).items
    goals = access.family_goals(current_user, family)
    progress = {g.id: access.goal_progress(current_user, g) for g in goals}
    current = outcomes.framework_for(family.programme_id)
    readings = access.family_readings(current_user, family)
    frameworks = outcomes.frameworks_by_id({r.framework_id for r in readings} - {current.id})
    journeys = journey.for_family(current, frameworks, readings, "family")
    match = access.active_matches_for_families(current_user, [family.id]).get(family.id)
    return render_template("casework/report.html", family=family, items=items, goals=goals, progress=progress,
                           journeys=journeys, match=match, since=since, until=until, problem=problem,
                           printed=clock.now(), truncated=len(items) >= REPORT_LIMIT)
