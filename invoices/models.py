"""Statements: one per account and period, with the journal rows it shows as its lines.

A statement is a document: once issued it never changes. Its lines are the posted journal rows of
the account's ledger account that no earlier statement showed, up to the end of the period; its
closing balance is the previous statement's closing balance (or, for an account's first
statement, the journal's balance when the period began) plus the lines. So consecutive statements
chain exactly, and a journal row is shown on exactly one statement of its account, even one
written late (it lands on the next statement).

Amounts are integer minor units. Balances are on the account's normal side: what the holder owes
(direct bill, a receivable) or what the provider holds for them (prepaid, a liability).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow

__all__ = ["LINE_KINDS", "DunningNotice", "Statement", "StatementLine"]

#: What a line is: a call's charge, a payment (or deposit), or anything else (refunds, disputes,
#: corrections).
LINE_KINDS = ("call", "payment", "adjustment")


_CHARGES_MINUS_PAYMENTS = "CASE WHEN plan = 'direct_bill' THEN charges - payments ELSE payments - charges END"


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("account_id", "period_start"),
        CheckConstraint("plan IN ('prepaid', 'direct_bill')", name="plan_known"),
        CheckConstraint("amount_due >= 0", name="amount_due_not_negative"),
        # The summary a family reads adds up: charges raise what is owed and lower what is held.
        CheckConstraint(f"closing_balance = opening_balance + adjustments + {_CHARGES_MINUS_PAYMENTS}",
                        name="summary_adds_up"),
        CheckConstraint("(plan = 'direct_bill') = (due_on IS NOT NULL)", name="due_date_direct_bill_only"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    #: The statement's number, printed on it and used to look it up: ``S-202611-000042``.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    #: Looked up through the unique (account_id, period_start) index.
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    ledger_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    plan: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    #: The holder as they were when the statement was issued.
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_address: Mapped[str] = mapped_column(Text, default="")
    #: The first and last day of the period, in ``timezone``.
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    #: The instants bounding the period: journal rows from ``starts_at`` (inclusive) to ``ends_at``.
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    #: Call charges, payments and adjustments of the period, each as the amount shown.
    charges: Mapped[int] = mapped_column(BigInteger)
    payments: Mapped[int] = mapped_column(BigInteger)
    #: Signed: what the other lines did to the balance.
    adjustments: Mapped[int] = mapped_column(BigInteger)
    closing_balance: Mapped[int] = mapped_column(BigInteger)
    #: Direct bill: the closing balance if positive; prepaid: always 0.
    amount_due: Mapped[int] = mapped_column(BigInteger)
    statement_date: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[StatementLine]] = relationship(
        back_populates="statement", order_by="StatementLine.position", lazy="selectin"
    )
    #: Set once the due date passed with part of the amount due unpaid (direct bill).
    dunning_notice: Mapped[DunningNotice | None] = relationship(lazy="selectin", viewonly=True)


class StatementLine(Base):
    __tablename__ = "statement_lines"
    __table_args__ = (
        # A journal row is shown on one statement of its account, never two.
        UniqueConstraint("account_id", "transfer_id"),
        UniqueConstraint("statement_id", "position"),
        CheckConstraint("kind IN ('call', 'payment', 'adjustment')", name="kind_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("effect = amount OR effect = -amount", name="effect_is_the_amount"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    transfer_id: Mapped[int] = mapped_column(ForeignKey("ledger_transfers.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    posted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    #: What the row moved, and what it did to the balance (+ raises it, − lowers it).
    amount: Mapped[int] = mapped_column(BigInteger)
    effect: Mapped[int] = mapped_column(BigInteger)
    # Call lines: how the charge was made (the call's own rate snapshot).
    call_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    facility: Mapped[str | None] = mapped_column(String(60), nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    billable_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    per_minute: Mapped[Decimal | None] = mapped_column(Numeric(12, 6), nullable=True)
    first_minute: Mapped[Decimal | None] = mapped_column(Numeric(12, 6), nullable=True)
    increment_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minimum_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rounding: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: Why the charge differs from what the rate gives, if it does (e.g. part of it was forgiven).
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    statement: Mapped[Statement] = relationship(back_populates="lines")


class DunningNotice(Base):
    """A direct-bill statement found unpaid after its due date, and what was done about it (once).

    The statement stays as issued; this row records that its due date was missed, when, what was
    still owed of it, and the action taken (``suspended``, or ``none`` when the account was already
    suspended or closed).
    """

    __tablename__ = "dunning_notices"
    __table_args__ = (
        CheckConstraint("outstanding > 0", name="outstanding_positive"),
        CheckConstraint("action IN ('suspended', 'none')", name="action_known"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: What was still owed of the statement's amount due (minor units) when the due date had passed.
    outstanding: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
