"""What is kept: GET /v1/calls/{id} shows a call's decision, times, rate snapshot and charge, and a
later tariff change never alters a past call. GET /v1/accounts shows what an account holds or owes."""

from __future__ import annotations

from tests.billing.calls.conftest import BROTHER, MOTHER, NOON_ISH, PERSON, PRISON, Calls, local


def test_a_completed_call_shows_its_decision_times_rate_and_charge(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:20Z")
    calls.complete(call_id, "2026-11-25T15:15:20Z")
    call = calls.call(call_id)
    account_id = calls.account(MOTHER)["id"]
    assert {k: call[k] for k in (
        "call_id", "authorized", "code", "max_duration_seconds", "monitored", "caller_id", "per_minute",
        "currency", "facility", "person", "to", "state", "plan", "account_id", "requested_at", "accepted_at",
        "ended_at", "end_reason", "billable_seconds", "charge")} == {
        "call_id": call_id, "authorized": True, "code": "AUTHORIZED", "max_duration_seconds": 1800,
        "monitored": True, "caller_id": "+18667184777", "per_minute": "0.009", "currency": "USD",
        "facility": PRISON, "person": PERSON, "to": MOTHER, "state": "completed", "plan": "prepaid",
        "account_id": account_id, "requested_at": NOON_ISH, "accepted_at": "2026-11-25T15:00:20Z",
        "ended_at": "2026-11-25T15:15:20Z", "end_reason": "hangup", "billable_seconds": 900, "charge": "0.14",
    }
    assert call["rate"] == {"jurisdiction": "intrastate", "currency": "USD", "per_minute": "0.009",
                            "first_minute": "0.009", "billing_increment_seconds": 60,
                            "minimum_billable_seconds": 0, "rounding": "half_up"}


def test_staff_can_read_a_call_too(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.staff.get(f"/v1/calls/{call_id}")
    assert r.status_code == 200
    assert r.json["state"] == "authorized"
    assert calls.legal.get(f"/v1/calls/{call_id}").status_code == 403


def test_a_refused_call_is_kept_with_its_reason(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER, at=local("23:00"))["call_id"]
    call = calls.call(call_id)
    assert (call["state"], call["authorized"], call["code"], call["charge"]) == (
        "rejected", False, "OUTSIDE_CALLING_SCHEDULE", None)
    assert call["message"]


def test_a_tariff_change_never_alters_a_past_call(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:20Z")
    calls.complete(call_id, "2026-11-25T15:15:20Z")
    before = calls.call(call_id)
    r = calls.admin.patch(f"/v1/tariffs/{calls.tariff_id(PRISON)}",
                          {"per_minute": "0.05", "increment_seconds": 6, "minimum_seconds": 60})
    assert r.status_code == 200, r.json
    after = calls.call(call_id)
    assert after == before
    assert (after["rate"]["per_minute"], after["charge"]) == ("0.009", "0.14")
    # a new call is priced at the new tariff
    fresh = calls.authorize(MOTHER, at="2026-11-25T16:00:00Z")
    assert fresh["per_minute"] == "0.05"
    assert calls.call(fresh["call_id"])["rate"]["billing_increment_seconds"] == 6


def test_a_call_in_progress_is_charged_at_the_rate_it_was_authorized_with(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:20Z")
    calls.admin.patch(f"/v1/tariffs/{calls.tariff_id(PRISON)}", {"per_minute": "0.05"})
    done = calls.complete(call_id, "2026-11-25T15:15:20Z")
    assert (done["per_minute"], done["charge"], done["available_balance"]) == ("0.009", "0.14", "9.86")
    assert calls.call(call_id)["rate"]["per_minute"] == "0.009"
    calls.assert_ledger_clean()


# --- accounts ---------------------------------------------------------------------------------


def test_staff_find_a_prepaid_account_by_number(calls: Calls) -> None:
    account = calls.account(MOTHER)
    assert {k: account[k] for k in ("plan", "provider", "status", "numbers", "available_balance")} == {
        "plan": "prepaid", "provider": "family-connect", "status": "active",
        "numbers": [{"number": MOTHER, "line_type": "mobile"}], "available_balance": "10.00"}
    assert "amount_due" not in account
    assert calls.staff.get(f"/v1/accounts/{account['id']}").json == account


def test_staff_find_a_direct_bill_account_by_number_as_dialled(calls: Calls) -> None:
    account = calls.account("(217) 555-0102")
    assert (account["plan"], account["amount_due"], account["numbers"]) == (
        "direct_bill", "0.00", [{"number": BROTHER, "line_type": "landline"}])
    assert "available_balance" not in account
    assert calls.staff.get(f"/v1/accounts/{account['id']}").json == account


def test_an_account_lookup_for_an_uncovered_number_is_not_found(calls: Calls) -> None:
    r = calls.staff.get("/v1/accounts", number="+13125559999")
    assert (r.status_code, r.json["code"]) == (404, "NOT_FOUND")
    assert calls.staff.get("/v1/accounts/999999").status_code == 404


def test_the_call_platform_cannot_read_accounts(calls: Calls) -> None:
    assert calls.api.get("/v1/accounts", number=MOTHER).status_code == 403
    assert calls.legal.get("/v1/accounts", number=MOTHER).status_code == 403
    assert calls.admin.get("/v1/accounts", number=MOTHER).status_code == 200


def test_an_account_covering_several_numbers_shows_them_all(calls: Calls) -> None:
    number, account = calls.approved_prepaid("2.00")
    calls.staff.post(f"/v1/accounts/{account['id']}/numbers", {"number": "+17735550177", "line_type": "voip"})
    found = calls.account("+17735550177")
    assert found["id"] == account["id"]
    assert [n["number"] for n in found["numbers"]] == [number, "+17735550177"]
    assert found["available_balance"] == "2.00"


def test_a_cell_phone_cannot_be_opened_on_direct_bill(calls: Calls) -> None:
    r = calls.staff.post("/v1/accounts", {"plan": "direct_bill", "holder": {"name": "X"},
                                          "numbers": [{"number": "+13125550188", "line_type": "mobile"}]})
    assert (r.status_code, r.json["code"]) == (422, "PREPAID_REQUIRED")
