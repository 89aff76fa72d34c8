"""Rendering an email's two parts from templates under templates/email/ (no database here).

Every email has a plain-text part and an HTML part. A kind with its own template
renders both from `email/<name>.txt` and `email/<name>.html` (the HTML extends
`email/layout.html`). Plain text queued without a template is put into the same
layout: each paragraph escaped, line breaks kept, web addresses made links.
Neither part may hold a name or case text: only references, urgencies, times
and links that need a sign-in.
"""
from __future__ import annotations

import re

from flask import current_app
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def render(template: str, **context) -> tuple[str, str]:
    """(text, html) from email/<template>.txt and email/<template>.html."""
    env = current_app.jinja_env
    text = env.get_template(f"email/{template}.txt").render(**context)
    html = env.get_template(f"email/{template}.html").render(**context)
    return text.strip() + "\n", html


def linkify(paragraph: str) -> Markup:
    """One paragraph of plain text as HTML: escaped, line breaks kept, web addresses made links."""
    out, start = [], 0
    for found in _URL.finditer(paragraph):
        url = found.group(0)
        out += [escape(paragraph[start:found.start()]), Markup('<a href="%s">%s</a>') % (url, url)]
        start = found.end()
    out.append(escape(paragraph[start:]))
    return Markup("").join(out).replace("\n", Markup("<br>\n"))


def paragraphs(text: str) -> list[Markup]:
    """Plain text's paragraphs (split at blank lines), each as safe HTML."""
    return [linkify(p.strip("\n")) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def from_text(subject: str, text: str) -> tuple[str, str]:
    """(text, html) for mail queued as plain text: the HTML part is the text in the shared layout."""
    html = current_app.jinja_env.get_template("email/text.html").render(subject=subject,
                                                                        paragraphs=paragraphs(text))
    return text, html
