"""The error tree's stable codes, and ``lock_balance`` (the authorize path's locked read)."""

from __future__ import annotations

import pytest

import ledgers
from billing.db import Database
from ledgers import errors
from ledgers.locks import lock_balance
from tests.ledgers.helpers import Chart, deposit, usd

CODES = {
    "InsufficientFunds": "INSUFFICIENT_FUNDS",
    "HoldAlreadyResolved": "HOLD_ALREADY_RESOLVED",
    "HoldExpired": "HOLD_EXPIRED",
    "CurrencyMismatch": "CURRENCY_MISMATCH",
    "IdempotencyConflict": "IDEMPOTENCY_CONFLICT",
    "UnknownAccount": "UNKNOWN_ACCOUNT",
    "UnknownTransfer": "UNKNOWN_TRANSFER",
    "InvalidAmount": "INVALID_AMOUNT",
    "NotReversible": "NOT_REVERSIBLE",
    "AccountConflict": "ACCOUNT_CONFLICT",
    "LedgerBusy": "LEDGER_BUSY",
}


def test_every_error_has_its_stable_code_and_a_docstring() -> None:
    found = {
        name: cls.code for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.LedgerError) and cls is not errors.LedgerError
    }
    assert found == CODES
    for name in CODES:
        cls = getattr(ledgers, name)
        assert cls.__doc__ and issubclass(cls, ledgers.LedgerError)
        assert cls("x").message == "x"


def test_lock_balance_reads_the_customer_row(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "8.00", "d")
    with ledger_db.sessions() as s:
        ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("3.00"), idempotency_key="h",
                     purpose="call_charge")
        locked = lock_balance(s, chart.family)
        assert locked == ledgers.balance(s, chart.family)
        assert (locked.available, locked.debits_pending) == (usd("5.00"), usd("3.00"))
        with pytest.raises(ValueError, match="customer accounts"):
            lock_balance(s, chart.revenue)  # house rows are never locked
        with pytest.raises(ledgers.UnknownAccount):
            lock_balance(s, 987_654)
