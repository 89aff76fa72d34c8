"""One way to page a list that grows: a page number from the URL, a total, and "Showing 51–100 of 137"."""
import uuid
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import quote

from flask import g, request, url_for

PER_PAGE = 50


def page_number(raw) -> int:
    """?page= as a positive number (1 when missing or nonsense)."""
    try:
        return max(1, min(int(raw), 100_000))
    except (TypeError, ValueError):
        return 1


@dataclass
class Page:
    """Where one page sits in a list of `total` items."""

    number: int
    total: int
    per_page: int = PER_PAGE
    items: list = field(default_factory=list)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def showing(self) -> str:
        """'Showing 51–100 of 137', '1 family' style counts are left to the page."""
        if self.total == 0:
            return "Showing 0 of 0"
        return f"Showing {self.first}–{self.last} of {self.total}"


def from_request(total: int, per_page: int = PER_PAGE) -> Page:
    """The page the URL asks for, clamped to the last page."""
    page = Page(page_number(request.args.get("page")), total, per_page)
    page.number = min(page.number, page.pages)
    return page


def asked_offset(per_page: int = PER_PAGE) -> int:
    """Where the page the URL asks for starts, for a reader that learns the total with the rows."""
    return (page_number(request.args.get("page")) - 1) * per_page


def read_page(read: Callable[[int, bool], tuple[list, int]], count: Callable[[], int], limit: int,
              offset: int) -> tuple[list, Page]:
    """Read the page at offset (rows and their total in one go) and where it sits; past the end, the last page.

    read(offset, kept) gives a page's rows and the total that rides on them (a window count); a page
    past the end has no rows to carry it, so count() is asked and the last page read instead, with
    kept False: such an address is rare (a bookmark after rows went), and keeping its statement
    would push the pages in use out of pwa.access.kept.
    """
    rows, total = read(offset, True)
    if not rows and offset:
        total = count()
        offset = max(0, (total - 1) // limit * limit)
        rows = read(offset, False)[0] if total else []
    return rows, Page(offset // limit + 1, total, limit)


def page_url(number: int) -> str:
    """This URL with every query choice kept and ?page= changed (used by templates/_pager.html)."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


class RowLink:
    """One endpoint's URL for each row of a list, built once: `RowLink("admin.disable", "user_id")(u.id)`.

    url_for costs tens of microseconds a call; a 50-row table with a few links a row paid it hundreds of times.
    """

    _SLOT = "ROWSLOT"

    def __init__(self, endpoint: str, arg: str, **values):
        self.head, self.tail = url_for(endpoint, **values, **{arg: self._SLOT}).split(self._SLOT)

    def __call__(self, value) -> str:
        return f"{self.head}{value}{self.tail}"


def row_url(endpoint: str, **values) -> str:
    """url_for for a list's rows (templates: `row_url('families.show', family_id=f.id)`).

    An endpoint given one value has its URL built once a request (a RowLink) and filled in for each
    row; anything else goes to url_for.
    """
    if len(values) != 1:
        return url_for(endpoint, **values)
    [(arg, value)] = values.items()
    links = g.setdefault("row_links", {})
    link = links.get((endpoint, arg))
    if link is None:
        link = links[(endpoint, arg)] = RowLink(endpoint, arg)
    return link(str(value) if isinstance(value, uuid.UUID) else quote(str(value), safe=_AS_URL_FOR))  # a UUID needs none


_AS_URL_FOR = "!$&'()*+,/:;=@"  # what werkzeug's path converter leaves unquoted, so the link is url_for's
