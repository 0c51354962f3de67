"""A check refund staff must send is marked mailed with its number: it leaves the list of checks to
send, and the ledger pays it out of refunds_payable. Doing it twice changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from billing.audit import AuditEntry
from billing.db import Database
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import Accounts, house_balance, ledger_ok
from tests.billing.payments.test_refunds import close, deposit


def pending_check(api: Any, accts: Accounts) -> dict[str, Any]:
    assert close(api, accts.prepaid).status_code == 200  # the demo's 10.00 came by no card: a check
    [check] = api.as_("staff").get("/v1/refunds", status="check_pending").json["refunds"]
    return dict(check)


def mail(api: Any, refund_id: int, body: Any, role: str = "staff") -> Any:
    return api.as_(role).post(f"/v1/refunds/{refund_id}/check-mailed", json=body)


def test_a_mailed_check_leaves_the_list_to_send_and_is_paid_out_of_refunds_payable(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    check = pending_check(api, accts)
    assert house_balance(db, "refunds_payable") == "10.00"

    r = mail(api, check["id"], {"check_number": "100234"})

    assert r.status_code == 200, r.json
    assert (r.json["status"], r.json["check_number"], r.json["amount"]) == ("check_mailed", "100234", "10.00")
    assert r.json["mailed_at"]
    assert api.as_("staff").get("/v1/refunds", status="check_pending").json["refunds"] == []
    assert [x["id"] for x in api.as_("staff").get("/v1/refunds", status="check_mailed").json["refunds"]] == [
        check["id"]]
    assert house_balance(db, "refunds_payable") == "0.00"
    assert house_balance(db, "bank") == "-10.00"  # paid from the bank, not from what Stripe holds
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "refund.check_mailed")).one()
        assert entry.details["check_number"] == "100234"
    ledger_ok(db)


def test_marking_it_again_changes_nothing_and_another_number_is_refused(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe) -> None:
    check = pending_check(api, accts)
    first = mail(api, check["id"], {"check_number": "100234"})

    again = mail(api, check["id"], {"check_number": "100234"})
    other = mail(api, check["id"], {"check_number": "100999"})

    assert (again.status_code, again.json) == (200, first.json)
    assert (other.status_code, other.json["code"]) == (409, "NOT_A_PENDING_CHECK")
    assert house_balance(db, "refunds_payable") == "0.00"
    ledger_ok(db)


def test_bad_requests_are_refused_and_change_nothing(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Any) -> None:
    from tests.billing.payments.support import settle

    deposit(api, accts.prepaid, "20.00")
    settle(app)
    check = pending_check(api, accts)
    card = next(x for x in api.as_("staff").get("/v1/refunds").json["refunds"] if x["method"] == "card")

    assert mail(api, check["id"], {}).json["code"] == "INVALID_PARAMETER"
    assert mail(api, check["id"], {"check_number": "   "}).json["code"] == "INVALID_PARAMETER"
    assert mail(api, check["id"], {"check_number": "x" * 41}).json["code"] == "INVALID_PARAMETER"
    assert mail(api, check["id"], {"check_number": "1"}, role="call_platform").status_code == 403
    assert (mail(api, 999999, {"check_number": "1"}).status_code, mail(api, 999999, {"check_number": "1"}).json[
        "code"]) == (404, "NOT_FOUND")
    refused = mail(api, card["id"], {"check_number": "1"})
    assert (refused.status_code, refused.json["code"]) == (409, "NOT_A_PENDING_CHECK")
    assert house_balance(db, "refunds_payable") == "10.00"
    assert api.as_("staff").get("/v1/refunds", status="check_pending").json["refunds"][0]["id"] == check["id"]
