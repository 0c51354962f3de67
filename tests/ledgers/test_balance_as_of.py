"""A balance as it stood at an instant, from the journal (what a statement's opening balance is)."""

from __future__ import annotations

import datetime as dt

import pytest

import ledgers
from billing.db import Database
from ledgers.balances import Sums, journal_sums
from tests.ledgers.helpers import Chart, deposit, usd


def test_the_journal_gives_each_accounts_totals_as_they_stood_at_an_instant(
        ledger_db: Database, chart: Chart, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}
    monkeypatch.setattr("ledgers.journal.utcnow", lambda: clock["now"])

    def at(day: int) -> dt.datetime:
        return dt.datetime(2030, 1, day, tzinfo=dt.UTC)

    clock["now"] = at(2)
    deposit(ledger_db, chart, "10.00", "d")
    with ledger_db.unit_of_work() as s:
        held = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("3.00"),
                            idempotency_key="h", purpose="call_charge")
    clock["now"] = at(4)
    with ledger_db.unit_of_work() as s:
        ledgers.post(s, held, amount=usd("1.00"), idempotency_key="p")

    with ledger_db.sessions() as s:
        def family(before: dt.datetime | None) -> Sums:
            return journal_sums(s, [chart.family], before=before).get(chart.family, Sums())

        assert family(at(1)) == Sums()
        assert family(at(3)) == Sums(credits_posted=1000, debits_pending=300)  # deposited, the hold open
        assert family(at(5)) == Sums(credits_posted=1000, debits_posted=100)  # posted 1.00, the rest released
        assert family(None) == family(at(5))
