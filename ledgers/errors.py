"""The ledger's exception tree. Each class has a stable ``code``; ``message`` is for people."""

from __future__ import annotations

from typing import ClassVar


class LedgerError(Exception):
    """Base of every error the ledger raises."""

    code: ClassVar[str] = "LEDGER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InsufficientFunds(LedgerError):
    """A guarded account (debits must not exceed credits) would go below zero."""

    code = "INSUFFICIENT_FUNDS"


class HoldAlreadyResolved(LedgerError):
    """The pending transfer was already posted, voided or expired."""

    code = "HOLD_ALREADY_RESOLVED"


class HoldExpired(LedgerError):
    """The pending transfer's timeout has passed; it can only be expired now."""

    code = "HOLD_EXPIRED"


class CurrencyMismatch(LedgerError):
    """The amount's currency differs from an account's currency."""

    code = "CURRENCY_MISMATCH"


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for a transfer with different content."""

    code = "IDEMPOTENCY_CONFLICT"


class UnknownAccount(LedgerError):
    """No ledger account has that code or id."""

    code = "UNKNOWN_ACCOUNT"


class UnknownTransfer(LedgerError):
    """No transfer has that id (or it is not a pending transfer)."""

    code = "UNKNOWN_TRANSFER"


class InvalidAmount(LedgerError):
    """The amount is not positive, exceeds the hold, or is not in whole minor units."""

    code = "INVALID_AMOUNT"


class NotReversible(LedgerError):
    """Only posted movements (single transfers and posts) can be reversed; a hold is voided."""

    code = "NOT_REVERSIBLE"


class AccountConflict(LedgerError):
    """An account with that code already exists with a different type, kind or currency."""

    code = "ACCOUNT_CONFLICT"


class LedgerBusy(LedgerError):
    """The database reported a deadlock or serialization failure; retry the whole unit of work.

    One ledger write can't deadlock (it locks its accounts in one statement, in id order), so this
    is raised only when a lock cycle involves locks the caller's transaction took before calling
    the ledger — which no retry inside that transaction could break. The transaction is aborted.
    """

    code = "LEDGER_BUSY"
