"""Ledger fixtures: a ``Database`` on the test's fresh, migrated database, and sessions on it.

Tests commit freely: each test has a database of its own (see ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

import ledgers
from billing.db import Database
from tests.ledgers.helpers import Chart


@pytest.fixture
def ledger_db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def session(ledger_db: Database) -> Iterator[Session]:
    """A session on the test database; the test commits what it wants kept."""
    with ledger_db.sessions() as s:
        yield s


@pytest.fixture
def chart(ledger_db: Database) -> Chart:
    with ledger_db.unit_of_work() as s:
        house = ledgers.ensure_house_accounts(s, "USD")
        family = ledgers.open_customer_account(s, code="family:1", kind="prepaid", currency="USD")
        direct = ledgers.open_customer_account(s, code="direct:1", kind="receivable", currency="USD")
        s.flush()
        return Chart(
            clearing=house["payment_clearing"].id, revenue=house["call_revenue"].id,
            refunds=house["refunds_payable"].id, losses=house["dispute_losses"].id,
            family=family.id, direct=direct.id,
        )
