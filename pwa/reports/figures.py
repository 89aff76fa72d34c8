"""A figure in the impact report: one number, shown as words on the page and as numbers in the CSV."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A value with its unit and, for a share, the count and what it is out of."""

    value: float | int | None
    text: str
    unit: str = ""
    count: int | None = None
    out_of: int | None = None

    def __str__(self) -> str:
        return self.text


def share(n: int, d: int) -> Figure:
    """'50% (1 of 2)' on the page; 50.0, %, 1, 2 in the CSV."""
    if not d:
        return Figure(None, "—", "%", n, d)
    return Figure(round(100 * n / d, 1), f"{100 * n / d:.0f}% ({n} of {d})", "%", n, d)


def money(pounds: float) -> Figure:
    """'£210.00' on the page; 210.0 GBP in the CSV."""
    return Figure(round(pounds, 2), f"£{pounds:,.2f}", "GBP")


def change(mean: float | None) -> Figure:
    """'+3.0' on the page; 3.0 in the CSV."""
    return Figure(None, "—") if mean is None else Figure(round(mean, 2), f"{mean:+.1f}")


def minutes(median: float | None, acked: int, raised: int) -> Figure:
    """'60 minutes (2 of 2 acknowledged)' on the page; 60, minutes, 2, 2 in the CSV."""
    figure = "—" if median is None else f"{median:.0f} minutes"
    return Figure(None if median is None else round(median, 1), f"{figure} ({acked} of {raised} acknowledged)",
                  "minutes", acked, raised)


def rate(mean: float | None, unit: str) -> Figure:
    """'1.0' on the page; 1.0 and its unit in the CSV."""
    return Figure(None, "—", unit) if mean is None else Figure(round(mean, 2), f"{mean:.1f}", unit)


MEASURE_HEADERS = ["Measure", "Value", "Unit", "Count", "Out of"]


def csv_rows(headers: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """A table as CSV rows with numbers as numbers: a Measure/Figure table gets Value, Unit, Count, Out of."""
    if headers == ["Measure", "Figure"]:
        out = []
        for label, cell in rows:
            if isinstance(cell, Figure):
                out.append([label, cell.value, cell.unit, cell.count, cell.out_of])
            else:
                out.append([label, cell, "", None, None])
        return MEASURE_HEADERS, out
    return headers, [[c.value if isinstance(c, Figure) else c for c in row] for row in rows]
