"""A family's concerns and their addenda as its chronology shows them: Core selects of the shown columns.

Loaded as Concern objects, every concern asked for (a page's worth and one more) came with its author,
addenda, categories and children, and every sealed field of each was opened, though the family page shows
a few of them beside the visits. Here the concerns with their author's name come in one select, and their
addenda, categories and children in one select each; a sealed field is opened when a template first reads
it, so only the shown lines' text is. Scoped and audited like list_concerns.
"""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from pwa.access.concerns import _about, _concerns, audit_listing
from pwa.access.kept import prepared
from pwa.access.staff import staff_name
from pwa.access.visit_lines import Named, _opener
from pwa.core.extensions import db
from pwa.models import Child, Concern, ConcernAddendum, ConcernCategory, ConcernCategoryMark, Family, User, Urgency
from pwa.models.base import open_column
from pwa.models.record import ConcernChild

_CONCERN_TEXT = (Concern.what_seen, Concern.child_words, Concern.action_taken_note)
_ADDENDUM_TEXT = (ConcernAddendum.facts, ConcernAddendum.child_words)


class _Sealed:
    """A line whose sealed columns (in `sealed`: name -> (column, stored value)) are opened on first read."""

    sealed: dict

    def __getattr__(self, name):
        sealed = self.__dict__.get("sealed") or {}
        if name not in sealed:
            raise AttributeError(name)
        column, value = sealed.pop(name)
        opened = open_column(column, self.__dict__["id"], value)
        setattr(self, name, opened)
        return opened

    @property
    def acknowledged(self) -> bool:
        """Someone responsible has read it and taken it on."""
        return self.acknowledged_at is not None


@dataclass(eq=False)
class ConcernLine(_Sealed):
    """What a chronology shows of a concern (the attributes its templates read of a Concern)."""

    id: object
    reference: str
    urgency: Urgency
    created_at: datetime
    acknowledged_at: datetime | None
    author: Named
    sealed: dict
    categories: list[ConcernCategory] = field(default_factory=list)
    about: list[str] = field(default_factory=list)
    addenda: list["AddendumLine"] = field(default_factory=list)

    @property
    def about_names(self) -> str:
        """The children it is about, or that it is not about one child."""
        return ", ".join(self.about) if self.about else "not one child (the family)"


@dataclass(eq=False)
class AddendumLine(_Sealed):
    """What a chronology shows of an addendum to a concern."""

    id: object
    concern: ConcernLine
    urgency: Urgency
    created_at: datetime
    acknowledged_at: datetime | None
    author: Named
    sealed: dict


def _line(cls, plain, author_id, name, columns, text, **more):
    """A line with its author named and its sealed columns kept to open on reading (a missing one is None)."""
    line = cls(*plain, author=Named(author_id, staff_name(author_id, name)), **more,
               sealed={column.key: (column, value) for column, value in zip(columns, text) if value is not None})
    for column, value in zip(columns, text):
        if value is None:
            setattr(line, column.key, None)
    return line


def family_concern_lines(user: User, family: Family, limit: int, *, after=None, before=None,
                         child=None) -> list[ConcernLine]:
    """A family's newest concerns the user may see (with their addenda), as its chronology shows them; audited."""
    q = prepared(_lines, user, *_about(user, family, child), limit, after, before)
    lines = {row[0]: _line(ConcernLine, row[:5], row[5], row[6], _CONCERN_TEXT, row[7:])
             for row in db.session.execute(q)}
    if lines:
        _add_addenda(lines)
        _add_categories_and_children(lines)
    audit_listing(user, family)
    return list(lines.values())


def _lines(user: User, family_id, child_id, limit: int, after, before) -> sa.Select:
    """The concerns' select (list_concerns' own, newest first), with their author's name (kept)."""
    return (_concerns(user, family_id, child_id, False, limit, after, before, 0, False)
            .with_only_columns(Concern.id, Concern.reference, Concern.urgency, Concern.created_at,
                               Concern.acknowledged_at, User.id, User.name, *_CONCERN_TEXT)
            .join(User, User.id == Concern.author_id))


# Built once, each for a page's concerns (their ids): the addenda with their author's name, oldest first;
# the categories marked; the children each is about.
_IDS = sa.bindparam("ids", expanding=True)
_ADDENDA = (sa.select(ConcernAddendum.id, ConcernAddendum.concern_id, ConcernAddendum.urgency,
                      ConcernAddendum.created_at, ConcernAddendum.acknowledged_at, User.id, User.name, *_ADDENDUM_TEXT)
            .join(User, User.id == ConcernAddendum.author_id).where(ConcernAddendum.concern_id.in_(_IDS))
            .order_by(ConcernAddendum.created_at))
_MARKS = sa.select(ConcernCategoryMark.concern_id, ConcernCategoryMark.category).where(
    ConcernCategoryMark.concern_id.in_(_IDS))
_ABOUT = (sa.select(ConcernChild.concern_id, Child.id, Child.first_name).join(Child, Child.id == ConcernChild.child_id)
          .where(ConcernChild.concern_id.in_(_IDS)))


def _add_addenda(lines: dict) -> None:
    for row in db.session.execute(_ADDENDA, {"ids": list(lines)}):
        concern = lines[row[1]]
        plain = (row[0], concern, *row[2:5])
        concern.addenda.append(_line(AddendumLine, plain, row[5], row[6], _ADDENDUM_TEXT, row[7:]))


def _add_categories_and_children(lines: dict) -> None:
    marks: dict = {}
    for concern_id, category in db.session.execute(_MARKS, {"ids": list(lines)}):
        marks.setdefault(concern_id, set()).add(category)
    for concern_id, chosen in marks.items():
        lines[concern_id].categories = [c for c in ConcernCategory if c in chosen]
    first_name = _opener(Child.first_name)
    for concern_id, child_id, name in db.session.execute(_ABOUT, {"ids": list(lines)}):
        lines[concern_id].about.append(first_name(child_id, name))
