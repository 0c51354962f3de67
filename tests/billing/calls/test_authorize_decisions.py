"""POST /v1/calls: may this person call this number now? Every refusal is a decision with a reason.

Checks run in the policy's order — person → approved list → schedule → block → account (none,
another company's, prepaid required, suspended) → funds or credit — and the first that fails
names the decision.
"""

from __future__ import annotations

import pytest

from tests.billing.calls.conftest import (
    BROTHER,
    CALLER_ID,
    COUSIN,
    FORMER_FRIEND,
    JAIL,
    LAWYER,
    MOTHER,
    NOON_ISH,
    PERSON,
    Calls,
    calls_with_settings,
    fresh_number,
    local,
)

# --- an authorized call ----------------------------------------------------------------------


def test_a_call_to_a_funded_prepaid_number_on_the_list_is_authorized_with_the_providers_caller_id(
    calls: Calls,
) -> None:
    decision = calls.authorize(MOTHER, call_id="c-1")
    assert decision == {
        "call_id": "c-1",
        "authorized": True,
        "code": "AUTHORIZED",
        "message": decision["message"],
        "max_duration_seconds": 1800,
        "monitored": True,
        "caller_id": CALLER_ID,
        "per_minute": "0.009",
        "currency": "USD",
    }
    assert decision["message"]


def test_the_caller_id_is_the_configured_provider_number(database_url: str) -> None:
    with calls_with_settings(database_url, caller_id="+18005550199") as calls:
        assert calls.authorize(MOTHER)["caller_id"] == "+18005550199"


def test_a_direct_bill_landline_is_authorized_against_its_credit_limit(calls: Calls) -> None:
    decision = calls.authorize(BROTHER)
    assert (decision["authorized"], decision["code"], decision["max_duration_seconds"]) == (True, "AUTHORIZED", 1800)


def test_an_international_call_is_priced_at_the_international_rate(calls: Calls) -> None:
    mexico = "+524421234567"
    calls.approve(mexico)
    calls.open_account("prepaid", mexico, line_type="mobile", fund="10.00")
    decision = calls.authorize(mexico)
    assert (decision["authorized"], decision["per_minute"], decision["max_duration_seconds"]) == (True, "0.11", 1800)
    assert calls.account(mexico)["on_hold"] == "3.30"


