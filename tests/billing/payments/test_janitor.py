"""Payments in doubt: a timed-out call to Stripe, a lost webhook — the janitor settles each exactly once."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from billing.config import Settings
from billing.db import Database
from billing.payments.errors import GatewayUncertain
from billing.payments.gateway import Gateway, Intent, StripeGateway, StripeRefund
from billing.payments.janitor import run as run_janitor
from billing.payments.janitor import scheduled
from billing.payments.models import Payment
from billing.payments.wiring import GATEWAY, gateway_for
from ledgers.base import utcnow
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import (
    SECRET_KEY,
    Accounts,
    available,
    credits_of,
    ledger_ok,
    new_key,
    payment,
    refunds_of,
    settle,
    wait_for,
)


class AnswerLost:
    """Stripe acts on the request, then the answer is lost on the way back (a read timeout).

    Not a mock: every request still goes to localstripe; only the answer is thrown away."""

    def __init__(self, inner: Gateway) -> None:
        self.inner = inner

    def create_intent(self, **kwargs: Any) -> Intent:
        self.inner.create_intent(**kwargs)
        raise GatewayUncertain("read timed out")

    def create_refund(self, **kwargs: Any) -> StripeRefund:
        self.inner.create_refund(**kwargs)
        raise GatewayUncertain("read timed out")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def deposit(api: Any, account_id: int, amount: str = "20.00", key: str | None = None) -> Any:
    return api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                                 json={"amount": amount, "payment_method": "pm_card_visa",
                                       "idempotency_key": key or new_key()})


def use(app: Flask, gateway: Any) -> None:
    app.extensions[GATEWAY] = gateway


def test_a_timeout_after_stripe_charged_is_202_unknown_then_settled_once(
        api: Any, client: Any, db: Database, accts: Accounts, app: Flask, stripe_fake: FakeStripe) -> None:
    real = gateway_for(app)
    use(app, AnswerLost(real))
    key = new_key()
    r = deposit(api, accts.prepaid, key=key)
    assert r.status_code == 202 and r.json["status"] == "unknown"
    assert deposit(api, accts.prepaid, key=key).json["status"] == "unknown"  # a retry doesn't charge again
    assert len(stripe_fake.get("/v1/payment_intents")["data"]) == 1
    assert available(client, accts.prepaid) == "10.00"

    use(app, real)
    report = settle(app)  # no webhook arrives: the janitor finds the PaymentIntent by our reference
    assert report.lines == [f"credited payment {r.json['deposit_id']}"]
    row = payment(db, r.json["deposit_id"])
    assert row.status == "succeeded" and row.stripe_payment_intent_id
    assert available(client, accts.prepaid) == "30.00"
    assert settle(app).lines == []  # nothing left in doubt
    assert credits_of(db, r.json["deposit_id"]) == 1
    ledger_ok(db)


def test_a_request_that_never_reached_stripe_is_canceled_after_the_grace_period(
        api: Any, client: Any, db: Database, accts: Accounts, app: Flask, silent_port: int,
        stripe_fake: FakeStripe) -> None:
    real = gateway_for(app)
    use(app, StripeGateway(SECRET_KEY, api_base=f"http://127.0.0.1:{silent_port}", timeout=0.3))
    r = deposit(api, accts.prepaid)
    assert r.status_code == 202 and r.json["status"] == "unknown"

    use(app, real)
    assert settle(app).lines == [f"payment {r.json['deposit_id']}: not at Stripe yet; retried next run"]
    assert payment(db, r.json["deposit_id"]).status == "unknown"
    settle(app, give_up_after=dt.timedelta(0))
    row = payment(db, r.json["deposit_id"])
    assert row.status == "canceled" and "never reached Stripe" in row.failure_message
    assert available(client, accts.prepaid) == "10.00"
    assert stripe_fake.get("/v1/payment_intents")["data"] == []


def test_a_lost_webhook_is_made_up_by_the_janitor_and_a_late_one_changes_nothing(
        api: Any, client: Any, db: Database, accts: Accounts, app: Flask, stripe_fake: FakeStripe,
        live_url: str) -> None:
    r = deposit(api, accts.prepaid)  # the webhook points nowhere: localstripe's one delivery is lost
    settle(app)
    assert available(client, accts.prepaid) == "30.00"
    stripe_fake.point_webhook(f"{live_url}/webhooks/stripe")
    again = deposit(api, accts.prepaid, "25.00")
    wait_for(lambda: payment(db, again.json["deposit_id"]).status == "succeeded", what="the delivered webhook")
    assert available(client, accts.prepaid) == "55.00"
    assert credits_of(db, r.json["deposit_id"]) == 1
    ledger_ok(db)


def test_young_attempts_are_left_to_their_request(api: Any, db: Database, accts: Accounts, app: Flask) -> None:
    r = deposit(api, accts.prepaid)
    with db.sessions() as s:
        report = run_janitor(s, gateway_for(app), min_age=dt.timedelta(minutes=5))
    assert report.lines == []
    assert payment(db, r.json["deposit_id"]).status == "processing"


def test_the_janitor_command(api: Any, client: Any, accts: Accounts, app: Flask) -> None:
    deposit(api, accts.prepaid)
    result = app.test_cli_runner().invoke(args=["payments", "janitor", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert "credited payment" in result.output
    assert available(client, accts.prepaid) == "30.00"


def test_a_refund_whose_answer_was_lost_is_found_not_sent_twice(
        api: Any, client: Any, db: Database, accts: Accounts, app: Flask, stripe_fake: FakeStripe) -> None:
    deposit(api, accts.prepaid)
    settle(app)
    real = gateway_for(app)
    use(app, AnswerLost(real))
    r = api.as_("staff").post(f"/v1/accounts/{accts.prepaid}/close", json={})
    assert [x["status"] for x in r.json["refunds"]] == ["unknown", "check_pending"]
    use(app, real)
    settle(app)
    assert [x.status for x in refunds_of(db, accts.prepaid)] == ["succeeded", "check_pending"]
    assert len(stripe_fake.get("/v1/refunds")["data"]) == 1
    ledger_ok(db)


def test_a_refund_that_never_reached_stripe_is_sent_by_the_janitor(
        api: Any, db: Database, accts: Accounts, app: Flask, stripe_fake: FakeStripe, silent_port: int) -> None:
    deposit(api, accts.prepaid)
    settle(app)
    real = gateway_for(app)
    use(app, StripeGateway(SECRET_KEY, api_base=f"http://127.0.0.1:{silent_port}", timeout=0.3))
    r = api.as_("staff").post(f"/v1/accounts/{accts.prepaid}/close", json={})
    assert r.json["refunds"][0]["status"] == "unknown"
    use(app, real)
    settle(app)
    [refund] = stripe_fake.get("/v1/refunds")["data"]
    assert refund["amount"] == 2000
    assert [x.status for x in refunds_of(db, accts.prepaid)] == ["succeeded", "check_pending"]
    settle(app)
    assert len(stripe_fake.get("/v1/refunds")["data"]) == 1




def test_the_scheduler_job(api: Any, client: Any, accts: Accounts, app: Flask, settings: Settings) -> None:
    deposit(api, accts.prepaid)
    with app.extensions["billing.db"].sessions() as s:  # old enough for the default min_age
        s.execute(update(Payment).values(updated_at=utcnow() - dt.timedelta(minutes=5)))
        s.commit()
    assert scheduled(app.extensions["billing.db"], settings) == "1 payment(s)/refund(s) looked at, 0 error(s)"
    assert available(client, accts.prepaid) == "30.00"
    assert scheduled(app.extensions["billing.db"], replace(settings, stripe_secret_key="")).startswith("skipped")
