"""The impact report for a programme and period, on screen, printable, and as CSV."""
from datetime import timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from pwa.core import audit, clock
from pwa.web import charts, dates
from pwa.access import roles_required
from pwa.core.extensions import db
from pwa.models import Role
from pwa.reports import figures, impact, periods
from pwa.reports.csv_export import to_csv

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _period() -> tuple[impact.Period, str | None]:
    """The period asked for (?period=fy2026q3, or start and end; default: the twelve months to today)."""
    today = clock.today()
    chosen = periods.named(request.args.get("period"), today)
    if chosen is not None:
        return impact.Period(chosen.start, chosen.end), None
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
                           movement_svg=movement, acks_svg=acks, choices=periods.choices(clock.today()))


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
    return _csv(f"bridge-{table.key}-{period.start}-to-{period.end}.csv",
                *figures.csv_rows(table.headers, table.rows))


def _csv(name: str, headers: list, rows: list) -> Response:
    return Response(to_csv(headers, rows).encode("utf-8"), mimetype="text/csv", content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/visits.csv")
@roles_required(Role.coordinator)
def visits_csv():
    """Every visit in the period, one a row, for the coordinator; free text only when asked for (?text=1)."""
    from pwa.reports import visit_export

    period, _ = _period()
    with_text = request.args.get("text") == "1"
    headers, rows = visit_export.rows(current_user, period.start, period.end, with_text=with_text)
    audit.record(db.session, current_user, "export visits with text" if with_text else "export visits",
                 object_type="visits", object_id=current_user.programme_id)
    return _csv(f"bridge-visits-{period.start}-to-{period.end}.csv", headers, rows)
