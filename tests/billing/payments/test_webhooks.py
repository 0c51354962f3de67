"""Stripe's webhook: signatures, each event once, any order, unknown types harmless."""

from __future__ import annotations

import json
import random
from typing import Any

from sqlalchemy import func, select

from billing.db import Database
from billing.payments.models import StripeEvent
from ledgers.models import Transfer
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import (
    Accounts,
    available,
    credits_of,
    event_payload,
    events_received,
    ledger_ok,
    new_key,
    payment,
    post_event,
    sign,
    wait_for,
)


def deposit(api: Any, account_id: int, amount: str = "20.00", pm: str = "pm_card_visa") -> dict[str, Any]:
    r = api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                              json={"amount": amount, "payment_method": pm, "idempotency_key": new_key()})
    assert r.status_code in (201, 402), r.json
    return dict(r.json)


def stripe_payload(event: dict[str, Any]) -> str:
    """An event from localstripe's events list, serialized as localstripe signs and sends it."""
    return json.dumps(event, indent=2, sort_keys=True)


def transfers(db: Database) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Transfer)) or 0)


def test_a_forged_or_missing_signature_is_400_and_stores_nothing(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid)
    [event] = stripe_fake.events("payment_intent.succeeded")
    payload = stripe_payload(event)
    before = transfers(db)
    for header in (sign(payload, secret="whsec_wrong"), "", "t=1,v1=abc", sign(payload + " ")):
        r = post_event(client, payload, header=header)
        assert r.status_code == 400 and r.json["code"] == "INVALID_SIGNATURE"
    stale = sign(payload, timestamp=1_600_000_000)
    assert post_event(client, payload, header=stale).status_code == 400
    assert events_received(db) == [] and transfers(db) == before
    assert payment(db, made["deposit_id"]).status == "processing"
    assert available(client, accts.prepaid) == "10.00"


def test_a_signed_body_that_is_not_an_event_is_400(client: Any, db: Database, accts: Accounts) -> None:
    payload = json.dumps({"hello": "world"})
    r = post_event(client, payload)
    assert r.status_code == 400 and r.json["code"] == "INVALID_EVENT"
    assert events_received(db) == []


