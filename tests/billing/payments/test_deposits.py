"""Deposits onto a prepaid balance, against localstripe: credited only once Stripe confirms them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from billing.audit import AuditEntry
from billing.db import Database
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import (
    Accounts,
    available,
    credits_of,
    ledger_ok,
    new_key,
    payment,
    settle,
    wait_for,
)

THREE_D_SECURE = "4000002500003155"


def deposit(api: Any, account_id: int, amount: str = "20.00", pm: str = "pm_card_visa", key: str | None = None,
            ) -> Any:
    return api.as_("staff").post(f"/v1/accounts/{account_id}/deposits",
                                 json={"amount": amount, "payment_method": pm, "idempotency_key": key or new_key()})


def test_a_deposit_shows_in_the_balance_only_after_stripes_webhook(
        api: Any, client: Any, db: Database, accts: Accounts, webhooks_on: str) -> None:
    r = deposit(api, accts.prepaid, "20.00")
    assert r.status_code == 201, r.json
    body = r.json
    assert body["status"] == "processing"  # Stripe said succeeded; we wait for its confirmation
    assert body["client_secret"].startswith("pi_") and body["amount"] == "20.00"
    assert available(client, accts.prepaid) == "10.00"  # not on the synchronous answer

    wait_for(lambda: payment(db, body["deposit_id"]).status == "succeeded", what="the webhook's credit")
    assert available(client, accts.prepaid) == "30.00"
    assert credits_of(db, body["deposit_id"]) == 1
    ledger_ok(db)


def test_a_deposit_is_credited_exactly_the_amount_charged_no_fee(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    refused = deposit(api, accts.prepaid, "12.345")  # never silently rounded into what the card is charged
    assert (refused.status_code, refused.json["code"]) == (400, "INVALID_PARAMETER")
    r = deposit(api, accts.prepaid, "12.35")
    assert r.status_code == 201
    intent = stripe_fake.get(f"/v1/payment_intents/{r.json['payment_intent']}")
    assert intent["amount"] == 1235 and intent["currency"] == "usd"
    assert intent["metadata"]["payment_id"] == str(r.json["deposit_id"])
    assert intent["metadata"]["account_id"] == str(accts.prepaid)
    settle(app)
    assert available(client, accts.prepaid) == "22.35"  # 10.00 + 12.35, nothing taken


def test_the_deposit_restarts_the_180_day_clock(api: Any, db: Database, accts: Accounts, app: Any) -> None:
    from billing.accounts.models import CalledPartyAccount

    with db.sessions() as s:
        before = s.get_one(CalledPartyAccount, accts.prepaid).last_activity_at
    deposit(api, accts.prepaid)
    with db.sessions() as s:
        assert s.get_one(CalledPartyAccount, accts.prepaid).last_activity_at == before  # not yet credited
    settle(app)
    with db.sessions() as s:
        assert s.get_one(CalledPartyAccount, accts.prepaid).last_activity_at > before


def test_3d_secure_needs_the_page_to_complete_it(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, webhooks_on: str) -> None:
    r = deposit(api, accts.prepaid, "25.00", pm=stripe_fake.card(THREE_D_SECURE))
    assert r.status_code == 201
    assert r.json["status"] == "requires_action"
    secret = r.json["client_secret"]
    assert secret

    stripe_fake.authenticate(r.json["payment_intent"], secret)  # what Stripe.js does on the page
    wait_for(lambda: payment(db, r.json["deposit_id"]).status == "succeeded", what="the credit after 3-D Secure")
    assert available(client, accts.prepaid) == "35.00"
    assert api.as_("staff").get(f"/v1/payments/{r.json['deposit_id']}").json["client_secret"] is None


def test_a_declined_card_is_402_with_stripes_message_and_moves_no_money(
        api: Any, client: Any, db: Database, accts: Accounts, app: Any) -> None:
    r = deposit(api, accts.prepaid, "20.00", pm="pm_card_chargeCustomerFail")
    assert r.status_code == 402
    assert r.json["code"] == "CARD_DECLINED"
    assert r.json["message"] == "Your card was declined."
    assert available(client, accts.prepaid) == "10.00"
    [row] = api.as_("staff").get(f"/v1/accounts/{accts.prepaid}/payments").json["payments"]
    assert row["status"] == "failed" and row["failure_message"] == "Your card was declined."
    settle(app)  # the janitor leaves a failed payment alone
    assert available(client, accts.prepaid) == "10.00"
    ledger_ok(db)


def test_a_retry_with_the_same_key_returns_the_original_without_asking_stripe(
        api: Any, accts: Accounts, stripe_fake: FakeStripe) -> None:
    key = new_key()
    first = deposit(api, accts.prepaid, "20.00", key=key)
    again = deposit(api, accts.prepaid, "20.00", key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json["deposit_id"] == first.json["deposit_id"]
    assert len(stripe_fake.get("/v1/payment_intents", limit=100)["data"]) == 1  # Stripe asked once

    conflict = deposit(api, accts.prepaid, "21.00", key=key)
    assert conflict.status_code == 409 and conflict.json["code"] == "IDEMPOTENCY_CONFLICT"
    assert len(stripe_fake.get("/v1/payment_intents", limit=100)["data"]) == 1


def test_a_retry_of_a_declined_deposit_is_the_same_decline_not_a_new_charge(
        api: Any, accts: Accounts, stripe_fake: FakeStripe) -> None:
    key = new_key()
    assert deposit(api, accts.prepaid, pm="pm_card_chargeCustomerFail", key=key).status_code == 402
    again = deposit(api, accts.prepaid, pm="pm_card_chargeCustomerFail", key=key)
    assert again.status_code == 200 and again.json["status"] == "failed"
    assert len(stripe_fake.get("/v1/payment_intents", limit=100)["data"]) == 1


def test_deposits_stay_within_the_configured_limits(api: Any, accts: Accounts) -> None:
    for amount, status in (("4.99", 422), ("300.01", 422), ("0", 422), ("-5.00", 422), ("5.00", 201),
                           ("300.00", 201)):
        r = deposit(api, accts.prepaid, amount)
        assert r.status_code == status, (amount, r.json)
        if status == 422:
            assert r.json["code"] == "INVALID_AMOUNT" and r.json["details"] == {"min": "5.00", "max": "300.00"}


def test_malformed_requests_are_400_and_reach_nobody(api: Any, accts: Accounts, stripe_fake: FakeStripe) -> None:
    for body in (
        {"amount": 20, "payment_method": "pm_card_visa", "idempotency_key": "k"},  # a JSON number: refused
        {"amount": "20.00", "payment_method": "4242424242424242", "idempotency_key": "k"},  # a card number: never
        {"amount": "20.00", "payment_method": "pm_card_visa"},
        {"amount": "20.00", "idempotency_key": "k"},
        {"amount": "1e3", "payment_method": "pm_card_visa", "idempotency_key": "k"},
        {"amount": "20.00", "payment_method": "pm_card_visa", "idempotency_key": "k" * 201},
    ):
        r = api.as_("staff").post(f"/v1/accounts/{accts.prepaid}/deposits", json=body)
        assert r.status_code == 400 and r.json["code"] == "INVALID_PARAMETER", body
    r = api.client.post(f"/v1/accounts/{accts.prepaid}/deposits", data="x",
                        headers={"Authorization": "Bearer demo-staff"})
    assert r.status_code == 400 and r.json["code"] == "INVALID_JSON"
    assert stripe_fake.get("/v1/payment_intents")["data"] == []


def test_an_unknown_payment_method_is_422_and_recorded_failed(api: Any, accts: Accounts) -> None:
    r = deposit(api, accts.prepaid, pm="pm_doesnotexist")
    assert r.status_code == 422 and r.json["code"] == "PAYMENT_METHOD_INVALID"


def test_only_active_prepaid_accounts_of_ours_take_deposits(api: Any, db: Database, accts: Accounts) -> None:
    from billing.accounts import services as accounts

    assert deposit(api, accts.direct).json["code"] == "ACCOUNT_NOT_PAYABLE"
    assert deposit(api, accts.other_company).json["code"] == "ACCOUNT_NOT_PAYABLE"
    assert deposit(api, 999_999).status_code == 404
    with db.unit_of_work() as s:
        accounts.set_status(s, accounts.get_account(s, accts.prepaid), "suspended", "security review")
    r = deposit(api, accts.prepaid)
    assert r.status_code == 409 and r.json["code"] == "ACCOUNT_NOT_PAYABLE"


def test_deposits_need_a_staff_key_and_are_audited(api: Any, db: Database, accts: Accounts) -> None:
    body = {"amount": "20.00", "payment_method": "pm_card_visa", "idempotency_key": new_key()}
    assert api.as_("call_platform").post(f"/v1/accounts/{accts.prepaid}/deposits", json=body).status_code == 403
    r = api.post(f"/v1/accounts/{accts.prepaid}/deposits", json={}, key="")
    assert r.status_code == 401
    ok = deposit(api, accts.prepaid)
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "payment.deposit")).one()
    assert entry.details["payment_id"] == ok.json["deposit_id"] and entry.role == "staff"


def test_a_failed_3d_secure_challenge_ends_failed_with_stripes_message(
        api: Any, client: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    r = deposit(api, accts.prepaid, "25.00", pm=stripe_fake.card(THREE_D_SECURE))
    stripe_fake.authenticate(r.json["payment_intent"], r.json["client_secret"], success=False)
    settle(app)  # localstripe sends no event for it: the janitor reads the outcome
    row = payment(db, r.json["deposit_id"])
    assert row.status == "failed"
    assert row.failure_message == "The provided PaymentMethod has failed authentication."
    assert available(client, accts.prepaid) == "10.00"


def test_our_key_goes_to_stripe_as_its_idempotency_key(api: Any, accts: Accounts, app: Any) -> None:
    """What the official library sends, read off the socket (localstripe ignores the header)."""
    import socket
    import threading

    from billing.payments.gateway import StripeGateway
    from billing.payments.wiring import GATEWAY
    from tests.billing.payments.support import SECRET_KEY

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    received: list[bytes] = []

    def read_one_request() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            received.append(data)  # then hang up without answering

    thread = threading.Thread(target=read_one_request)
    thread.start()
    app.extensions[GATEWAY] = StripeGateway(SECRET_KEY, api_base=f"http://127.0.0.1:{listener.getsockname()[1]}")
    r = deposit(api, accts.prepaid, "20.00", key="family-page-123")
    thread.join(timeout=5)
    listener.close()
    assert r.status_code == 202 and r.json["status"] == "unknown"
    assert f"Idempotency-Key: account:{accts.prepaid}:family-page-123" in received[0].decode()
