"""Lock order on PostgreSQL: a payment's credit takes the account's row before its ledger row, as
closing an account (and deposits, statements and dunning) do, so a credit and a close that meet
wait for each other instead of deadlocking."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import ledgers
from billing.accounts.models import CalledPartyAccount
from billing.db import Database
from billing.payments import settlement
from ledgers.locks import lock_balance
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import Accounts, ledger_account_of, ledger_ok
from tests.billing.payments.test_refunds import deposit

pytestmark = pytest.mark.postgres_only


def test_a_credit_arriving_while_the_account_is_locked_for_closing_waits_and_does_not_deadlock(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid, "20.00")  # confirmed by Stripe, not credited yet
    ledger_id = ledger_account_of(db, accts.prepaid)
    errors: list[BaseException] = []

    def credit() -> None:
        try:
            with db.sessions() as s:
                settlement.credit(s, settlement.lock_payment(s, made["deposit_id"]), actor="test")
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    with db.sessions() as closer:
        closer.get(CalledPartyAccount, accts.prepaid, with_for_update=True)  # as book_close begins
        crediting = threading.Thread(target=credit)
        crediting.start()
        time.sleep(1.5)  # the credit reaches the lock it needs and waits
        lock_balance(closer, ledger_id)  # then the ledger row: a deadlock would abort one of the two
        closer.commit()
        crediting.join(timeout=60)

    assert errors == []
    with db.sessions() as s:
        assert ledgers.balance(s, ledger_id).available.amount == 30  # 10 (demo) + 20
    ledger_ok(db)
