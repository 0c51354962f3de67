"""Paying a direct-bill amount due by card: any part of it, never more; paid in full lifts a suspension."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from billing.accounts import services as accounts
from billing.audit import AuditEntry
from billing.db import Database
from tests.billing.payments.support import Accounts, available, ledger_ok, new_key, settle, spend


def pay(api: Any, account_id: int, amount: str, pm: str = "pm_card_visa") -> Any:
    return api.as_("staff").post(f"/v1/accounts/{account_id}/payments",
                                 json={"amount": amount, "payment_method": pm, "idempotency_key": new_key()})


def suspend(db: Database, account_id: int, reason: str) -> None:
    with db.unit_of_work() as s:
        accounts.set_status(s, accounts.get_account(s, account_id), "suspended", reason)


def status_of(db: Database, account_id: int) -> str:
    with db.sessions() as s:
        return accounts.get_account(s, account_id).status


def test_part_of_the_amount_due_is_credited_to_the_receivable_on_confirmation(
        api: Any, client: Any, db: Database, accts: Accounts, app: Any) -> None:
    spend(db, accts.direct, "25.00")
    r = pay(api, accts.direct, "10.00")
    assert r.status_code == 201 and r.json["payment_id"] and r.json["status"] == "processing"
    assert available(client, accts.direct) == "25.00"  # nothing until Stripe confirms
    settle(app)
    assert available(client, accts.direct) == "15.00"
    ledger_ok(db)


def test_never_more_than_is_due_counting_payments_in_flight(api: Any, db: Database, accts: Accounts) -> None:
    assert pay(api, accts.direct, "1.00").json["code"] == "INVALID_AMOUNT"  # nothing due
    spend(db, accts.direct, "25.00")
    assert pay(api, accts.direct, "25.01").json["code"] == "INVALID_AMOUNT"
    assert pay(api, accts.direct, "0.49").json["code"] == "INVALID_AMOUNT"  # below Stripe's minimum charge
    assert pay(api, accts.direct, "10.00").status_code == 201  # processing, not yet credited
    r = pay(api, accts.direct, "15.01")
    assert r.status_code == 422 and r.json["details"]["payable"] == "15.00"
    assert pay(api, accts.direct, "15.00").status_code == 201


def test_paying_in_full_lifts_a_suspension_with_an_audited_reason(
        api: Any, client: Any, db: Database, accts: Accounts, app: Any) -> None:
    spend(db, accts.direct, "25.00")
    suspend(db, accts.direct, "missed the due date")
    assert pay(api, accts.direct, "10.00").status_code == 201  # a suspended account may pay
    settle(app)
    assert status_of(db, accts.direct) == "suspended"  # 15.00 still due
    assert pay(api, accts.direct, "15.00").status_code == 201
    settle(app)
    assert available(client, accts.direct) == "0.00"
    assert status_of(db, accts.direct) == "active"
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.reactivate")).one()
        account = accounts.get_account(s, accts.direct)
    assert entry.role == "system" and "paid in full" in entry.details["reason"]
    assert "paid in full" in account.status_reason


def test_a_dispute_suspension_is_not_lifted_by_paying(api: Any, db: Database, accts: Accounts, app: Any) -> None:
    spend(db, accts.direct, "25.00")
    suspend(db, accts.direct, "Stripe dispute du_1 on payment 1 (fraudulent)")
    pay(api, accts.direct, "25.00")
    settle(app)
    assert status_of(db, accts.direct) == "suspended"


def test_a_prepaid_account_has_no_amount_due_to_pay(api: Any, accts: Accounts) -> None:
    r = pay(api, accts.prepaid, "10.00")
    assert r.status_code == 409 and r.json["code"] == "ACCOUNT_NOT_PAYABLE"
