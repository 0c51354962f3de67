"""The database itself refuses bad rows: raw SQL that bypasses the ledger's code fails.

Each statement runs in its own transaction on a plain connection, as a careless script or a
future bug would, and must raise an integrity error (CHECK, UNIQUE or an append-only trigger).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import ledgers
from billing.db import Database
from tests.ledgers.helpers import Chart, deposit, usd

INSERT = (
    "INSERT INTO ledger_transfers (debit_account_id, credit_account_id, amount, currency, kind, purpose,"
    " reference, pending_id, created_at, idempotency_key)"
    " VALUES (:debit, :credit, :amount, 'USD', :kind, 'test', '', :pending_id, CURRENT_TIMESTAMP, :key)"
)


def refused(db: Database, sql: str, **params: Any) -> str:
    with pytest.raises(IntegrityError) as exc, db.engine.begin() as conn:
        conn.execute(text(sql), params)
    return str(exc.value.orig)


@pytest.fixture
def journal(ledger_db: Database, chart: Chart) -> dict[str, int]:
    funding = deposit(ledger_db, chart, "5.00", "d")
    with ledger_db.unit_of_work() as s:
        pending = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("2.00"),
                               idempotency_key="h", purpose="call_charge")
        ledgers.post(s, pending, amount=usd("1.00"), idempotency_key="p")
    return {"funding": funding.id, "hold": pending.id}


def test_journal_rows_cannot_be_updated_or_deleted(ledger_db: Database, journal: dict[str, int]) -> None:
    assert "append-only" in refused(ledger_db, "UPDATE ledger_transfers SET amount = 1 WHERE id = :id",
                                    id=journal["funding"])
    assert "append-only" in refused(ledger_db, "UPDATE ledger_transfers SET reference = 'x'")
    assert "append-only" in refused(ledger_db, "DELETE FROM ledger_transfers WHERE id = :id", id=journal["funding"])
    if ledger_db.engine.dialect.name == "postgresql":
        assert "append-only" in refused(ledger_db, "TRUNCATE ledger_transfers CASCADE")
        assert "append-only" in refused(ledger_db, "TRUNCATE ledger_accounts CASCADE")
    with ledger_db.sessions() as s:
        assert ledgers.verify(s).counts["transfers"] == 3


def test_bad_rows_cannot_be_inserted(ledger_db: Database, chart: Chart, journal: dict[str, int]) -> None:
    row = {"debit": chart.clearing, "credit": chart.family, "amount": 100, "kind": "single",
           "pending_id": None, "key": "raw"}
    assert "amount" in refused(ledger_db, INSERT, **{**row, "amount": -100})
    assert "amount_positive" in refused(ledger_db, INSERT, **{**row, "amount": 0})
    assert "accounts_differ" in refused(ledger_db, INSERT, **{**row, "credit": chart.clearing})
    assert "ck_ledger_transfers_" in refused(ledger_db, INSERT, **{**row, "kind": "gift"})  # kind_known
    assert "pending_id" in refused(ledger_db, INSERT, **{**row, "kind": "void_pending"})
    # a second resolution of the hold, bypassing the code: the UNIQUE pending_id refuses it
    second = {**row, "debit": chart.family, "credit": chart.revenue, "kind": "void_pending",
              "amount": 200, "pending_id": journal["hold"]}
    assert "pending_id" in refused(ledger_db, INSERT, **second)
    assert "idempotency_key" in refused(ledger_db, INSERT, **{**row, "key": "d"})


def test_cached_balances_guard_and_account_identity(ledger_db: Database, chart: Chart,
                                                    journal: dict[str, int]) -> None:
    # the family has 5.00 credited and 1.00 debited: 4.01 more debits would make it negative
    assert "debit_guard" in refused(
        ledger_db, "UPDATE ledger_accounts SET debits_posted = debits_posted + 401 WHERE id = :id", id=chart.family)
    assert "not_negative" in refused(
        ledger_db, "UPDATE ledger_accounts SET debits_pending = -1 WHERE id = :id", id=chart.direct)
    assert "house_keeps_no_balance" in refused(
        ledger_db, "UPDATE ledger_accounts SET credits_posted = 1 WHERE id = :id", id=chart.revenue)
    assert "guard_needs_balance" in refused(
        ledger_db, "INSERT INTO ledger_accounts (code, type, currency, debits_must_not_exceed_credits,"
        " credits_must_not_exceed_debits, keeps_balance, created_at)"
        " VALUES ('x', 'liability', 'USD', TRUE, FALSE, FALSE, CURRENT_TIMESTAMP)")
    for change in ("currency = 'EUR'", "code = 'family:2'", "debits_must_not_exceed_credits = FALSE",
                   "keeps_balance = FALSE", "type = 'asset'"):
        sql = f"UPDATE ledger_accounts SET {change} WHERE id = :id"  # noqa: S608 - literals above
        assert "cached balances" in refused(ledger_db, sql, id=chart.family)
    with ledger_db.sessions() as s:
        assert ledgers.verify(s).ok
