"""CSV export that a spreadsheet opens correctly and cannot mistake for a formula.

A UTF-8 byte order mark makes Excel read £ and — correctly; numbers stay numbers; any text
cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR, and their full-width
forms, after any leading spaces) is prefixed with an apostrophe.
"""
import csv
import io

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value):
    """A number as it is; text a spreadsheet would run as a formula, prefixed with an apostrophe."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


def to_csv(headers: list[str], rows: list[list]) -> str:
    """Render a table as CSV (with a BOM) with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    return BOM + out.getvalue()
