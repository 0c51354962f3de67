"""Facilities and their tariffs as stored. ``rating`` works on the immutable values built from these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow

#: Rates keep sub-cent precision (0.009 USD a minute): six decimal places.
Rate = Numeric(12, 6)


class Facility(Base):
    """A prison or jail. A jail's average daily population sets its rate-cap tier."""

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("facility_class IN ('prison', 'jail')", name="class_known"),
        CheckConstraint(
            "facility_class = 'prison' OR average_daily_population IS NOT NULL", name="jail_has_adp"
        ),
        CheckConstraint("average_daily_population IS NULL OR average_daily_population >= 0", name="adp_positive"),
        CheckConstraint("max_call_seconds IS NULL OR max_call_seconds > 0", name="max_call_positive"),
        CheckConstraint("approved_list_size IS NULL OR approved_list_size > 0", name="list_size_positive"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Two-letter US state (or DC) where the facility is: decides intrastate vs interstate.
    state: Mapped[str] = mapped_column(String(2))
    #: IANA time zone; calling schedules and tariff dates are in the facility's local time.
    timezone: Mapped[str] = mapped_column(String(64))
    facility_class: Mapped[str] = mapped_column(String(10))
    average_daily_population: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Longest call allowed; NULL means the service default (MAX_CALL_SECONDS).
    max_call_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Size of an approved calling list; NULL means the service default (APPROVED_LIST_SIZE).
    approved_list_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    tariffs: Mapped[list[TariffRecord]] = relationship(back_populates="facility", order_by="TariffRecord.id")


class TariffRecord(Base):
    """One tariff row: a facility's per-minute rate for a jurisdiction (and destination prefix).

    There is deliberately no column for a separate fee of any kind: ancillary fees are banned.
    """

    __tablename__ = "tariffs"
    __table_args__ = (
        CheckConstraint("jurisdiction IN ('intrastate', 'interstate', 'international')", name="jurisdiction_known"),
        CheckConstraint("per_minute >= 0", name="rate_not_negative"),
        CheckConstraint("first_minute IS NULL OR first_minute >= 0", name="first_minute_not_negative"),
        CheckConstraint("increment_seconds BETWEEN 1 AND 3600", name="increment_range"),
        CheckConstraint("minimum_seconds BETWEEN 0 AND 3600", name="minimum_range"),
        CheckConstraint("termination_allowance >= 0", name="allowance_not_negative"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_ordered"),
        CheckConstraint("rounding IN ('half_up', 'half_even', 'up', 'down')", name="rounding_known"),
        Index("ix_tariffs_facility_jurisdiction", "facility_id", "jurisdiction"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    jurisdiction: Mapped[str] = mapped_column(String(16))
    #: International only: E.164 digits the destination starts with ("" = every destination).
    destination_prefix: Mapped[str] = mapped_column(String(15), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    per_minute: Mapped[Decimal] = mapped_column(Rate)
    first_minute: Mapped[Decimal | None] = mapped_column(Rate, nullable=True)
    increment_seconds: Mapped[int] = mapped_column(Integer, default=60)
    minimum_seconds: Mapped[int] = mapped_column(Integer, default=0)
    rounding: Mapped[str] = mapped_column(String(10), default="half_up")
    #: International only: disclosed average cost to terminate a call there, per minute.
    termination_allowance: Mapped[Decimal] = mapped_column(Rate, default=Decimal(0))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    #: Last day in force (inclusive); NULL means until further notice.
    effective_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    facility: Mapped[Facility] = relationship(back_populates="tariffs")


class RateCatalogVersion(Base):
    """A single row whose version changes with every facility or tariff change.

    Each worker caches the whole rate catalog in memory and reads this number with the request's
    API-key lookup (one query), reloading only when it moved — so a quote costs one round trip.
    """

    __tablename__ = "rate_catalog_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
