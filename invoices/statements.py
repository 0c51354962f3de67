"""Issuing statements: one per account and period, exact, idempotent and resumable.

``issue`` writes one account's statement for one period in the caller's transaction; ``run``
issues a period's statements for many accounts, each in its own transaction, so a crash half-way
and a rerun leave exactly one statement per account. The caller (``billing``) says which accounts
to state and how to describe a call; this package knows only ledger ids and account ids.

Exactness: the account's ledger row is locked first (``FOR NO KEY UPDATE`` on PostgreSQL, the
same lock every money movement of the account takes), so every journal row of the account written
before the lock is committed and seen, none is written while the statement is built, and two
runners never state one account at once. A journal row committed after its period's statement
(its transaction began before the period ended) appears on the next statement: no row is lost
and none is shown twice (a unique constraint on the lines says so).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, exists, func, insert, or_, select, text
from sqlalchemy.orm import Session

from invoices.models import Statement, StatementLine
from invoices.periods import Period, zone
from ledgers.balances import Sums, journal_sums
from ledgers.locks import held_locks, lock_balance
from ledgers.models import Transfer, TransferKind

__all__ = [
    "CallDetail",
    "DetailSource",
    "Outcome",
    "PeriodNotOver",
    "RunReport",
    "StatementAccount",
    "Terms",
    "issue",
    "run",
    "statement_number",
]

log = logging.getLogger(__name__)

#: Key of the PostgreSQL advisory lock a runner holds on an account while it states it.
RUNNER_LOCK_KEY = 727_002

_POSTED = (TransferKind.SINGLE.value, TransferKind.POST_PENDING.value)


def _accounts_table() -> Table:
    """The billing accounts' table, known only as the one the statements' foreign key points at."""
    return next(iter(Statement.__table__.c.account_id.foreign_keys)).column.table
_PAYMENT_PURPOSES = {"deposit": "Deposit", "balance_payment": "Payment"}
_ADJUSTMENTS = {
    "card_refund": "Refund to your card",
    "check_refund": "Refund by check",
    "card_refund_failed": "Card refund failed: amount restored",
    "dispute": "Card payment disputed",
    "dispute_won": "Dispute decided for us: payment restored",
    "correction": "Correction",
}


class PeriodNotOver(ValueError):
    """A statement was asked for a period that has not ended yet."""


@dataclass(frozen=True, slots=True)
class StatementAccount:
    """What a statement needs to know of a billing account."""

    account_id: int
    ledger_account_id: int
    plan: str  # 'prepaid' or 'direct_bill'
    currency: str
    holder_name: str
    holder_address: str = ""


@dataclass(frozen=True, slots=True)
class CallDetail:
    """How a call's charge was made, from the call's own rate snapshot."""

    call_ref: str
    number: str
    facility: str
    started_at: dt.datetime | None
    billable_seconds: int
    per_minute: Decimal
    first_minute: Decimal | None
    increment_seconds: int
    minimum_seconds: int
    rounding: str
    #: Why the charge differs from what the rate gives, if it does.
    note: str = ""


_DETAIL_FIELDS = tuple(f.name for f in fields(CallDetail))
#: A line's call columns when it charged no call (every row of one executemany has the same keys).
_NO_DETAIL: dict[str, Any] = dict.fromkeys(_DETAIL_FIELDS)

#: Given journal-row ids, the call each one charged (rows that charged no call are left out).
DetailSource = Callable[[Session, Sequence[int]], Mapping[int, CallDetail]]


@dataclass(frozen=True, slots=True)
class Terms:
    """The provider's statement terms."""

    timezone: str = "America/Chicago"
    #: Direct bill: days from the statement date to the due date.
    due_days: int = 20


class Outcome(StrEnum):
    ISSUED = "issued"
    EXISTS = "exists"  # issued before (a rerun)
    NOTHING = "nothing"  # no activity and a zero balance: no statement
    LATER_EXISTS = "later_exists"  # a later period is stated already: this one can't be


def statement_number(period: Period, account_id: int) -> str:
    return f"S-{period.year:04d}{period.month:02d}-{account_id:06d}"


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    amount: int
    debit_account_id: int
    purpose: str
    reverses_id: int | None
    created_at: dt.datetime


def _effect(row: _Row, ledger_account_id: int, credit_normal: bool) -> int:
    """What the row did to the account's balance on its normal side."""
    debited = row.debit_account_id == ledger_account_id
    return -row.amount if debited == credit_normal else row.amount


