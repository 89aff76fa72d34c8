"""The chronology's closures and reopenings, at the dates they happened."""
import sqlalchemy as sa

from pwa.casework import chronology
from pwa.casework.sources import _newest, on_day
from pwa.core.extensions import db
from pwa.models import Family, FamilyClosure, Role, User

TEMPLATE = "closure/_item.html"


@chronology.source(kinds=("record",))
def closure_items(user: User, family: Family, limit: int, since=None, until=None) -> list[chronology.Item]:
    """Each closure of the case (on the day involvement ended) and each reopening."""
    if user.role is Role.mentor:
        return []
    closures = db.session.scalars(sa.select(FamilyClosure).where(FamilyClosure.family_id == family.id)).all()
    items = [chronology.Item("record", on_day(c.closed_on), "Case closed", TEMPLATE, ("closed", c),
                             recorded_at=c.closed_at, timed=False) for c in closures]
    items += [chronology.Item("record", c.reopened_at, "Case reopened", TEMPLATE, ("reopened", c))
              for c in closures if c.reopened_at]
    return _newest(items, limit, since, until)
