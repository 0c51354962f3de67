"""Dunning: direct-bill statements whose due date passed with part of their amount still owed.

What a statement asked for is covered by what came off the account after its period ended:
payments, and any other credit to the receivable (a correction, a reversed charge). Charges made
after the period belong to the next statement and don't count against this one. A statement is
past due once its due date has ended in the statement's own time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from invoices.models import DunningNotice, Statement
from invoices.periods import zone
from ledgers.models import Transfer, TransferKind

__all__ = ["PastDue", "outstanding", "past_due", "past_due_owed"]

_POSTED = (TransferKind.SINGLE.value, TransferKind.POST_PENDING.value)


@dataclass(frozen=True, slots=True)
class PastDue:
    statement_id: int
    number: str
    account_id: int
    ledger_account_id: int
    due_on: dt.date
    amount_due: int
    outstanding: int  # what is still owed of ``amount_due`` (minor units)


def _outstanding() -> ColumnElement[int]:
    """A statement's amount due less what came off its receivable since its period ended."""
    s = Statement.__table__.c
    t = Transfer.__table__.c
    paid_since = (
        select(func.coalesce(func.sum(t.amount), 0))
        .where(t.credit_account_id == s.ledger_account_id, t.kind.in_(_POSTED), t.created_at >= s.ends_at)
        .scalar_subquery()
    )
    return s.amount_due - paid_since


def outstanding(session: Session, statement_id: int) -> int:
    """What is still owed of one statement's amount due (≤ 0: paid)."""
    return int(session.execute(select(_outstanding()).where(Statement.__table__.c.id == statement_id)).scalar_one())


def past_due_owed(session: Session, account_id: int) -> int:
    """What is still owed of the account's past-due statements (0 if none is past due and unpaid).

    The latest statement a dunning notice was given for is enough: its amount due carries every
    earlier unpaid balance forward.
    """
    notices = DunningNotice.__table__.c
    latest = session.scalar(select(notices.statement_id).where(notices.account_id == account_id)
                            .order_by(notices.statement_id.desc()).limit(1))
    return 0 if latest is None else max(outstanding(session, latest), 0)


def past_due(session: Session, *, now: dt.datetime) -> list[PastDue]:
    """Direct-bill statements past their due date, still partly owed, with no dunning notice yet."""
    s = Statement.__table__.c
    notices = DunningNotice.__table__.c
    # No zone's date is ahead of UTC's by more than 14 h: a cheap filter in SQL, then each candidate
    # is checked in its own statement's zone.
    latest_local_date = (now + dt.timedelta(hours=14)).date()
    rows = session.execute(
        select(s.id, s.number, s.account_id, s.ledger_account_id, s.due_on, s.amount_due, s.timezone, _outstanding())
        .where(s.plan == "direct_bill", s.amount_due > 0, s.due_on < latest_local_date,
               ~exists().where(notices.statement_id == s.id))
        .order_by(s.due_on, s.id)
    )
    found = []
    for statement_id, number, account_id, ledger_account_id, due_on, amount_due, tz, owed in rows:
        if owed > 0 and now.astimezone(zone(tz)).date() > due_on:
            found.append(PastDue(statement_id, number, account_id, ledger_account_id, due_on, amount_due, int(owed)))
    return found
