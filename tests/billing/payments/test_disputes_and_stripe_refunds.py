"""Events localstripe never sends (charge.refunded, disputes), signed as Stripe signs them."""

from __future__ import annotations

import json
import random
from typing import Any

from moneyed import Money
from sqlalchemy import select

import ledgers
from billing.accounts import services as accounts
from billing.audit import AuditEntry
from billing.db import Database
from billing.payments.models import Dispute
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import (
    Accounts,
    available,
    event_payload,
    ledger_ok,
    new_key,
    payment,
    post_event,
    refunds_of,
    settle,
    spend,
)


def deposit(api: Any, account_id: int, amount: str) -> dict[str, Any]:
    r = api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                              json={"amount": amount, "payment_method": "pm_card_visa", "idempotency_key": new_key()})
    assert r.status_code == 201, r.json
    return dict(r.json)


def charge_event(stripe_fake: FakeStripe, intent_id: str) -> str:
    """``charge.refunded`` with the charge exactly as Stripe (localstripe) has it now."""
    intent = stripe_fake.get(f"/v1/payment_intents/{intent_id}")
    charge = stripe_fake.get(f"/v1/charges/{intent['latest_charge']['id']}")
    return event_payload("charge.refunded", charge)


def dispute_event(type_: str, made: dict[str, Any], amount: int, status: str, dispute_id: str = "du_test1") -> str:
    return event_payload(type_, {"id": dispute_id, "object": "dispute", "payment_intent": made["payment_intent"],
                                 "charge": None, "amount": amount, "currency": "usd", "status": status,
                                 "reason": "fraudulent"})


def house(db: Database, name: str) -> Money:
    with db.sessions() as s:
        return ledgers.balance(s, ledgers.house_account(s, name)).posted


def test_our_own_refund_reported_by_charge_refunded_is_not_booked_twice(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    made = deposit(api, accts.prepaid, "20.00")
    settle(app)
    api.as_("staff").post(f"/v1/accounts/{accts.prepaid}/close", json={})
    payload = charge_event(stripe_fake, made["payment_intent"])
    for _ in range(2):
        assert post_event(client, payload).status_code == 200
    assert [(r.method, r.amount) for r in refunds_of(db, accts.prepaid)] == [("card", 2000), ("check", 1000)]
    assert house(db, "payment_clearing") == Money("10.00", "USD")  # 30 in, 20 back to the card
    ledger_ok(db)


def test_a_dashboard_refund_reported_before_the_payment_is_confirmed(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid, "20.00")  # no webhook delivered yet
    stripe_fake.post("/v1/refunds", payment_intent=made["payment_intent"], amount="500")  # staff, in Stripe
    [succeeded] = stripe_fake.events("payment_intent.succeeded")
    refunded = charge_event(stripe_fake, made["payment_intent"])

    assert post_event(client, refunded).status_code == 200  # the refund proves the payment: credit, then refund
    assert payment(db, made["deposit_id"]).status == "succeeded"
    assert available(client, accts.prepaid) == "25.00"  # 10 + 20 − 5
    assert post_event(client, json.dumps(succeeded, indent=2, sort_keys=True)).status_code == 200
    assert post_event(client, refunded).status_code == 200
    assert available(client, accts.prepaid) == "25.00"
    [refund] = refunds_of(db, accts.prepaid)
    assert (refund.amount, refund.status, refund.reason) == (500, "succeeded", "refunded in Stripe's dashboard")
    ledger_ok(db)


def test_a_dispute_takes_back_what_the_balance_holds_and_writes_off_the_rest(
        api: Any, client: Any, db: Database, accts: Accounts, app: Any) -> None:
    made = deposit(api, accts.prepaid, "30.00")
    settle(app)
    spend(db, accts.prepaid, "25.00")  # 15.00 left of 40.00
    r = post_event(client, dispute_event("charge.dispute.created", made, 3000, "needs_response"))
    assert r.status_code == 200, r.json
    assert available(client, accts.prepaid) == "0.00"
    assert house(db, "dispute_losses") == Money("15.00", "USD")
    assert house(db, "payment_clearing") == Money("10.00", "USD")  # 40 in, 30 taken back by the bank
    with db.sessions() as s:
        account = accounts.get_account(s, accts.prepaid)
        assert account.status == "suspended" and account.needs_review
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "account.suspend")).one().role == "system"
        dispute = s.scalars(select(Dispute)).one()
    assert (dispute.recovered, dispute.written_off, dispute.status) == (1500, 1500, "needs_response")
    assert post_event(client, dispute_event("charge.dispute.created", made, 3000, "needs_response")).status_code == 200
    assert house(db, "dispute_losses") == Money("15.00", "USD")  # once
    ledger_ok(db)


def test_a_won_dispute_gives_the_money_back_once(api: Any, client: Any, db: Database, accts: Accounts,
                                                 app: Any) -> None:
    made = deposit(api, accts.prepaid, "30.00")
    settle(app)
    spend(db, accts.prepaid, "25.00")
    post_event(client, dispute_event("charge.dispute.created", made, 3000, "needs_response"))
    won = dispute_event("charge.dispute.closed", made, 3000, "won")
    for _ in range(3):
        assert post_event(client, won).status_code == 200
    assert available(client, accts.prepaid) == "15.00"  # what was taken back is restored
    assert house(db, "dispute_losses") == Money("0.00", "USD")
    assert house(db, "payment_clearing") == Money("40.00", "USD")
    with db.sessions() as s:
        assert accounts.get_account(s, accts.prepaid).status == "suspended"  # staff lift it after review
        assert s.scalars(select(Dispute)).one().restored
    ledger_ok(db)


def test_a_lost_dispute_closing_first_is_booked_once(api: Any, client: Any, db: Database, accts: Accounts,
                                                     app: Any) -> None:
    made = deposit(api, accts.prepaid, "30.00")
    settle(app)
    events = [dispute_event("charge.dispute.closed", made, 3000, "lost"),
              dispute_event("charge.dispute.created", made, 3000, "needs_response")] * 2
    random.Random(3).shuffle(events)
    for payload in events:
        assert post_event(client, payload).status_code == 200
    assert available(client, accts.prepaid) == "10.00"  # 40 − 30 taken back; nothing was spent
    assert house(db, "dispute_losses") == Money("0.00", "USD")
    with db.sessions() as s:
        assert s.scalars(select(Dispute)).one().status == "lost"  # a late "created" never reopens it
    ledger_ok(db)


def test_a_dispute_on_a_balance_payment_puts_the_amount_due_back(
        api: Any, client: Any, db: Database, accts: Accounts, app: Any) -> None:
    spend(db, accts.direct, "20.00")
    r = api.as_("staff").post(f"/v1/accounts/{accts.direct}/payments",
                              json={"amount": "20.00", "payment_method": "pm_card_visa", "idempotency_key": new_key()})
    settle(app)
    assert available(client, accts.direct) == "0.00"
    post_event(client, dispute_event("charge.dispute.created", dict(r.json), 2000, "needs_response"))
    assert available(client, accts.direct) == "20.00"  # owed again
    assert house(db, "dispute_losses") == Money("0.00", "USD")
