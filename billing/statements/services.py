"""Monthly statements of called-party accounts: which accounts, how calls read, and the JSON.

The statement itself (its lines, totals, idempotence) is ``invoices``'s; this module tells it which
accounts to state and what each call on the journal was, from the calls' own rate snapshots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import invoices
from billing.accounts.models import CalledPartyAccount
from billing.calls.models import Call
from billing.config import Settings
from billing.db import Database
from billing.errors import NotFound
from billing.facilities.models import Facility
from invoices import CallDetail, Period, Statement, StatementAccount, StatementLine
from rating.money import format_amount, from_minor

__all__ = ["call_details", "candidates", "run_period", "statement_json", "terms"]


def terms(settings: Settings) -> invoices.Terms:
    return invoices.Terms(timezone=settings.statement_timezone, due_days=settings.statement_due_days)


def candidates(session: Session) -> list[StatementAccount]:
    """Every account that has a ledger account (``invoices`` skips those with nothing to state)."""
    a = CalledPartyAccount.__table__.c
    rows = session.execute(
        select(a.id, a.ledger_account_id, a.plan, a.currency, a.holder_name, a.holder_address)
        .where(a.ledger_account_id.is_not(None))
        .order_by(a.id)
    )
    return [StatementAccount(*row) for row in rows]


def candidates_of(db: Database) -> list[StatementAccount]:
    with db.sessions() as session:
        return candidates(session)


def call_details(session: Session, transfer_ids: Sequence[int]) -> Mapping[int, CallDetail]:
    """The call each journal row charged, with the tariff values that priced it."""
    if not transfer_ids:
        return {}
    c = Call.__table__.c
    f = Facility.__table__.c
    found: dict[int, CallDetail] = {}
    for chunk_start in range(0, len(transfer_ids), 500):
        chunk = list(transfer_ids[chunk_start:chunk_start + 500])
        rows = session.execute(
            select(c.charge_transfer_id, c.call_id, c.number, f.code, c.accepted_at, c.billable_seconds,
                   c.per_minute, c.first_minute, c.increment_seconds, c.minimum_seconds, c.rounding, c.charge_note)
            .join(Facility.__table__, f.id == c.facility_id)
            .where(c.charge_transfer_id.in_(chunk))
        )
        for row in rows:
            found[int(row[0])] = CallDetail(
                call_ref=row[1], number=row[2], facility=row[3], started_at=row[4], billable_seconds=row[5] or 0,
                per_minute=Decimal(row[6] or 0), first_minute=None if row[7] is None else Decimal(row[7]),
                increment_seconds=row[8] or 60, minimum_seconds=row[9] or 0, rounding=row[10] or "",
                note=row[11] or "")
    return found


def run_period(db: Database, settings: Settings, period: Period, *,
               now: dt.datetime | None = None) -> invoices.RunReport:
    """Issue ``period``'s statements (idempotent: a rerun issues only what is missing)."""
    return invoices.run(db.unit_of_work, candidates_of(db), period, terms=terms(settings), details=call_details,
                        now=now)


def previous_period(settings: Settings, now: dt.datetime | None = None) -> Period:
    """The month before the current one, in the statement time zone."""
    local = (now or dt.datetime.now(dt.UTC)).astimezone(invoices.zone(settings.statement_timezone))
    return Period.containing(local.date()).previous()


def get_statement(session: Session, number: str) -> Statement:
    statement = session.scalar(select(Statement).where(Statement.__table__.c.number == number))
    if statement is None:
        raise NotFound("No statement with that number.", details={"number": number})
    return statement


def statements_of(session: Session, account_id: int) -> list[Statement]:
    s = Statement.__table__.c
    return list(session.scalars(select(Statement).where(s.account_id == account_id)
                                .order_by(s.period_start.desc())))


def _money(units: int, currency: str) -> str:
    return format_amount(from_minor(units, currency))


