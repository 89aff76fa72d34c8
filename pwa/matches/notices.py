"""Telling the family's social worker when the family is matched, the match extended or ended.

Like alerts, a notice holds the family's reference and dates only (no names, no case text),
and a link that needs sign-in.
"""
from flask import current_app

from pwa.models import Family, Match
from pwa.outbox import mailer
from pwa.web.templating import day


def _send(family: Family, subject: str, lines: list[str]) -> None:
    link = f"{current_app.config['BASE_URL']}/families/{family.id}"
    text = "\n".join(lines) + f"\n\nSee the family's page in Bridge (sign-in needed): {link}\n"
    mailer.queue_notice(family.social_worker_id, f"{subject}: family {family.reference}", text)


def matched(family: Family, match: Match) -> None:
    _send(family, "Mentor matched", [
        f"Family {family.reference} has been matched with a volunteer mentor.",
        f"The match starts on {day(match.started_on)}; the agreed end is {day(match.agreed_end_on)}."])


def extended(family: Family, match: Match, previous_end) -> None:
    _send(family, "Match extended", [
        f"The mentor match for family {family.reference} has been extended.",
        f"The agreed end moved from {day(previous_end)} to {day(match.agreed_end_on)}; the reason is recorded in Bridge."])


def ended(family: Family, match: Match) -> None:
    _send(family, "Match ended", [
        f"The mentor match for family {family.reference} ended on {day(match.ended_on)}.",
        "The ending summary is recorded in Bridge."])
