"""A mentoring programme (scheme) and its settings."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pwa.core import clock
from pwa.models.base import Base, UUIDKey
from pwa.models.types import UTCDateTime


class Programme(UUIDKey, Base):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint("ack_minutes_immediate > 0 AND ack_minutes_urgent > 0 AND ack_minutes_worried > 0", name="ack_positive"),
        sa.CheckConstraint("hourly_value_pence >= 0", name="hourly_value_nonnegative"),
        sa.CheckConstraint("overdue_days > 0 AND review_interval_weeks > 0", name="intervals_positive"),
        sa.CheckConstraint("planned_visits_per_week BETWEEN 1 AND 14", name="plan_range"),
        sa.CheckConstraint("dbs_valid_months > 0 AND training_valid_months > 0", name="validity_positive"),
    )

    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    duty_email: Mapped[str] = mapped_column(sa.String(254))
    duty_phone: Mapped[str] = mapped_column(sa.String(40))
    ack_minutes_immediate: Mapped[int] = mapped_column(default=15)
    ack_minutes_urgent: Mapped[int] = mapped_column(default=60)
    ack_minutes_worried: Mapped[int] = mapped_column(default=24 * 60)
    hourly_value_pence: Mapped[int] = mapped_column(default=1500)
    overdue_days: Mapped[int] = mapped_column(default=7)
    planned_visits_per_week: Mapped[int] = mapped_column(default=1, server_default="1")
    review_interval_weeks: Mapped[int] = mapped_column(default=6)
    dbs_valid_months: Mapped[int] = mapped_column(default=36)
    training_valid_months: Mapped[int] = mapped_column(default=36)
    # Days a browser may skip the second factor after "remember this device"; 0: never.
    remember_device_days: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
