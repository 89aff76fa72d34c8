"""What a coordinator's caseload needs beside the records: search tokens, talk requests, mentor profiles.

- FamilySearchToken: the blind index of a family's names (pwa/crypto/blind.py), kept in step by
  the session hook below whatever code changes a family name or a child's first name.
- TalkRequest: a mentor asked to talk to their coordinator on an entry; open until the
  coordinator says they talked (reviewing the entry does not clear it).
- MentorProfile: languages and area, recorded by the coordinator, shown when matching.
- The hooks also keep Family.last_visit_on: the date of the family's latest current entry.
"""
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.family import Child, Family, family_programme
from pwa.models.types import EncryptedText, UTCDateTime
from pwa.models.user import User
from pwa.models.visit import Visit

REBUILD_BATCH = 500


class FamilySearchToken(Base):
    """One keyed token of a family's names (never the name itself)."""

    __tablename__ = "family_search_tokens"

    token: Mapped[bytes] = mapped_column(sa.LargeBinary(16), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id", ondelete="CASCADE"),
                                                 primary_key=True, index=True)


class TalkRequest(Base):
    """'I'd like to talk to my coordinator', ticked on an entry; cleared only by 'talked'."""

    __tablename__ = "talk_requests"
    __table_args__ = (sa.Index("ix_talk_requests_family_open", "family_id", "talked_at"),
                      sa.Index("ix_talk_requests_open", "programme_id", "created_at", "visit_id",  # the dashboard's
                               sqlite_where=sa.text("talked_at IS NULL"), postgresql_where=sa.text("talked_at IS NULL")))

    visit_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("families.id", ondelete="CASCADE"))
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"))  # its family's, which never changes
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    talked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    talked_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id], lazy="joined")


class MentorProfile(UUIDKey, Base):
    """Optional facts a coordinator records to help matching."""

    __tablename__ = "mentor_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    languages: Mapped[str | None] = mapped_column(EncryptedText)
    area: Mapped[str | None] = mapped_column(EncryptedText)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


_LATER_VISIT = (sa.update(Family.__table__)  # built once: one for every new entry
                .where(Family.__table__.c.id == sa.bindparam("family"),
                       sa.or_(Family.__table__.c.last_visit_on.is_(None),
                              Family.__table__.c.last_visit_on < sa.bindparam("visit_on")))
                .values(last_visit_on=sa.bindparam("visit_on")))


@event.listens_for(Visit, "after_insert")
def _visit_written(mapper, connection, visit: Visit) -> None:
    """Keep the family's last visit date; open a talk request when the mentor asked for one."""
    families = Family.__table__
    if visit.corrects_id is None:
        connection.execute(_LATER_VISIT, {"family": visit.family_id, "visit_on": visit.visit_on})
    else:
        latest = sa.select(sa.func.max(Visit.visit_on)).where(Visit.family_id == visit.family_id, Visit.is_current())
        connection.execute(sa.update(families).where(families.c.id == visit.family_id)
                           .values(last_visit_on=latest.scalar_subquery()))
    talks = TalkRequest.__table__
    if visit.talk_to_coordinator:
        open_on_original = sa.select(talks.c.visit_id).where(talks.c.visit_id == visit.corrects_id,
                                                             talks.c.talked_at.is_(None))
        if visit.corrects_id is None or connection.execute(open_on_original).first() is None:
            connection.execute(sa.insert(talks).values(
                visit_id=visit.id, family_id=visit.family_id, programme_id=family_programme(visit.family_id),
                mentor_id=visit.author_id, created_at=visit.created_at or clock.now()))


# --- the blind index, kept in step with the names ---

def _names_changed(session: Session) -> set:
    """Families whose name, or whose children's names, this flush changed."""
    changed = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Family) and (obj in session.new or
                                        attributes.get_history(obj, "display_name").has_changes()):
            changed.add(obj.id)
        elif isinstance(obj, Child):
            moved = attributes.get_history(obj, "family_id")
            if obj in session.new or obj in session.deleted or moved.has_changes() or \
                    attributes.get_history(obj, "first_name").has_changes():
                changed.update(i for i in (obj.family_id, *moved.deleted) if i is not None)
    return changed


def _names_of(connection, family_ids) -> dict:
    """family id -> its name and its children's first names, opened here."""
    from pwa.crypto.runtime import keyring

    ring, fam, kids = keyring(), Family.__table__, Child.__table__
    names = {}
    for fid, sealed in connection.execute(sa.select(fam.c.id, fam.c.display_name).where(fam.c.id.in_(family_ids))):
        names[fid] = [ring.decrypt(sealed, f"families.display_name:{fid}")]
    rows = connection.execute(sa.select(kids.c.id, kids.c.family_id, kids.c.first_name)
                              .where(kids.c.family_id.in_(family_ids)))
    for cid, fid, sealed in rows:
        names.setdefault(fid, []).append(ring.decrypt(sealed, f"children.first_name:{cid}"))
    return names


def reindex(connection, family_ids) -> None:
    """Replace the search tokens of these families."""
    from pwa.crypto import blind
    from pwa.crypto.runtime import keyring

    ids = list(family_ids)
    if not ids:
        return
    tokens = FamilySearchToken.__table__
    connection.execute(sa.delete(tokens).where(tokens.c.family_id.in_(ids)))
    index = blind.for_keyring(keyring())
    rows = [{"token": t, "family_id": fid} for fid, names in _names_of(connection, ids).items()
            for t in index.tokens(names)]
    if rows:
        connection.execute(sa.insert(tokens), rows)


def rebuild_all(connection) -> int:
    """Rebuild every family's tokens under the current key (after a key rotation); returns families."""
    connection.execute(sa.delete(FamilySearchToken.__table__))
    fam, last, done = Family.__table__, None, 0
    while True:
        q = sa.select(fam.c.id).order_by(fam.c.id).limit(REBUILD_BATCH)
        ids = list(connection.scalars(q if last is None else q.where(fam.c.id > last)))
        reindex(connection, ids)
        done += len(ids)
        if len(ids) < REBUILD_BATCH:
            return done
        last = ids[-1]


@event.listens_for(Session, "after_flush")
def _reindex_names(session: Session, context) -> None:
    changed = _names_changed(session)
    if changed:
        reindex(session.connection(), changed)
