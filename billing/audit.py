"""The audit trail: every staff, legal and admin action that changes something is recorded here.

Rows are append-only (no code path updates or deletes them) and are written in the same
transaction as the change they describe, so an action and its record stand or fall together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow


class AuditEntry(Base):
    """One recorded action: who (API key), what, on which subject, with the details."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(100), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: Session, *, actor: str, role: str, action: str, subject_type: str, subject_id: object,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record an action in the caller's transaction."""
    entry = AuditEntry(
        actor=actor, role=role, action=action, subject_type=subject_type, subject_id=str(subject_id),
        details=details or {}, at=utcnow(),
    )
    session.add(entry)
    return entry


def entries(session: Session, *, subject_type: str | None = None, subject_id: object = None,
            limit: int = 100) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == str(subject_id))
    return list(session.scalars(query))