def test_a_jail_call_is_priced_at_the_jails_tariff(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-100")
    number, _ = calls.approved_prepaid("10.00", person=person)
    decision = calls.authorize(number, person=person, facility=JAIL)
    assert (decision["authorized"], decision["per_minute"]) == (True, "0.07")


# --- monitoring --------------------------------------------------------------------------------


def test_a_call_to_an_attorney_line_approved_by_legal_staff_is_not_monitored(calls: Calls) -> None:
    decision = calls.authorize(LAWYER)
    assert (decision["authorized"], decision["monitored"]) == (True, False)


def test_every_other_call_is_monitored(calls: Calls) -> None:
    assert calls.authorize(MOTHER)["monitored"] is True
    assert calls.authorize(BROTHER)["monitored"] is True


def test_a_privilege_belongs_to_one_persons_list_not_to_the_number(calls: Calls) -> None:
    other = calls.person_at("IL-PRISON-DEMO", "B-200")
    calls.approve(LAWYER, person=other)
    assert calls.authorize(LAWYER, person=other)["monitored"] is True
    assert calls.authorize(LAWYER)["monitored"] is False


def test_a_number_becomes_unmonitored_once_legal_staff_approve_it(calls: Calls) -> None:
    number, _ = calls.approved_prepaid()
    assert calls.authorize(number)["monitored"] is True
    r = calls.privilege(number, "Public defender")
    assert r.status_code == 200, r.json
    assert calls.authorize(number)["monitored"] is False


# --- each refusal, with its reason -------------------------------------------------------------


def _refused(decision: dict[str, object], code: str) -> None:
    assert decision["authorized"] is False
    assert decision["code"] == code
    assert isinstance(decision["message"], str) and decision["message"]
    assert decision["max_duration_seconds"] == 0
    assert decision["caller_id"] == CALLER_ID


def test_an_unknown_id_number_is_an_unknown_person(calls: Calls) -> None:
    _refused(calls.authorize(MOTHER, person="Z99999"), "UNKNOWN_PERSON")


def test_a_person_held_at_another_facility_is_unknown_here(calls: Calls) -> None:
    _refused(calls.authorize(MOTHER, facility=JAIL), "UNKNOWN_PERSON")


def test_a_released_person_is_unknown(calls: Calls) -> None:
    calls.set_person_status(PERSON, "released")
    _refused(calls.authorize(MOTHER), "UNKNOWN_PERSON")


def test_a_person_whose_phone_privileges_are_restricted_cannot_call(calls: Calls) -> None:
    calls.set_person_status(PERSON, "restricted")
    _refused(calls.authorize(MOTHER), "PHONE_RESTRICTED")
    calls.set_person_status(PERSON, "active")
    assert calls.authorize(MOTHER)["authorized"] is True


def test_a_number_not_on_the_approved_list_is_refused(calls: Calls) -> None:
    number = fresh_number()
    calls.open_account("prepaid", number, line_type="mobile", fund="10.00")
    _refused(calls.authorize(number), "NOT_ON_APPROVED_LIST")


def test_a_number_removed_from_the_approved_list_is_refused(calls: Calls) -> None:
    assert calls.staff.delete(f"/v1/persons/{PERSON}/numbers/{MOTHER}").status_code == 200
    _refused(calls.authorize(MOTHER), "NOT_ON_APPROVED_LIST")


def test_the_approved_list_accepts_a_number_as_dialled(calls: Calls) -> None:
    decision = calls.authorize("(312) 555-0101")
    assert decision["authorized"] is True


@pytest.mark.parametrize("clock", ["06:59:59", "22:00:00", "23:30:00", "03:00:00"])
def test_a_call_outside_the_units_calling_hours_is_refused(shared: Calls, clock: str) -> None:
    _refused(shared.authorize(MOTHER, at=local(clock)), "OUTSIDE_CALLING_SCHEDULE")


@pytest.mark.parametrize("clock", ["07:00:00", "12:00:00", "21:59:00"])
def test_a_call_inside_the_units_calling_hours_in_facility_local_time_is_allowed(shared: Calls, clock: str) -> None:
    assert shared.authorize(MOTHER, at=local(clock))["authorized"] is True


def test_the_schedule_is_read_in_the_facilitys_time_zone_not_utc(calls: Calls) -> None:
    # 23:00 UTC is 17:00 in Chicago (inside); 06:30 UTC is 00:30 in Chicago (outside)
    assert calls.authorize(MOTHER, at="2026-11-25T23:00:00Z")["authorized"] is True
    _refused(calls.authorize(MOTHER, at="2026-11-25T06:30:00Z"), "OUTSIDE_CALLING_SCHEDULE")
    # a timestamp sent with the platform's own offset means the same instant
    assert calls.authorize(MOTHER, at="2026-11-25T09:00:00-06:00")["authorized"] is True


def test_a_blocked_number_is_refused(calls: Calls) -> None:
    _refused(calls.authorize(FORMER_FRIEND), "NUMBER_BLOCKED")


def test_a_number_without_an_account_is_told_how_to_set_one_up(calls: Calls) -> None:
    number = fresh_number()
    calls.approve(number)
    decision = calls.authorize(number)
    _refused(decision, "NO_ACCOUNT")
    assert "prepaid" in str(decision["message"])


def test_a_number_whose_account_was_closed_has_no_account(calls: Calls) -> None:
    number, account = calls.approved_prepaid("0.00")
    r = calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "closed", "reason": "moved"})
    assert r.status_code == 200, r.json
    _refused(calls.authorize(number), "NO_ACCOUNT")


def test_an_account_set_up_with_another_company_is_refused_and_named(calls: Calls) -> None:
    decision = calls.authorize(COUSIN)
    _refused(decision, "NON_PROVIDER_ACCOUNT")
    assert "otherco" in str(decision["message"])


def test_a_cell_phone_on_a_direct_bill_account_needs_prepaid(calls: Calls) -> None:
    number, account = calls.approved_direct_bill()
    assert calls.authorize(number)["authorized"] is True
    # the landline was ported to a cell phone
    r = calls.staff.patch(f"/v1/accounts/{account['id']}/numbers/{number}", {"line_type": "mobile"})
    assert r.status_code == 200, r.json
    decision = calls.authorize(number)
    _refused(decision, "PREPAID_REQUIRED")
    assert "prepaid" in str(decision["message"])


