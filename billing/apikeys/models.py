"""API keys. Only a SHA-256 digest of each key is stored; the key itself is shown once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow


class Role(StrEnum):
    """What an API client may do."""

    CALL_PLATFORM = "call_platform"  # the IVR/switch: authorize, quote, complete calls
    STAFF = "staff"  # customer service and facility staff: accounts, blocks, people
    LEGAL = "legal"  # legal staff: approves privileged (attorney) numbers
    ADMIN = "admin"  # everything staff can do, plus tariffs, facilities and keys


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("role IN ('call_platform', 'staff', 'legal', 'admin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    #: Hex SHA-256 of the key. Keys are 256-bit random tokens, so a fast hash is enough.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the key, to tell keys apart in listings.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
