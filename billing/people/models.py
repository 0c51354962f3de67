"""Living units with weekly calling schedules, incarcerated persons and approved calling lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow


class LivingUnit(Base):
    """A housing unit of a facility; its schedule says when its residents may call."""

    __tablename__ = "living_units"
    __table_args__ = (UniqueConstraint("facility_id", "code"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))

    windows: Mapped[list[CallingWindow]] = relationship(
        back_populates="unit", order_by="(CallingWindow.weekday, CallingWindow.start_minute)",
        cascade="all, delete-orphan",
    )


class CallingWindow(Base):
    """One window of a unit's weekly schedule, in the facility's local time: [start, end) minutes."""

    __tablename__ = "calling_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
                        name="window_range"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("living_units.id"), index=True)
    #: 0 = Monday … 6 = Sunday (Python's ``date.weekday()``).
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    unit: Mapped[LivingUnit] = relationship(back_populates="windows")


class Person(Base):
    """An incarcerated person. ``id_number`` is the department's number (e.g. A12345)."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'restricted', 'released')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("living_units.id"))
    #: active: may call; restricted: phone privileges suspended (discipline); released: gone.
    status: Mapped[str] = mapped_column(String(12), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[LivingUnit] = relationship()


class ApprovedNumber(Base):
    """A number on a person's approved calling list; privileged (attorney) only by legal staff."""

    __tablename__ = "approved_numbers"
    __table_args__ = (
        Index("ix_approved_numbers_active", "person_id", "number", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
        CheckConstraint(
            "NOT privileged OR (privileged_by IS NOT NULL AND privileged_at IS NOT NULL "
            "AND privileged_reason IS NOT NULL)",
            name="privilege_is_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    number: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(100))
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    removed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: An attorney number approved by legal staff: its calls are not monitored or recorded.
    privileged: Mapped[bool] = mapped_column(Boolean, default=False)
    privileged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    privileged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    privileged_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