def test_a_voip_number_on_a_direct_bill_account_needs_prepaid(calls: Calls) -> None:
    number, account = calls.approved_direct_bill()
    calls.staff.patch(f"/v1/accounts/{account['id']}/numbers/{number}", {"line_type": "voip"})
    _refused(calls.authorize(number), "PREPAID_REQUIRED")


def test_a_cell_phone_on_a_prepaid_account_is_fine(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("5.00", line_type="mobile")
    assert calls.authorize(number)["authorized"] is True


def test_a_suspended_account_is_refused(calls: Calls) -> None:
    account = calls.account(BROTHER)
    r = calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "suspended", "reason": "missed due date"})
    assert r.status_code == 200, r.json
    _refused(calls.authorize(BROTHER), "ACCOUNT_SUSPENDED")


def test_an_empty_prepaid_account_has_insufficient_funds(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.00")
    decision = calls.authorize(number)
    _refused(decision, "INSUFFICIENT_FUNDS")
    assert (decision["per_minute"], decision["currency"]) == (None, None)


def test_a_balance_below_the_first_minute_has_insufficient_funds(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-101")
    number, _ = calls.approved_prepaid("0.06", person=person)  # the jail's first minute costs 0.07
    _refused(calls.authorize(number, person=person, facility=JAIL), "INSUFFICIENT_FUNDS")
    calls.deposit(calls.account(number)["id"], "0.01")
    assert calls.authorize(number, person=person, facility=JAIL)["max_duration_seconds"] == 60


def test_a_direct_bill_account_at_its_credit_limit_is_refused(calls: Calls) -> None:
    number, _ = calls.approved_direct_bill("0.15")
    first = calls.authorize(number)
    assert first["max_duration_seconds"] == 1020  # 17 min = 0.153 → 0.15
    calls.accept(first["call_id"], "2026-11-25T15:00:00Z")
    assert calls.complete(first["call_id"], "2026-11-25T15:17:00Z")["charge"] == "0.15"
    assert calls.account(number)["amount_due"] == "0.15"
    _refused(calls.authorize(number, at="2026-11-25T15:30:00Z"), "CREDIT_LIMIT_REACHED")


def test_a_direct_bill_account_with_a_zero_credit_limit_is_refused(calls: Calls) -> None:
    number, _ = calls.approved_direct_bill("0.00")
    _refused(calls.authorize(number), "CREDIT_LIMIT_REACHED")


# --- the order of the checks -------------------------------------------------------------------


def test_the_person_is_checked_before_anything_else(calls: Calls) -> None:
    # an unlisted, blocked number at 23:00 for an unknown person
    _refused(calls.authorize(FORMER_FRIEND, person="Z99999", at=local("23:00")), "UNKNOWN_PERSON")


def test_a_restricted_person_is_refused_before_the_list_is_read(calls: Calls) -> None:
    calls.set_person_status(PERSON, "restricted")
    _refused(calls.authorize(fresh_number(), at=local("23:00")), "PHONE_RESTRICTED")


def test_a_number_both_unlisted_and_blocked_is_not_on_the_approved_list(calls: Calls) -> None:
    number = fresh_number()
    calls.staff.post("/v1/blocks", {"number": number, "scope": "all", "source": "facility", "reason": "security"})
    _refused(calls.authorize(number), "NOT_ON_APPROVED_LIST")


def test_an_unlisted_number_outside_the_schedule_is_not_on_the_approved_list(calls: Calls) -> None:
    _refused(calls.authorize(fresh_number(), at=local("23:00")), "NOT_ON_APPROVED_LIST")


def test_a_blocked_number_outside_the_schedule_is_outside_the_calling_schedule(calls: Calls) -> None:
    _refused(calls.authorize(FORMER_FRIEND, at=local("23:00")), "OUTSIDE_CALLING_SCHEDULE")


def test_a_blocked_number_without_an_account_is_blocked(calls: Calls) -> None:
    number = fresh_number()
    calls.approve(number)
    calls.staff.post("/v1/blocks", {"number": number, "scope": "all", "source": "called_party", "reason": "asked"})
    _refused(calls.authorize(number), "NUMBER_BLOCKED")


def test_a_blocked_number_on_another_companys_account_is_blocked(calls: Calls) -> None:
    calls.staff.post("/v1/blocks", {"number": COUSIN, "scope": "all", "source": "provider", "reason": "third party"})
    _refused(calls.authorize(COUSIN), "NUMBER_BLOCKED")


def test_another_companys_cell_phone_direct_bill_account_is_a_non_provider_account(calls: Calls) -> None:
    number = fresh_number()
    calls.approve(number)
    calls.open_account("direct_bill", number, provider="otherco")
    account = calls.account(number)
    calls.staff.patch(f"/v1/accounts/{account['id']}/numbers/{number}", {"line_type": "mobile"})
    calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "suspended", "reason": "x"})
    _refused(calls.authorize(number), "NON_PROVIDER_ACCOUNT")


