"""The ledger: a double-entry, append-only journal with two-phase holds.

Every function takes a SQLAlchemy ``Session`` and never commits: the caller's unit of work does.
The design is described in ``ledgers.models``. This package knows money and the database only —
never calls, facilities, HTTP or Flask.
"""

from ledgers.accounts import (
    HOUSE_ACCOUNTS,
    create_account,
    ensure_house_accounts,
    get_account,
    house_account,
    open_customer_account,
)
from ledgers.balances import Balance, balance
from ledgers.errors import (
    AccountConflict,
    CurrencyMismatch,
    HoldAlreadyResolved,
    HoldExpired,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    LedgerBusy,
    LedgerError,
    NotReversible,
    UnknownAccount,
    UnknownTransfer,
)
from ledgers.holds import expire_holds, hold, is_resolved, pending_amount, post, void
from ledgers.models import AccountType, LedgerAccount, Transfer, TransferKind
from ledgers.transfers import get_transfer, reverse, transfer
from ledgers.verify import Problem, VerifyReport, verify

__all__ = [
    "HOUSE_ACCOUNTS",
    "AccountConflict",
    "AccountType",
    "Balance",
    "CurrencyMismatch",
    "HoldAlreadyResolved",
    "HoldExpired",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidAmount",
    "LedgerAccount",
    "LedgerBusy",
    "LedgerError",
    "NotReversible",
    "Problem",
    "Transfer",
    "TransferKind",
    "UnknownAccount",
    "UnknownTransfer",
    "VerifyReport",
    "balance",
    "create_account",
    "ensure_house_accounts",
    "expire_holds",
    "get_account",
    "get_transfer",
    "hold",
    "house_account",
    "is_resolved",
    "open_customer_account",
    "pending_amount",
    "post",
    "reverse",
    "transfer",
    "verify",
    "void",
]
