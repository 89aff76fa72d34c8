"""The report pack as a PDF, made with WeasyPrint.

Why WeasyPrint rather than Chromium's print-to-PDF: it runs inside the web process (no browser
to start, sandbox or time out per request; nothing to keep alive between requests), it is built
for paged media, and CSS Paged Media gives what a conference pack needs on every page —
"OFFICIAL-SENSITIVE" top and bottom and "Page N of M" — from @page margin boxes, which
Chromium's command-line printing cannot add. It needs Pango from Debian (`make pango`).

Only our own stylesheet is used; the fetcher refuses every URL, so a pack can never reach the
network or the file system while it is drawn.
"""
import logging
from pathlib import Path

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # not a line per page in the worker's log
CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "css" / "pack.css"


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report pack loads nothing from outside: {url[:40]}")


def render(html: str) -> bytes:
    """A PDF of the pack's HTML, drawn with the pack stylesheet."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url=str(CSS_FILE.parent), url_fetcher=_no_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=str(CSS_FILE))])