def test_each_event_three_times_in_shuffled_order_moves_each_payment_once(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = [deposit(api, accts.prepaid, amount) for amount in ("20.00", "30.00", "40.00")]
    declined = deposit(api, accts.prepaid, "50.00", pm="pm_card_chargeCustomerFail")
    assert declined["code"] == "CARD_DECLINED"
    events = stripe_fake.events()
    assert {e["type"] for e in events} == {"payment_intent.succeeded", "payment_intent.payment_failed"}
    deliveries = [stripe_payload(e) for e in events] * 3
    random.Random(7).shuffle(deliveries)
    for payload in deliveries:
        r = post_event(client, payload)
        assert r.status_code == 200, r.json
    assert available(client, accts.prepaid) == "100.00"  # 10 + 20 + 30 + 40, each once
    for row in made:
        assert payment(db, row["deposit_id"]).status == "succeeded"
        assert credits_of(db, row["deposit_id"]) == 1
    received = events_received(db)
    assert len(received) == len(events) and all(e.processed_at is not None for e in received)
    ledger_ok(db)


def test_localstripe_delivering_an_event_we_also_got_twice_more_credits_once(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, webhooks_on: str) -> None:
    made = deposit(api, accts.prepaid)
    wait_for(lambda: payment(db, made["deposit_id"]).status == "succeeded", what="the delivered webhook")
    [event] = stripe_fake.events("payment_intent.succeeded")
    for _ in range(2):
        r = post_event(client, stripe_payload(event))
        assert r.status_code == 200 and r.json["duplicate"] is True
    assert available(client, accts.prepaid) == "30.00"
    assert credits_of(db, made["deposit_id"]) == 1


def test_unknown_event_types_and_strangers_payments_are_recorded_and_ignored(
        client: Any, db: Database, accts: Accounts) -> None:
    for type_, obj in (("customer.created", {"id": "cus_1", "object": "customer"}),
                       ("payment_intent.succeeded", {"id": "pi_notours", "object": "payment_intent", "amount": 100,
                                                     "currency": "usd", "status": "succeeded", "metadata": {}}),
                       ("charge.refunded", {"id": "ch_notours", "object": "charge", "payment_intent": None})):
        r = post_event(client, event_payload(type_, obj))
        assert r.status_code == 200 and r.json["outcome"].startswith("ignored")
    assert len(events_received(db)) == 3
    assert available(client, accts.prepaid) == "10.00"


def _failed_version(event: dict[str, Any]) -> str:
    """The same PaymentIntent's earlier failure (a first attempt declined, then retried)."""
    obj = dict(event["data"]["object"])
    obj.update(status="requires_payment_method", last_payment_error={"message": "Your card has insufficient funds."})
    return event_payload("payment_intent.payment_failed", obj)


def test_succeeded_after_payment_failed_for_a_retried_intent_credits(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid)
    [succeeded] = stripe_fake.events("payment_intent.succeeded")
    assert post_event(client, _failed_version(succeeded)).status_code == 200
    row = payment(db, made["deposit_id"])
    assert row.status == "failed" and row.failure_message == "Your card has insufficient funds."
    assert post_event(client, stripe_payload(succeeded)).status_code == 200
    assert payment(db, made["deposit_id"]).status == "succeeded"
    assert available(client, accts.prepaid) == "30.00"


def test_a_late_failure_never_undoes_a_success(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid)
    [succeeded] = stripe_fake.events("payment_intent.succeeded")
    post_event(client, stripe_payload(succeeded))
    post_event(client, _failed_version(succeeded))
    assert payment(db, made["deposit_id"]).status == "succeeded"
    assert available(client, accts.prepaid) == "30.00"
    ledger_ok(db)


def test_a_declined_payment_shows_the_decline_message_from_the_failed_event(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    deposit(api, accts.prepaid, pm="pm_card_chargeCustomerFail")
    [failed] = stripe_fake.events("payment_intent.payment_failed")
    r = post_event(client, stripe_payload(failed))
    assert r.status_code == 200
    [row] = api.as_("staff").get(f"/v1/accounts/{accts.prepaid}/payments").json["payments"]
    assert row["status"] == "failed" and row["failure_message"] == "Your card was declined."
    assert row["payment_intent"] == failed["data"]["object"]["id"]  # tied by the metadata reference
    assert available(client, accts.prepaid) == "10.00"


def test_the_event_is_stored_verbatim_with_type_and_outcome(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    made = deposit(api, accts.prepaid)
    [event] = stripe_fake.events("payment_intent.succeeded")
    payload = stripe_payload(event)
    post_event(client, payload)
    with db.sessions() as s:
        row = s.scalars(select(StripeEvent)).one()
    assert (row.event_id, row.type, row.payload) == (event["id"], "payment_intent.succeeded", payload)
    assert row.outcome == f"credited payment {made['deposit_id']}"


def test_concurrent_deliveries_and_the_janitor_credit_once(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any,
        live_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from tests.billing.payments.support import settle

    made = deposit(api, accts.prepaid)
    [event] = stripe_fake.events("payment_intent.succeeded")
    payload = stripe_payload(event)

    def deliver(_: int) -> int:
        return requests.post(f"{live_url}/webhooks/stripe", data=payload.encode(), timeout=30,
                             headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"}
                             ).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        janitor_run = pool.submit(settle, app)
        statuses = list(pool.map(deliver, range(4)))
        janitor_run.result()
    assert statuses == [200] * 4
    assert credits_of(db, made["deposit_id"]) == 1
    assert available(client, accts.prepaid) == "30.00"
    assert len(events_received(db)) == 1
    ledger_ok(db)
