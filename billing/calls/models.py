"""Calls and incidents.

A call row is the platform's ``call_id`` with the decision it got, the rate snapshot that priced
it (so a later tariff change never alters a past call, and a statement can show how each charge
was made), the times the platform reported, and the ledger transfers that held and settled it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow

STATES = ("rejected", "authorized", "accepted", "blocked", "completed", "expired")
END_REASONS = ("hangup", "time_limit", "three_way_detected", "dropped", "not_accepted")


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("state IN ('" + "', '".join(STATES) + "')", name="state_known"),
        CheckConstraint("end_reason IS NULL OR end_reason IN ('" + "', '".join(END_REASONS) + "')",
                        name="end_reason_known"),
        CheckConstraint("authorized OR state = 'rejected'", name="rejected_is_final"),
        CheckConstraint("charge IS NULL OR charge >= 0", name="charge_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    #: The call platform's identifier; the idempotency key of every request about the call.
    call_id: Mapped[str] = mapped_column(String(100), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    person_ref: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), nullable=True, index=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # the decision
    authorized: Mapped[bool] = mapped_column(Boolean)
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    max_duration_seconds: Mapped[int] = mapped_column(Integer, default=0)
    monitored: Mapped[bool] = mapped_column(Boolean, default=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True, index=True)
    plan: Mapped[str | None] = mapped_column(String(12), nullable=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)
    hold_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    # the rate snapshot (NULL when the call was refused before it was rated)
    jurisdiction: Mapped[str | None] = mapped_column(String(16), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    per_minute: Mapped[Decimal | None] = mapped_column(Numeric(12, 6), nullable=True)
    first_minute: Mapped[Decimal | None] = mapped_column(Numeric(12, 6), nullable=True)
    increment_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minimum_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rounding: Mapped[str | None] = mapped_column(String(10), nullable=True)

    # what happened
    state: Mapped[str] = mapped_column(String(12))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    billable_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: What the call cost, in minor units.
    charge: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    charge_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)
    #: Why a connected call was not charged (e.g. dropped by the system within the grace period).
    charge_note: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The prepaid balance right after completion (minor units): a repeated completion answers it.
    balance_after: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Incident(Base):
    """Something the facility's discipline process must see: a three-way call was detected."""

    __tablename__ = "incidents"
    __table_args__ = (CheckConstraint("kind IN ('three_way_call')", name="kind_known"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), nullable=True)
    number: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
