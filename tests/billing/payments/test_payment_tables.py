"""The database itself refuses bad payment rows (the invariants hold twice: code and schema)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing.db import Database
from billing.payments.models import Dispute, Payment, Refund, StripeEvent
from ledgers.base import utcnow
from tests.billing.payments.support import Accounts


def a_payment(account_id: int, **overrides: Any) -> Payment:
    values: dict[str, Any] = {
        "reference": secrets.token_hex(16), "kind": "deposit", "account_id": account_id, "amount": 1000,
        "currency": "USD", "status": "processing", "idempotency_key": secrets.token_hex(8),
        "payment_method": "pm_card_visa", "failure_message": "", "created_at": utcnow(), "updated_at": utcnow()}
    values.update(overrides)
    return Payment(**values)


def refused(db: Database, build: Callable[[Session], None]) -> None:
    with db.sessions() as s, pytest.raises(IntegrityError):
        build(s)
        s.flush()


def test_bad_payments_are_refused(db: Database, accts: Accounts) -> None:
    for overrides in ({"amount": 0}, {"amount": -100}, {"status": "lost"}, {"kind": "tip"},
                      {"status": "succeeded"}):  # succeeded means credited: a credit transfer must exist
        refused(db, lambda s, o=overrides: s.add(a_payment(accts.prepaid, **o)))


def test_one_idempotency_key_per_account_and_one_row_per_payment_intent(db: Database, accts: Accounts) -> None:
    with db.unit_of_work() as s:
        s.add(a_payment(accts.prepaid, idempotency_key="k1", stripe_payment_intent_id="pi_1"))
    refused(db, lambda s: s.add(a_payment(accts.prepaid, idempotency_key="k1")))
    refused(db, lambda s: s.add(a_payment(accts.prepaid, stripe_payment_intent_id="pi_1")))
    with db.unit_of_work() as s:
        s.add(a_payment(accts.direct, kind="balance_payment", idempotency_key="k1"))  # another account may


def test_bad_refunds_and_disputes_and_repeated_events_are_refused(db: Database, accts: Accounts) -> None:
    def refund(**overrides: Any) -> Refund:
        values: dict[str, Any] = {"reference": secrets.token_hex(16), "account_id": accts.prepaid, "method": "check",
                                  "amount": 100, "currency": "USD", "status": "check_pending",
                                  "idempotency_key": secrets.token_hex(8), "reason": "", "failure_message": ""}
        values.update(overrides)
        return Refund(**values)

    refused(db, lambda s: s.add(refund(amount=0)))
    refused(db, lambda s: s.add(refund(method="card", status="pending")))  # a card refund needs its payment
    refused(db, lambda s: s.add(refund(status="succeeded")))  # a check is check_pending
    refused(db, lambda s: s.add(refund(method="cash")))
    with db.unit_of_work() as s:
        s.add(StripeEvent(event_id="evt_1", type="x", payload="{}", outcome=""))
    refused(db, lambda s: s.add(StripeEvent(event_id="evt_1", type="x", payload="{}", outcome="")))
    with db.unit_of_work() as s:
        p = a_payment(accts.prepaid)
        s.add(p)
    refused(db, lambda s: s.add(Dispute(stripe_dispute_id="du_1", payment_id=p.id, amount=100, currency="USD",
                                        status="needs_response", recovered=10, written_off=10)))