def _kind_and_description(row: _Row, ledger_account_id: int, detail: CallDetail | None) -> tuple[str, str]:
    """A charge takes from the account, a payment gives to it; anything else is an adjustment."""
    debited = row.debit_account_id == ledger_account_id
    if row.reverses_id is None and row.purpose == "call_charge" and debited:
        return "call", f"Call to {detail.number}" if detail else "Call"
    if row.reverses_id is None and row.purpose in _PAYMENT_PURPOSES and not debited:
        return "payment", _PAYMENT_PURPOSES[row.purpose]
    if row.purpose == "call_charge":
        return "adjustment", "Call charge reversed"
    return "adjustment", _ADJUSTMENTS.get(row.purpose, row.purpose.replace("_", " ").capitalize())


def _posted_rows(session: Session, account: StatementAccount, since: dt.datetime, until: dt.datetime) -> list[_Row]:
    """The account's posted journal rows in [since, until) that no statement of it shows yet."""
    t = Transfer.__table__
    lines = StatementLine.__table__
    query = (
        select(t.c.id, t.c.amount, t.c.debit_account_id, t.c.purpose, t.c.reverses_id, t.c.created_at)
        .where(
            or_(t.c.debit_account_id == account.ledger_account_id, t.c.credit_account_id == account.ledger_account_id),
            t.c.kind.in_(_POSTED),
            t.c.amount > 0,  # a zero post (a hold released in full) changes no balance
            t.c.created_at >= since,
            t.c.created_at < until,
            ~exists().where(and_(lines.c.account_id == account.account_id, lines.c.transfer_id == t.c.id)),
        )
        .order_by(t.c.created_at, t.c.id)
    )
    return [_Row(*row) for row in session.execute(query)]


def _balance_before(session: Session, ledger_account_id: int, at: dt.datetime, credit_normal: bool) -> int:
    """The account's posted balance (on its normal side) as it stood at ``at``, from the journal."""
    sums = journal_sums(session, [ledger_account_id], before=at).get(ledger_account_id, Sums())
    net = sums.credits_posted - sums.debits_posted
    return net if credit_normal else -net


