"""The ledger's two tables: accounts and an append-only journal of transfers.

Design overview
===============

Double entry, one row per movement
    A ``Transfer`` moves ``amount`` (integer minor units, e.g. cents) *from* ``debit_account``
    *to* ``credit_account`` in one currency. Every row is its own balanced entry: the amount is
    debited once and credited once, so the journal's total debits always equal its total credits
    (``verify`` still checks it). There are no multi-leg entries; a split is several transfers.

Normal sides
    Assets and expenses are debit-normal (their balance is debits − credits); liabilities,
    revenue and equity are credit-normal. A family's prepaid balance is a *liability* of the
    provider (we owe them the money or the calls); a direct-bill customer's unpaid charges are a
    *receivable* (asset). House accounts: ``payment_clearing`` (asset: money Stripe holds for us),
    ``call_revenue``, ``refunds_payable`` (liability), ``dispute_losses`` (expense).

Append-only
    No code path updates or deletes a transfer, and the database refuses to (triggers created by
    migration 0002 on PostgreSQL and SQLite). A mistake is corrected by a *reversing* transfer
    (``reverses_id`` points at the original; the reversals of one transfer never add up to more
    than it).

Two-phase transfers (holds)
    ``pending`` places a hold: the amount counts against the debit account's *available*
    balance but is not posted. Exactly one resolution row later points at it through
    ``pending_id`` (UNIQUE, so the database itself refuses a second one):
    ``post_pending`` (posts ``amount`` ≤ the hold and releases the rest), ``void_pending``
    (releases all) or ``expire_pending`` (written by ``expire_holds`` once ``timeout_at`` has
    passed). A void or expiry row carries the hold's amount (what it released); a post row
    carries what it posted (possibly 0).

Balances
    Posted = Σ single and post_pending rows; pending = Σ holds without a resolution row.
    *Customer* accounts (``keeps_balance``) also cache the four sums in their own row, updated in
    the same transaction as the journal row, so authorizing a call reads one row; that row is
    locked (``SELECT … FOR NO KEY UPDATE``, in id order) while a transfer touching it is written,
    which is what makes the guards safe under concurrency. *House* accounts never keep a balance
    (a CHECK keeps their cached columns at zero): every call credits ``call_revenue``, and a row
    updated by every call would serialise them all. Their balances are aggregates of the journal.

Guards
    ``debits_must_not_exceed_credits`` (a prepaid balance never goes below zero):
    debits_posted + debits_pending ≤ credits_posted. ``credits_must_not_exceed_debits`` is the
    mirror image. Pending debits count, pending credits don't, so a hold that fit can always be
    posted. Both are checked in code on the locked row and by a CHECK on the cached columns.

Idempotency
    Every transfer carries a caller-chosen ``idempotency_key`` (UNIQUE). Repeating a request
    returns the original transfer and changes nothing; reusing the key for a different request
    raises ``IdempotencyConflict``. Inserts use ``ON CONFLICT DO NOTHING``, so a race between
    two sessions with one key ends with one row and a re-read, never a duplicate.

Invariants are checked twice: in code (``ledgers.journal``) and in the database (CHECKs,
UNIQUEs, foreign keys, triggers); ``ledgers.verify`` re-derives all of them from the journal.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow

__all__ = [
    "BALANCE_COLUMNS",
    "RESOLUTION_KINDS",
    "AccountType",
    "LedgerAccount",
    "Transfer",
    "TransferKind",
]


class AccountType(StrEnum):
    """What an account is in the provider's books; decides its normal side."""

    ASSET = "asset"
    LIABILITY = "liability"
    REVENUE = "revenue"
    EXPENSE = "expense"
    EQUITY = "equity"

    @property
    def credit_normal(self) -> bool:
        """True for liabilities, revenue and equity (their balance is credits − debits)."""
        return self in {AccountType.LIABILITY, AccountType.REVENUE, AccountType.EQUITY}


class TransferKind(StrEnum):
    """The five kinds of journal row."""

    SINGLE = "single"  # posted at once
    PENDING = "pending"  # a hold
    POST_PENDING = "post_pending"  # settles all or part of a hold, releases the rest
    VOID_PENDING = "void_pending"  # releases a hold
    EXPIRE_PENDING = "expire_pending"  # releases a hold past its timeout (written by expire_holds)


