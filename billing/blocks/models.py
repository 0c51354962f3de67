"""Blocks on numbers. A block is lifted, never deleted, so the history stays."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow


class Block(Base):
    """A block on calls to ``number``, from every facility (``all``) or one (``facility``)."""

    __tablename__ = "blocks"
    __table_args__ = (
        CheckConstraint("scope IN ('all', 'facility')", name="scope_known"),
        CheckConstraint("(scope = 'all') = (facility_id IS NULL)", name="scope_matches_facility"),
        CheckConstraint("source IN ('called_party', 'facility', 'provider')", name="source_known"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_by IS NULL)", name="lift_is_recorded"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
    scope: Mapped[str] = mapped_column(String(10))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"), nullable=True)
    #: Who asked: the called party (keypad at the announcement, or the family pages), the
    #: facility (security), or the provider (e.g. a delinquent direct-bill account).
    source: Mapped[str] = mapped_column(String(14))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The call during whose announcement the called party blocked, if any.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), nullable=True)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