def _check_over(period: Period, terms: Terms, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period's bounds; ``PeriodNotOver`` unless it has ended."""
    starts_at, ends_at = period.bounds(zone(terms.timezone))
    if ends_at > now:
        raise PeriodNotOver(f"{period} has not ended yet in {terms.timezone}")
    return starts_at, ends_at


def issue(session: Session, account: StatementAccount, period: Period, *, terms: Terms,
          details: DetailSource, now: dt.datetime | None = None) -> tuple[Outcome, Statement | None]:
    """State ``account`` for ``period`` in the caller's transaction (which must commit it)."""
    now = now or dt.datetime.now(dt.UTC)
    starts_at, ends_at = _check_over(period, terms, now)
    # Lock order: the billing account's row, then its ledger row — as closing an account or taking
    # a deposit does (they lock the account FOR UPDATE first). Inserting the statement takes a
    # key-share lock on the account row anyway (its foreign key); taken only after the ledger row,
    # it would deadlock with them.
    accounts = _accounts_table().c
    session.execute(select(accounts.id).where(accounts.id == account.account_id)
                    .with_for_update(read=True, key_share=True))
    lock_balance(session, account.ledger_account_id)
    credit_normal = held_locks(session)[account.ledger_account_id].type.credit_normal
    s = Statement.__table__.c
    earlier = []  # the account's statements, oldest first: a dozen a year
    for found in session.execute(select(s.id, s.period_start, s.starts_at, s.closing_balance)
                                 .where(s.account_id == account.account_id).order_by(s.period_start)):
        if found.period_start == period.first_day:
            return Outcome.EXISTS, session.get(Statement, found.id)
        if found.period_start > period.first_day:
            return Outcome.LATER_EXISTS, None
        earlier.append(found)
    if earlier:  # each statement opens with the last one's closing balance
        opening = int(earlier[-1].closing_balance)
        since = earlier[0].starts_at
    else:  # the account's first statement: what came before is brought forward
        opening = _balance_before(session, account.ledger_account_id, starts_at, credit_normal)
        since = starts_at
    rows = _posted_rows(session, account, since, ends_at)
    if not rows and opening == 0:
        return Outcome.NOTHING, None
    calls = details(session, [r.id for r in rows if r.purpose == "call_charge" and r.reverses_id is None])
    lines: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        detail = calls.get(row.id)
        kind, description = _kind_and_description(row, account.ledger_account_id, detail)
        line = {**_NO_DETAIL, "account_id": account.account_id, "transfer_id": row.id, "position": position,
                "kind": kind, "posted_at": row.created_at, "description": description, "amount": row.amount,
                "effect": _effect(row, account.ledger_account_id, credit_normal)}
        if detail is not None:  # the line's call columns are named as the detail's fields
            line.update({name: getattr(detail, name) for name in _DETAIL_FIELDS}, note=detail.note or None)
        lines.append(line)
    closing = opening + sum(line["effect"] for line in lines)
    direct_bill = account.plan == "direct_bill"
    # Dated the 1st of the next month, or the day it is issued if later (a run that was caught up):
    # the family always gets the full term to pay.
    statement_date = max(period.next().first_day, now.astimezone(zone(terms.timezone)).date())
    statement = Statement(
        number=statement_number(period, account.account_id), account_id=account.account_id,
        ledger_account_id=account.ledger_account_id, plan=account.plan, currency=account.currency,
        holder_name=account.holder_name, holder_address=account.holder_address,
        period_start=period.first_day, period_end=period.last_day, timezone=terms.timezone,
        starts_at=starts_at, ends_at=ends_at, opening_balance=opening,
        charges=sum(line["amount"] for line in lines if line["kind"] == "call"),
        payments=sum(line["amount"] for line in lines if line["kind"] == "payment"),
        adjustments=sum(line["effect"] for line in lines if line["kind"] == "adjustment"),
        closing_balance=closing,
        amount_due=max(closing, 0) if direct_bill else 0,
        statement_date=statement_date,
        due_on=statement_date + dt.timedelta(days=terms.due_days) if direct_bill else None,
    )
    session.add(statement)
    session.flush()
    if lines:  # one executemany (psycopg pipelines it), not an ORM object per line
        session.execute(insert(StatementLine), [{**line, "statement_id": statement.id} for line in lines])
    return Outcome.ISSUED, statement


@dataclass
class RunReport:
    period: Period
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    issued: list[str] = field(default_factory=list)
    #: Accounts another runner was stating at the same moment (PostgreSQL only).
    busy: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{outcome.value} {count}" for outcome, count in self.counts.items()]
        return (f"statements for {self.period}: {', '.join(parts)}, busy elsewhere {len(self.busy)}, "
                f"errors {len(self.errors)}")


def _claim(session: Session, account_id: int) -> bool:
    """On PostgreSQL, let one runner at a time state an account; others move on (SKIP LOCKED-like)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k, :a)"),
                               {"k": RUNNER_LOCK_KEY, "a": account_id % 2_147_483_647}))


#: How far back an account's first statements go: activity older than this is brought forward.
CATCH_UP_MONTHS = 12


def _months_due(session: Session, account: StatementAccount, period: Period, tz: ZoneInfo) -> list[Period]:
    """``period``, preceded by every month since the account's last statement that has none.

    A run that was missed (the scheduler down for a week) is caught up in order, so no month is
    skipped for good. An account never stated starts with the month of its first posted journal
    row, at most ``CATCH_UP_MONTHS`` back (older activity is brought forward).
    """
    last = session.scalar(select(func.max(Statement.__table__.c.period_start))
                          .where(Statement.__table__.c.account_id == account.account_id))
    if last is not None and last >= period.first_day:
        return [period]
    if last is not None:
        month = Period.containing(last).next()
    else:
        t = Transfer.__table__.c
        first_row = session.scalar(select(func.min(t.created_at)).where(
            or_(t.debit_account_id == account.ledger_account_id, t.credit_account_id == account.ledger_account_id),
            t.kind.in_(_POSTED)))
        earliest = period
        for _ in range(CATCH_UP_MONTHS - 1):
            earliest = earliest.previous()
        month = earliest if first_row is None else max(earliest, Period.containing(first_row.astimezone(tz).date()))
        month = min(month, period)
    months = []
    while month <= period:
        months.append(month)
        month = month.next()
    return months


def run(unit_of_work: Callable[[], AbstractContextManager[Session]], accounts: Iterable[StatementAccount],
        period: Period, *, terms: Terms, details: DetailSource, now: dt.datetime | None = None) -> RunReport:
    """Bring every account's statements up to ``period``, each statement in its own transaction.

    Idempotent and resumable: a month stated already is left alone, so rerunning after a crash (or
    running several runners at once on PostgreSQL) leaves exactly one statement per account and
    month; months a missed run left out are stated first, in order. One account's failure is
    reported and the run goes on.
    """
    now = now or dt.datetime.now(dt.UTC)
    _check_over(period, terms, now)  # before any account, not once per account
    tz = zone(terms.timezone)
    report = RunReport(period)
    for account in accounts:
        try:
            with unit_of_work() as session:
                months = _months_due(session, account, period, tz)
            for month in months:
                with unit_of_work() as session:
                    if not _claim(session, account.account_id):
                        report.busy.append(account.account_id)
                        break
                    outcome, statement = issue(session, account, month, terms=terms, details=details, now=now)
                    number = statement.number if statement is not None else None
                report.counts[outcome] += 1
                if outcome is Outcome.ISSUED and number is not None:
                    report.issued.append(number)
        except Exception as exc:  # one account must not stop the run
            log.exception("statement of account %s for %s failed", account.account_id, period)
            report.errors.append(f"account {account.account_id}: {exc.__class__.__name__}: {exc}")
    return report
