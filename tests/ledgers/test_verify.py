"""``verify`` and the ``flask ledger`` commands: a clean ledger passes, tampering is caught."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text

import ledgers
from billing import ledger_cli
from billing.db import Database
from ledgers.verify import CHECKS
from tests.ledgers.helpers import Chart, deposit, usd


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    if "ledger" not in app.cli.commands:  # until create_app wires it
        ledger_cli.register(app)
    return app.test_cli_runner()


@pytest.fixture
def busy(ledger_db: Database, chart: Chart) -> dict[str, int]:
    """A little of everything: deposits, a charge, a reversal, holds posted, voided and open."""
    deposit(ledger_db, chart, "20.00", "d1")
    with ledger_db.unit_of_work() as s:
        charge = ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("2.00"),
                                  idempotency_key="c1", purpose="call_charge")
        ledgers.reverse(s, charge, amount=usd("0.50"), idempotency_key="r1")
        h1, h2, h3 = (
            ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("3.00"),
                         idempotency_key=f"h{i}", purpose="call_charge", timeout=dt.timedelta(hours=1))
            for i in range(3)
        )
        ledgers.post(s, h1, amount=usd("1.25"), idempotency_key="p1")
        ledgers.void(s, h2, idempotency_key="v2")
        ledgers.transfer(s, debit=chart.direct, credit=chart.revenue, amount=usd("9.99"),
                         idempotency_key="a1", purpose="invoice_accrual")
    return {"charge": charge.id, "open_hold": h3.id}


def test_a_clean_ledger_verifies(ledger_db: Database, busy: dict[str, int], runner: FlaskCliRunner) -> None:
    with ledger_db.sessions() as s:
        report = ledgers.verify(s)
    assert report.ok, report.problems
    assert set(report.checks) == set(CHECKS)
    assert report.counts == {"accounts": 7, "transfers": 9, "holds": 3, "open_holds": 1, "reversals": 1}
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "cached_balances_match_journal" in result.output and "ledger OK" in result.output


def raw(db: Database, sql: str, **params: Any) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def problems(db: Database) -> set[tuple[str, str]]:
    with db.sessions() as s:
        return {(p.check, p.subject) for p in ledgers.verify(s).problems}


def test_verify_catches_a_cached_balance_changed_behind_its_back(
    ledger_db: Database, chart: Chart, busy: dict[str, int], runner: FlaskCliRunner
) -> None:
    raw(ledger_db, "UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = :id", id=chart.family)
    assert problems(ledger_db) == {("cached_balances_match_journal", "account family:1")}
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert "ledger BROKEN" in result.output and "family:1" in result.output


def test_verify_catches_a_guard_broken_in_the_journal(ledger_db: Database, chart: Chart) -> None:
    """A raw overdraft that also fixes up the cache: the guard check still sees it in the journal."""
    deposit(ledger_db, chart, "1.00", "d")
    raw(ledger_db, "INSERT INTO ledger_transfers (debit_account_id, credit_account_id, amount, currency, kind,"
        " purpose, reference, created_at, idempotency_key) VALUES (:f, :r, 500, 'USD', 'single', 'x', '',"
        " CURRENT_TIMESTAMP, 'raw')", f=chart.family, r=chart.revenue)
    assert problems(ledger_db) == {
        ("cached_balances_match_journal", "account family:1"), ("guards_hold", "account family:1")}


def test_verify_catches_cross_row_breakage(ledger_db: Database, chart: Chart, busy: dict[str, int]) -> None:
    insert = ("INSERT INTO ledger_transfers (debit_account_id, credit_account_id, amount, currency, kind, purpose,"
              " reference, pending_id, reverses_id, created_at, idempotency_key) VALUES (:d, :c, :amount, 'USD',"
              " :kind, 'x', '', :pending, :reverses, CURRENT_TIMESTAMP, :key)")
    # posts more than its hold, on the wrong accounts
    raw(ledger_db, insert, d=chart.direct, c=chart.revenue, amount=301, kind="post_pending",
        pending=busy["open_hold"], reverses=None, key="bad-post")
    # reverses 1.51 more of a 2.00 charge already reversed by 0.50
    raw(ledger_db, insert, d=chart.revenue, c=chart.family, amount=151, kind="single", pending=None,
        reverses=busy["charge"], key="bad-reversal")
    found = problems(ledger_db)
    assert any(check == "resolutions_match_holds" for check, _ in found)
    assert ("reversals_within_original", f"transfer {busy['charge']}") in found
    assert ("cached_balances_match_journal", "account family:1") in found
    assert ("cached_balances_match_journal", "account direct:1") in found


def test_cli_balance_and_expire_holds(ledger_db: Database, chart: Chart, busy: dict[str, int],
                                      runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["ledger", "balance", "family:1"])
    assert result.exit_code == 0, result.output
    assert "family:1 (liability, USD)" in result.output
    assert "available" in result.output and "14.25" in result.output  # 20 − 2 + 0.50 − 1.25 − 3 held
    assert runner.invoke(args=["ledger", "balance", "house:call_revenue:USD"]).exit_code == 0
    missing = runner.invoke(args=["ledger", "balance", "nobody"])
    assert missing.exit_code != 0 and "nobody" in missing.output
    assert "expired 0 hold(s)" in runner.invoke(args=["ledger", "expire-holds"]).output
    with ledger_db.unit_of_work() as s:  # a hold that lapsed a minute ago
        ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"), idempotency_key="old",
                     purpose="call_charge", timeout=dt.timedelta(seconds=1),
                     now=ledgers.base.utcnow() - dt.timedelta(minutes=1))
    assert "expired 1 hold(s)" in runner.invoke(args=["ledger", "expire-holds"]).output
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).available == usd("14.25")
