"""Closing an account refunds its balance: to the cards newest first, the rest by check; no fee."""

from __future__ import annotations

from typing import Any

from moneyed import Money
from sqlalchemy import select

import ledgers
from billing.accounts import services as accounts
from billing.accounts.models import AccountNumber
from billing.audit import AuditEntry
from billing.db import Database
from billing.payments import refunds
from billing.payments.wiring import gateway_for
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import (
    Accounts,
    available,
    ledger_account_of,
    ledger_ok,
    new_key,
    refunds_of,
    settle,
    spend,
)


def deposit(api: Any, account_id: int, amount: str) -> dict[str, Any]:
    r = api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                              json={"amount": amount, "payment_method": "pm_card_visa", "idempotency_key": new_key()})
    assert r.status_code == 201, r.json
    return dict(r.json)


def close(api: Any, account_id: int, reason: str | None = None) -> Any:
    return api.as_("staff").post(f"/v1/accounts/{account_id}/close", json={"reason": reason} if reason else None)


def stripe_refunds(stripe_fake: FakeStripe) -> dict[str, int]:
    return {r["payment_intent"]: r["amount"] for r in stripe_fake.get("/v1/refunds", limit=100)["data"]}


def test_the_balance_goes_back_to_the_cards_newest_payment_first(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    older, newer = deposit(api, accts.prepaid, "20.00"), deposit(api, accts.prepaid, "30.00")
    settle(app)
    spend(db, accts.prepaid, "15.00")
    assert available(client, accts.prepaid) == "45.00"  # 10 (demo) + 20 + 30 − 15

    r = close(api, accts.prepaid, "the holder asked")
    assert r.status_code == 200, r.json
    assert r.json["refunded"] == "45.00"
    assert [(x["method"], x["amount"], x["status"]) for x in r.json["refunds"]] == [
        ("card", "30.00", "succeeded"), ("card", "15.00", "succeeded")]
    assert r.json["account"]["status"] == "closed" and r.json["account"]["numbers"] == []
    assert r.json["account"]["available_balance"] == "0.00"
    assert stripe_refunds(stripe_fake) == {newer["payment_intent"]: 3000, older["payment_intent"]: 1500}
    with db.sessions() as s:
        assert s.scalars(select(AccountNumber).where(AccountNumber.account_id == accts.prepaid,
                                                     AccountNumber.removed_at.is_(None))).all() == []
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "account.close")).one().role == "staff"
    ledger_ok(db)