def test_a_suspended_account_with_a_cell_phone_on_direct_bill_needs_prepaid_first(calls: Calls) -> None:
    number, account = calls.approved_direct_bill()
    calls.staff.patch(f"/v1/accounts/{account['id']}/numbers/{number}", {"line_type": "mobile"})
    calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "suspended", "reason": "missed due date"})
    _refused(calls.authorize(number), "PREPAID_REQUIRED")


def test_a_suspended_empty_prepaid_account_is_suspended_not_short_of_funds(calls: Calls) -> None:
    number, account = calls.approved_prepaid("0.00")
    calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "suspended", "reason": "dispute"})
    _refused(calls.authorize(number), "ACCOUNT_SUSPENDED")


def test_a_suspended_direct_bill_account_at_its_limit_is_suspended(calls: Calls) -> None:
    number, account = calls.approved_direct_bill("0.00")
    calls.staff.patch(f"/v1/accounts/{account['id']}", {"status": "suspended", "reason": "missed due date"})
    _refused(calls.authorize(number), "ACCOUNT_SUSPENDED")


def test_a_refused_call_places_no_hold(calls: Calls) -> None:
    calls.set_person_status(PERSON, "restricted")
    calls.authorize(MOTHER)
    assert calls.account(MOTHER)["on_hold"] == "0.00"
    assert calls.account(MOTHER)["available_balance"] == "10.00"
    calls.assert_ledger_clean()


def test_a_rejection_is_a_decision_returned_with_200(calls: Calls) -> None:
    r = calls.api.post("/v1/calls", {"call_id": "r-1", "facility": "IL-PRISON-DEMO", "person": PERSON,
                                     "to": FORMER_FRIEND, "requested_at": NOON_ISH})
    assert r.status_code == 200
    assert r.json["authorized"] is False
    stored = calls.call("r-1")
    assert (stored["state"], stored["code"]) == ("rejected", "NUMBER_BLOCKED")


# --- tariffs priced by the first minute --------------------------------------------------------


def test_a_first_minute_charge_still_respects_the_credit_limit(calls: Calls) -> None:
    r = calls.admin.patch(f"/v1/tariffs/{calls.tariff_id('IL-PRISON-DEMO')}",
                          {"per_minute": "0", "first_minute": "0.05"})
    assert r.status_code == 200, r.json
    number, _ = calls.approved_direct_bill("0.00")
    _refused(calls.authorize(number), "CREDIT_LIMIT_REACHED")
    assert calls.account(number)["on_hold"] == "0.00"


def test_a_first_minute_charge_needs_a_prepaid_balance_that_covers_it(calls: Calls) -> None:
    calls.admin.patch(f"/v1/tariffs/{calls.tariff_id('IL-PRISON-DEMO')}", {"per_minute": "0", "first_minute": "0.05"})
    number, _ = calls.approved_prepaid("0.04")
    _refused(calls.authorize(number), "INSUFFICIENT_FUNDS")


def test_a_free_tariff_lets_an_empty_account_call_for_the_full_length_holding_nothing(calls: Calls) -> None:
    calls.admin.patch(f"/v1/tariffs/{calls.tariff_id('IL-PRISON-DEMO')}", {"per_minute": "0"})
    number, _ = calls.approved_prepaid("0.00")
    decision = calls.authorize(number)
    assert (decision["authorized"], decision["max_duration_seconds"], decision["per_minute"]) == (True, 1800, "0.00")
    assert calls.account(number)["on_hold"] == "0.00"
    calls.accept(decision["call_id"], NOON_ISH)
    assert calls.complete(decision["call_id"], "2026-11-25T15:30:00Z")["charge"] == "0.00"


def test_a_call_on_a_day_no_tariff_covers_is_refused_for_want_of_a_published_rate(calls: Calls) -> None:
    decision = calls.authorize(MOTHER, at="2026-03-02T15:00:00Z")  # the tariffs start on 2026-04-06
    _refused(decision, "NO_TARIFF")
    assert calls.account(MOTHER)["on_hold"] == "0.00"
