"""Helpers for the payments tests: signing events as Stripe does, arranging ledger state, polling."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from moneyed import Money
from sqlalchemy import func, select
from werkzeug.test import TestResponse

import ledgers
from billing.accounts import services as accounts
from billing.db import Database
from billing.demo import DIRECT_BILL_LANDLINE, OTHER_COMPANY, PREPAID_MOBILE
from billing.payments import janitor
from billing.payments.models import Payment, Refund, StripeEvent
from billing.payments.wiring import gateway_for
from ledgers.models import Transfer
from rating.money import format_amount

SECRET_KEY = "sk_test_payments"
WEBHOOK_SECRET = "whsec_test_payments"

T = TypeVar("T")
_keys = itertools.count()


@dataclass(frozen=True)
class Accounts:
    prepaid: int
    direct: int
    other_company: int


def find_accounts(db: Database) -> Accounts:
    with db.sessions() as s:
        def of(number: str) -> int:
            account = accounts.account_for_number(s, number)
            assert account is not None
            return account.id

        return Accounts(prepaid=of(PREPAID_MOBILE), direct=of(DIRECT_BILL_LANDLINE), other_company=of(OTHER_COMPANY))


def new_key() -> str:
    return f"test-{next(_keys)}-{uuid.uuid4().hex[:8]}"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """``Stripe-Signature`` exactly as Stripe computes it."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def event_payload(type_: str, obj: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps({"id": event_id or f"evt_test_{uuid.uuid4().hex[:16]}", "object": "event", "type": type_,
                       "created": int(time.time()), "api_version": "2017-08-15", "data": {"object": obj}},
                      indent=2, sort_keys=True)


def post_event(client: FlaskClient, payload: str, *, header: str | None = None) -> TestResponse:
    """POST a signed event to the real webhook endpoint."""
    return client.post("/webhooks/stripe", data=payload.encode(), content_type="application/json",
                       headers={"Stripe-Signature": header if header is not None else sign(payload)})


def wait_for(predicate: Callable[[], T], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Poll until ``predicate()`` is truthy (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def payment(db: Database, payment_id: int) -> Payment:
    with db.sessions() as s:
        found = s.get(Payment, payment_id)
        assert found is not None
        return found


def available(client: FlaskClient, account_id: int) -> str:
    from tests.support import Api

    body = Api(client).as_("staff").get(f"/v1/accounts/{account_id}").json
    assert body is not None
    return str(body["available_balance"] if "available_balance" in body else body["amount_due"])


def settle(app: Flask, **options: Any) -> janitor.JanitorReport:
    """Run the janitor now (nothing is too young for it)."""
    db: Database = app.extensions["billing.db"]
    with db.sessions() as s:
        return janitor.run(s, gateway_for(app), min_age=dt.timedelta(0), **options)


def ledger_ok(db: Database) -> None:
    with db.sessions() as s:
        report = ledgers.verify(s)
        assert report.ok, report.problems


def house_balance(db: Database, name: str) -> str:
    with db.sessions() as s:
        return format_amount(ledgers.balance(s, ledgers.house_account(s, name)).posted)


def ledger_account_of(db: Database, account_id: int) -> int:
    with db.sessions() as s:
        ledger_id = accounts.get_account(s, account_id).ledger_account_id
        assert ledger_id is not None
        return ledger_id


def spend(db: Database, account_id: int, amount: str) -> None:
    """Charge calls to an account (a prepaid balance spent, or a direct-bill amount due)."""
    ledger_id = ledger_account_of(db, account_id)
    with db.unit_of_work() as s:
        ledgers.transfer(s, debit=ledger_id, credit=ledgers.house_account(s, "call_revenue"),
                         amount=Money(Decimal(amount), "USD"),
                         idempotency_key=new_key(), purpose="call_charge")


def credits_of(db: Database, payment_id: int) -> int:
    """How many ledger transfers credit this payment (must be 0 or 1)."""
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Transfer).where(
            Transfer.reference == f"payment:{payment_id}", Transfer.reverses_id.is_(None))) or 0)


def events_received(db: Database) -> list[StripeEvent]:
    with db.sessions() as s:
        return list(s.scalars(select(StripeEvent).order_by(StripeEvent.id)))


def refunds_of(db: Database, account_id: int) -> list[Refund]:
    with db.sessions() as s:
        return list(s.scalars(select(Refund).where(Refund.account_id == account_id).order_by(Refund.id)))
