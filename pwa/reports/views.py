"""The impact report for a programme and period, on screen, printable, and as CSV."""
from datetime import timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from pwa.core import audit, clock
from pwa.web import charts, dates
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role
from pwa.reports import impact
from pwa.reports.csv_export import to_csv

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _period() -> tuple[impact.Period, str | None]:
    """The period asked for (default: the twelve months to today), and any problem with it."""
    today = clock.today()
    try:
        end = dates.parse_day(request.args.get("end") or today.isoformat())  # bounded: no overflow below
        start = dates.optional_day(request.args.get("start")) or end - timedelta(days=364)
    except ValueError:
        return impact.Period(today - timedelta(days=364), today), "Dates must look like 2026-04-01."
    if start > end:
        return impact.Period(end, start), "The start was after the end, so they have been swapped."
    return impact.Period(start, end), None


@bp.route("/impact")
@roles_required(Role.coordinator)
def impact_report():
    """How much, how well, is anyone better off: the programme's impact for a period."""
    period, problem = _period()
    report = impact.build(current_user.programme, period)
    audit.record(db.session, current_user, "read", object_type="impact report", object_id=current_user.programme_id)
    movement = charts.bars([a for a, _ in report.movement_chart], [v for _, v in report.movement_chart],
                           title="Mean change per outcome area, first to latest reading (family's view)",
                           chart_id="movement")
    acks = charts.bars([u for u, _ in report.acknowledgement_chart], [m for _, m in report.acknowledgement_chart],
                       title="Median minutes to acknowledge a concern", unit=" min", chart_id="acks")
    return render_template("reports/impact.html", report=report, period=period, problem=problem,
                           movement_svg=movement, acks_svg=acks)


@bp.route("/impact.csv")
@roles_required(Role.coordinator)
def impact_csv():
    """One table of the impact report as CSV (every export is audited)."""
    period, _ = _period()
    report = impact.build(current_user.programme, period)
    table = next((t for t in report.tables if t.key == request.args.get("table")), None)
    if table is None:
        abort(404)
    audit.record(db.session, current_user, f"export {table.key}", object_type="impact report",
                 object_id=current_user.programme_id)
    name = f"bridge-{table.key}-{period.start}-to-{period.end}.csv"
    return Response(to_csv(table.headers, table.rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