RESOLUTION_KINDS = frozenset(
    {TransferKind.POST_PENDING, TransferKind.VOID_PENDING, TransferKind.EXPIRE_PENDING}
)

#: The cached running balances of a customer account, in minor units.
BALANCE_COLUMNS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")

_TYPES_SQL = ", ".join(f"'{t.value}'" for t in AccountType)
_KINDS_SQL = ", ".join(f"'{k.value}'" for k in TransferKind)


class LedgerAccount(Base):
    """An account of the journal. Only its four cached balances ever change."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint(f"type IN ({_TYPES_SQL})", name="type_known"),
        CheckConstraint(
            "debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0",
            name="balances_not_negative",
        ),
        CheckConstraint(
            "NOT debits_must_not_exceed_credits OR debits_posted + debits_pending <= credits_posted",
            name="debit_guard",
        ),
        CheckConstraint(
            "NOT credits_must_not_exceed_debits OR credits_posted + credits_pending <= debits_posted",
            name="credit_guard",
        ),
        # A guard is checked against the cached row, so only an account that keeps one can have it.
        CheckConstraint(
            "keeps_balance OR NOT (debits_must_not_exceed_credits OR credits_must_not_exceed_debits)",
            name="guard_needs_balance",
        ),
        # House accounts are never written to after creation (no hot row).
        CheckConstraint(
            "keeps_balance OR (debits_posted = 0 AND credits_posted = 0 "
            "AND debits_pending = 0 AND credits_pending = 0)",
            name="house_keeps_no_balance",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    debits_must_not_exceed_credits: Mapped[bool] = mapped_column(Boolean, default=False)
    credits_must_not_exceed_debits: Mapped[bool] = mapped_column(Boolean, default=False)
    #: True for customer accounts (cached balances, row-locked); False for house accounts.
    keeps_balance: Mapped[bool] = mapped_column(Boolean)
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    debits_pending: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    credits_pending: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def account_type(self) -> AccountType:
        return AccountType(self.type)

    def __repr__(self) -> str:
        return f"<LedgerAccount {self.id} {self.code}>"


class Transfer(Base):
    """One immutable journal row: ``amount`` moves from the debit to the credit account."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        CheckConstraint("debit_account_id <> credit_account_id", name="accounts_differ"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("kind NOT IN ('single', 'pending') OR amount > 0", name="amount_positive"),
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        CheckConstraint(
            "(kind IN ('single', 'pending') AND pending_id IS NULL) "
            "OR (kind NOT IN ('single', 'pending') AND pending_id IS NOT NULL)",
            name="pending_id_for_resolutions",
        ),
        CheckConstraint("timeout_at IS NULL OR kind = 'pending'", name="timeout_only_on_holds"),
        CheckConstraint("reverses_id IS NULL OR kind = 'single'", name="reversal_is_single"),
        Index(
            "ix_ledger_transfers_open_timeouts",
            "timeout_at",
            postgresql_where=text("kind = 'pending' AND timeout_at IS NOT NULL"),
            sqlite_where=text("kind = 'pending' AND timeout_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    debit_account_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("ledger_accounts.id"), index=True)
    credit_account_id: Mapped[int] = mapped_column(BigIntKey, ForeignKey("ledger_accounts.id"), index=True)
    #: Minor units. A post row: the amount posted; a void or expiry row: the hold's amount.
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(16))
    #: The business meaning: deposit, call_charge, invoice_accrual, payment, refund, correction…
    purpose: Mapped[str] = mapped_column(String(40))
    #: Free text pointing at the business object, e.g. ``call:abc``.
    reference: Mapped[str] = mapped_column(String(200), default="")
    #: The hold this row resolves (post, void, expiry); unique: a hold is resolved at most once.
    pending_id: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("ledger_transfers.id"), unique=True, nullable=True
    )
    #: The transfer this one (partly) reverses.
    reverses_id: Mapped[int | None] = mapped_column(
        BigIntKey, ForeignKey("ledger_transfers.id"), index=True, nullable=True
    )
    #: When a hold lapses: from then on only ``expire_holds`` may resolve it.
    timeout_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)

    @property
    def transfer_kind(self) -> TransferKind:
        return TransferKind(self.kind)

    def __repr__(self) -> str:
        return (
            f"<Transfer {self.id} {self.kind} {self.amount} {self.currency} "
            f"{self.debit_account_id}→{self.credit_account_id}>"
        )
