"""Third parties taken out of a subject-access export, and a plain account of what was taken out and why.

Two kinds of redaction:
- by construction: staff and volunteers appear by name and role only (gather.Staff), never with their
  email or phone; professionals' contact details are left out; internal supervision notes are not gathered;
- in free text: any other family's name or reference, and any staff member's phone number (the mentor's
  personal phone above all) or email address that someone typed into a note, is replaced where it stands.
"""
import re
from collections import Counter

from sqlalchemy.orm import load_only

from pwa import access
from pwa.core.extensions import db
from pwa.models import Family, User

OTHER_FAMILY = "[another family: withheld]"
PHONE = "[a staff member's phone number: withheld]"
EMAIL = "[a staff member's email address: withheld]"
REFERENCE = re.compile(r"\bBR-[A-Z0-9]{4}-[A-Z0-9]{4}\b")

ALWAYS = [
    ("Staff and volunteers' contact details",
     "Staff and volunteers (the mentor, coordinators, social workers) are named with their role only. Their "
     "email addresses and phone numbers, including the mentor's personal phone, are their own personal data, "
     "not the family's, so they are not in this export."),
    ("Professionals' contact details",
     "The key professionals around the family are named with their role and agency; their contact details are "
     "theirs and are left out. The scheme can put you in touch."),
    ("Other families",
     "Nothing about any other family is included. Where a note mentioned another family's name or reference, "
     "it has been replaced with \u201c" + OTHER_FAMILY + "\u201d."),
    ("Notes about the volunteer's supervision",
     "Supervision notes, diary review comments, debrief notes and a mentor's request to talk to their "
     "coordinator are about the volunteer's support, not the family, and are not included."),
]


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return None
    body = r"[\s().-]*".join(digits[1:] if digits.startswith("0") else digits)
    return (r"(?:\+44[\s().-]*|0)" if digits.startswith("0") else "") + body


class Redactor:
    """Replace third parties in every string of an export, counting what went."""

    def __init__(self, user: User, family: Family, staff: dict):
        q = access.visible_families(user).where(Family.id != family.id).options(
            load_only(Family.display_name, Family.reference))  # loaded as rows: names decrypt only on a row
        own, self.reference = family.display_name.strip().lower(), family.reference
        names = {str(f.display_name).strip() for f in db.session.scalars(q)}
        names = {n for n in names if len(n) > 2 and n.lower() != own}
        self.names = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.I) \
            if names else None
        phones = [p for p in (_phone_pattern(u.phone) for u in staff.values() if u and u.phone) if p]
        self.phones = re.compile("|".join(phones)) if phones else None
        emails = [re.escape(u.email) for u in staff.values() if u and u.email]
        self.emails = re.compile("|".join(emails), re.I) if emails else None
        self.counts: Counter = Counter()

    def text(self, value: str) -> str:
        """One string with third parties replaced."""
        for pattern, replacement, key in ((self.phones, PHONE, "phone"), (self.emails, EMAIL, "email"),
                                          (self.names, OTHER_FAMILY, "family")):
            if pattern is not None:
                value, n = pattern.subn(replacement, value)
                self.counts[key] += n
        return REFERENCE.sub(self._reference, value)

    def _reference(self, found) -> str:
        if found.group(0) == self.reference:
            return found.group(0)
        self.counts["family"] += 1
        return OTHER_FAMILY

    def walk(self, data):
        """The same structure with every string redacted."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {k: self.walk(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.walk(v) for v in data]
        return data

    def account(self) -> list[dict]:
        """What was redacted and why, for the document and the JSON."""
        found = [("phone", "Phone numbers in notes", "a staff member's or volunteer's phone number"),
                 ("email", "Email addresses in notes", "a staff member's or volunteer's email address"),
                 ("family", "Other families in notes", "another family's name or reference")]
        notes = [{"what": what, "why": why} for what, why in ALWAYS]
        for key, what, thing in found:
            if self.counts[key]:
                notes.append({"what": what, "why": f"{self.counts[key]} time(s) a note held {thing}; "
                                                   "each has been replaced where it stood."})
        return notes
