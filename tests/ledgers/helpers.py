"""Helpers shared by the ledger tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from moneyed import Money

import ledgers
from billing.db import Database
from rating.money import money


def usd(amount: str) -> Money:
    return money(amount, "USD")


@dataclass(frozen=True)
class Chart:
    """The USD house accounts and two customers, by id."""

    clearing: int
    revenue: int
    refunds: int
    losses: int
    family: int  # prepaid (guarded liability)
    direct: int  # direct-bill receivable (asset)


def deposit(db: Database, chart: Chart, amount: str, key: str) -> ledgers.Transfer:
    """Fund the family's prepaid account (committed)."""
    with db.unit_of_work() as s:
        return ledgers.transfer(
            s, debit=chart.clearing, credit=chart.family, amount=usd(amount), idempotency_key=key,
            purpose="deposit",
        )


def available(db: Database, account: int) -> Money:
    with db.sessions() as s:
        return ledgers.balance(s, account).available
