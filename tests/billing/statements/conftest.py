"""Statement tests reuse the Calls fixtures (a demo database per test) and control the ledger's clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from moneyed import Money

import ledgers
from billing.accounts.models import CalledPartyAccount
from billing.config import Settings
from billing.db import Database
from billing.statements.services import run_period
from invoices import Period, RunReport
from tests.billing.calls.conftest import (  # noqa: F401  (the fixtures: a demo database per test)
    Calls,
    database_url,
    demo_template,
)
from tests.support import Api

__all__ = ["Books", "at"]


def at(text: str) -> dt.datetime:
    """A UTC instant written ``2026-11-10T18:00``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class Books:
    """The calls API plus the ledger's clock: journal rows are written at ``clock``."""

    def __init__(self, calls: Calls, settings: Settings) -> None:
        self.calls = calls
        self.settings = settings
        self.clock = at("2026-11-10T18:00")
        self._keys = 0

    def at(self, when: str) -> Books:
        self.clock = at(when)
        return self

    def call(self, number: str, minutes: int, *, day: int = 25) -> dict[str, Any]:
        """A call of ``minutes`` minutes (platform times on 2026-11-``day``), settled at ``clock``."""
        call_id = self.calls.authorize(number, at=f"2026-11-{day:02d}T15:00:00Z")["call_id"]
        assert self.calls.call(call_id)["authorized"], call_id
        self.calls.accept(call_id, f"2026-11-{day:02d}T15:00:10Z")
        end = dt.datetime(2026, 11, day, 15, 0, 10, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
        return self.calls.complete(call_id, end.isoformat().replace("+00:00", "Z"))

    def _move(self, account_id: int, amount: str, purpose: str, *, into: bool) -> None:
        self._keys += 1
        with self.calls.db.unit_of_work() as session:
            account = session.get(CalledPartyAccount, account_id)
            assert account is not None and account.ledger_account_id is not None
            house = ledgers.house_account(session, "payment_clearing").id
            debit, credit = (house, account.ledger_account_id) if into else (account.ledger_account_id, house)
            ledgers.transfer(session, debit=debit, credit=credit, amount=Money(Decimal(amount), "USD"),
                             idempotency_key=f"test:{purpose}:{account_id}:{self._keys}", purpose=purpose)

    def pay(self, account_id: int, amount: str) -> None:
        """A direct-bill payment as the Stripe settlement books it (clearing → the receivable)."""
        self._move(account_id, amount, "balance_payment", into=True)

    def deposit(self, account_id: int, amount: str) -> None:
        self._move(account_id, amount, "deposit", into=True)

    def state(self, period: str, *, now: str | None = None) -> RunReport:
        """Run ``period``'s statements, by default at 03:15 in Chicago on the 1st of the next month."""
        month = Period.parse(period)
        when = at(now) if now else at(f"{month.next().first_day.isoformat()}T09:15")
        return run_period(self.calls.db, self.settings, month, now=when)

    def statements(self, account_id: int) -> list[dict[str, Any]]:
        r = self.calls.staff.get(f"/v1/accounts/{account_id}/statements")
        assert r.status_code == 200, r.json
        return list(r.json["statements"])

    def statement(self, number: str) -> dict[str, Any]:
        r = self.calls.staff.get(f"/v1/statements/{number}")
        assert r.status_code == 200, r.json
        return dict(r.json)

    def only_statement(self, account_id: int, period: str) -> dict[str, Any]:
        found = [s for s in self.statements(account_id) if s["period"] == period]
        assert len(found) == 1, self.statements(account_id)
        return self.statement(found[0]["number"])


@pytest.fixture
def books(api: Api, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Books:
    keeper = Books(Calls(api, db), settings)
    monkeypatch.setattr("ledgers.journal.utcnow", lambda: keeper.clock)
    return keeper