def _stamp(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _how(line: StatementLine, currency: str) -> str:
    """How a call's charge was made, in words a family can check against the tariff."""
    assert line.per_minute is not None and line.billable_seconds is not None
    terms = [f"{line.increment_seconds}-second increments"] if line.increment_seconds else []
    if line.minimum_seconds:
        terms.append(f"minimum {line.minimum_seconds} s")
    first = "" if line.first_minute is None else f"first minute {format_amount(line.first_minute)}, then "
    how = (f"{line.billable_seconds} s billed ({', '.join(terms) or 'per second'}) at {first}"
           f"{format_amount(line.per_minute)} {currency} a minute, rounded {line.rounding or 'half up'} "
           f"to the cent")
    if line.note:  # the charge is not what the rate gives: say why
        return f"{how}; {line.note}: charged {_money(line.amount, currency)}"
    return f"{how}: {_money(line.amount, currency)}"


def _line_json(line: StatementLine, currency: str, tz: dt.tzinfo) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": line.kind, "posted_at": _stamp(line.posted_at),
        "date": line.posted_at.astimezone(tz).date().isoformat(), "description": line.description,
        "amount": _money(line.amount, currency), "effect": _money(line.effect, currency),
    }
    if line.kind == "call" and line.call_ref is not None:
        body.update({
            "call_id": line.call_ref, "number": line.number, "facility": line.facility,
            "started_at": _stamp(line.started_at),
            "date": (line.started_at or line.posted_at).astimezone(tz).date().isoformat(),
            "billable_seconds": line.billable_seconds,
            "per_minute": format_amount(line.per_minute) if line.per_minute is not None else None,
            "first_minute": format_amount(line.first_minute) if line.first_minute is not None else None,
            "increment_seconds": line.increment_seconds, "minimum_seconds": line.minimum_seconds,
            "rounding": line.rounding, "charge": _money(line.amount, currency), "how": _how(line, currency),
            "note": line.note,
        })
    return body


def statement_summary_json(statement: Statement) -> dict[str, Any]:
    c = statement.currency
    return {
        "number": statement.number, "account_id": statement.account_id, "plan": statement.plan, "currency": c,
        "period": str(Period.containing(statement.period_start)),
        "period_start": statement.period_start.isoformat(), "period_end": statement.period_end.isoformat(),
        "timezone": statement.timezone, "statement_date": statement.statement_date.isoformat(),
        "due_date": statement.due_on.isoformat() if statement.due_on else None,
        "opening_balance": _money(statement.opening_balance, c), "charges": _money(statement.charges, c),
        "payments": _money(statement.payments, c), "adjustments": _money(statement.adjustments, c),
        "closing_balance": _money(statement.closing_balance, c),
        "amount_due": _money(statement.amount_due, c) if statement.plan == "direct_bill" else None,
        "issued_at": _stamp(statement.issued_at),
        "past_due": None if (notice := statement.dunning_notice) is None else {
            "noticed_at": _stamp(notice.created_at), "unpaid": _money(notice.outstanding, c),
            "action": notice.action},
    }


def statement_json(statement: Statement) -> dict[str, Any]:
    """The whole statement: summary, call detail grouped by number called, payments, adjustments."""
    tz = invoices.zone(statement.timezone)
    c = statement.currency
    groups: dict[str, list[StatementLine]] = {}
    for line in statement.lines:
        if line.kind == "call":
            groups.setdefault(line.number or "", []).append(line)
    calls_by_number = [
        {"number": number or None, "calls": [_line_json(line, c, tz) for line in lines],
         "count": len(lines), "billable_seconds": sum(line.billable_seconds or 0 for line in lines),
         "total": _money(sum(line.amount for line in lines), c)}
        for number, lines in sorted(groups.items())
    ]
    return {
        **statement_summary_json(statement),
        "holder": {"name": statement.holder_name, "address": statement.holder_address},
        "calls_by_number": calls_by_number,
        "payments_detail": [_line_json(line, c, tz) for line in statement.lines if line.kind == "payment"],
        "adjustments_detail": [_line_json(line, c, tz) for line in statement.lines if line.kind == "adjustment"],
    }