def test_what_no_card_can_take_back_becomes_a_check_for_staff(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    made = deposit(api, accts.prepaid, "20.00")
    settle(app)
    r = close(api, accts.prepaid)
    assert r.json["refunded"] == "30.00"
    assert [(x["method"], x["amount"], x["status"]) for x in r.json["refunds"]] == [
        ("card", "20.00", "succeeded"), ("check", "10.00", "check_pending")]
    assert stripe_refunds(stripe_fake) == {made["payment_intent"]: 2000}
    checks = api.as_("staff").get("/v1/refunds", status="check_pending").json["refunds"]
    assert [(c["account_id"], c["amount"]) for c in checks] == [(accts.prepaid, "10.00")]
    assert api.as_("staff").get("/v1/refunds", status="bogus").status_code == 400
    with db.sessions() as s:
        owed = ledgers.balance(s, ledgers.house_account(s, "refunds_payable")).posted
    assert owed == Money("10.00", "USD")
    ledger_ok(db)


def test_closing_twice_refunds_once(api: Any, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    deposit(api, accts.prepaid, "20.00")
    settle(app)
    first = close(api, accts.prepaid)
    again = close(api, accts.prepaid)
    assert again.status_code == 200 and again.json["refunds"] == first.json["refunds"]
    assert len(stripe_refunds(stripe_fake)) == 1


def test_no_close_while_a_calls_hold_is_open(api: Any, client: Any, db: Database, accts: Accounts) -> None:
    ledger_id = ledger_account_of(db, accts.prepaid)
    with db.unit_of_work() as s:
        held = ledgers.hold(s, debit=ledger_id, credit=ledgers.house_account(s, "call_revenue"),
                            amount=Money("2.00", "USD"), idempotency_key=new_key(), purpose="call_hold").id
    r = close(api, accts.prepaid)
    assert r.status_code == 409 and r.json["code"] == "HOLD_OPEN"
    with db.unit_of_work() as s:
        ledgers.void(s, held, idempotency_key=new_key())
    assert close(api, accts.prepaid).status_code == 200


def test_no_close_while_a_payment_is_not_final(api: Any, accts: Accounts) -> None:
    deposit(api, accts.prepaid, "20.00")  # processing: Stripe has not confirmed it yet
    r = close(api, accts.prepaid)
    assert r.status_code == 409 and r.json["code"] == "PAYMENT_IN_PROGRESS"


def test_a_direct_bill_account_closes_once_nothing_is_due(api: Any, db: Database, accts: Accounts) -> None:
    spend(db, accts.direct, "5.00")
    r = close(api, accts.direct)
    assert r.status_code == 409 and r.json["code"] == "BALANCE_DUE"


def test_a_refund_stripe_refuses_becomes_a_check(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    made = deposit(api, accts.prepaid, "20.00")
    settle(app)
    # Stripe no longer knows the payment (a real 404 from localstripe), so the card refund fails
    stripe_fake._call("DELETE", f"/v1/payment_intents/{made['payment_intent']}")
    r = close(api, accts.prepaid)
    assert r.status_code == 200
    assert [(x["method"], x["amount"], x["status"]) for x in r.json["refunds"]] == [
        ("card", "20.00", "failed"), ("check", "10.00", "check_pending"), ("check", "20.00", "check_pending")]
    assert r.json["refunds"][0]["failure_message"]
    with db.sessions() as s:
        assert accounts.get_account(s, accts.prepaid).needs_review
        owed = ledgers.balance(s, ledgers.house_account(s, "refunds_payable")).posted
        clearing = ledgers.balance(s, ledgers.house_account(s, "payment_clearing")).posted
    assert owed == Money("30.00", "USD")
    assert clearing == Money("30.00", "USD")  # 10 (demo) + 20 received; nothing went back to a card
    ledger_ok(db)


def test_the_inactive_account_job_closes_through_the_same_service(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    deposit(api, accts.prepaid, "20.00")
    settle(app)
    with db.sessions() as s:
        closing = refunds.close_account(s, gateway_for(app), accts.prepaid, reason="no activity for 180 days",
                                        actor="statements job", role="system")
        s.commit()
    assert sum(r.amount for r in closing.refunds) == 3000
    assert [r.status for r in refunds_of(db, accts.prepaid)] == ["succeeded", "check_pending"]
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.close")).one()
        assert (entry.actor, entry.role) == ("statements job", "system")
        assert accounts.get_account(s, accts.prepaid).status_reason == "no activity for 180 days"


def test_a_refund_stripe_cannot_take_right_now_waits_for_the_janitor_not_a_check(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    """A rate limit or outage means Stripe did not take the refund: it stays a card refund."""
    import datetime as dt

    from billing.payments import janitor
    from billing.payments.errors import GatewayUnavailable
    from billing.payments.wiring import GATEWAY

    made = deposit(api, accts.prepaid, "20.00")
    settle(app)
    real = gateway_for(app)

    class Throttled:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def create_refund(self, **kwargs: Any) -> Any:
            raise GatewayUnavailable("Too many requests; try again later.")

    app.extensions[GATEWAY] = Throttled()
    r = close(api, accts.prepaid)
    assert r.status_code == 200
    assert [(x["method"], x["status"]) for x in r.json["refunds"]] == [("card", "pending"), ("check", "check_pending")]
    assert stripe_refunds(stripe_fake) == {}

    app.extensions[GATEWAY] = real
    with db.sessions() as s:
        janitor.run(s, real, now=ledgers.base.utcnow() + dt.timedelta(minutes=5))
    assert stripe_refunds(stripe_fake) == {made["payment_intent"]: 2000}
    assert [(x.method, x.status) for x in refunds_of(db, accts.prepaid)] == [
        ("card", "succeeded"), ("check", "check_pending")]
    ledger_ok(db)
