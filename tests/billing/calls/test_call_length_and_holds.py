"""How long an authorized call may last, and the hold that guarantees it can be paid.

``max_duration_seconds`` is the least of: what the balance (or remaining credit) buys exactly
under the tariff, the facility's maximum call length, and the time left in the schedule window.
An authorized call holds the most it may cost, so the family's available balance drops at once.
"""

from __future__ import annotations

import pytest

from tests.billing.calls.conftest import JAIL, MOTHER, PRISON, Calls, local


@pytest.mark.parametrize(
    ("balance", "seconds"),
    [
        ("0.01", 60),    # 1 min = 0.009 → 0.01
        ("0.02", 120),   # 2 min = 0.018 → 0.02; 3 min = 0.027 → 0.03
        ("0.05", 360),   # 6 min = 0.054 → 0.05 (a naive 0.05 / 0.009 says 5 min)
        ("0.10", 660),   # 11 min = 0.099 → 0.10; 12 min = 0.108 → 0.11
        ("0.14", 960),   # 16 min = 0.144 → 0.14: a cent more than the quoted 15 min
        ("0.27", 1800),  # exactly the facility's maximum
    ],
)
def test_a_prepaid_balance_buys_exactly_what_the_tariff_rounds_it_to(shared: Calls, balance: str, seconds: int) -> None:
    calls = shared
    number, _ = calls.approved_prepaid(balance)
    assert calls.authorize(number)["max_duration_seconds"] == seconds


def test_five_cents_at_nine_tenths_of_a_cent_buys_six_minutes_not_five(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.05")
    decision = calls.authorize(number)
    assert decision["max_duration_seconds"] == 360
    account = calls.account(number)
    assert (account["on_hold"], account["available_balance"]) == ("0.05", "0.00")


def test_a_jail_balance_buys_whole_minutes_at_seven_cents(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-300")
    number, _ = calls.approved_prepaid("1.00", person=person)
    # 14 min = 0.98; 15 min = 1.05
    assert calls.authorize(number, person=person, facility=JAIL)["max_duration_seconds"] == 840


def test_a_well_funded_call_is_limited_to_the_facilitys_thirty_minutes(calls: Calls) -> None:
    decision = calls.authorize(MOTHER)
    assert decision["max_duration_seconds"] == 1800
    account = calls.account(MOTHER)
    # the hold is what 30 minutes cost, and no more
    assert (account["on_hold"], account["available_balance"]) == ("0.27", "9.73")


def test_an_admin_can_set_a_facilitys_maximum_call_length(calls: Calls) -> None:
    r = calls.admin.patch(f"/v1/facilities/{PRISON}", {"max_call_seconds": 900})
    assert r.status_code == 200, r.json
    assert r.json["max_call_seconds"] == 900
    assert calls.authorize(MOTHER)["max_duration_seconds"] == 900
    assert calls.account(MOTHER)["on_hold"] == "0.14"


def test_a_facility_maximum_applies_to_that_facility_only(calls: Calls) -> None:
    calls.admin.patch(f"/v1/facilities/{JAIL}", {"max_call_seconds": 600})
    assert calls.authorize(MOTHER)["max_duration_seconds"] == 1800


def test_staff_cannot_change_a_facilitys_maximum_call_length(calls: Calls) -> None:
    assert calls.staff.patch(f"/v1/facilities/{PRISON}", {"max_call_seconds": 60}).status_code == 403


def test_a_call_at_ten_to_ten_ends_with_the_calling_window(calls: Calls) -> None:
    assert calls.authorize(MOTHER, at=local("21:50"))["max_duration_seconds"] == 600


def test_the_window_is_counted_to_the_second(calls: Calls) -> None:
    assert calls.authorize(MOTHER, at=local("21:59:15"))["max_duration_seconds"] == 45
    assert calls.authorize(MOTHER, at=local("21:40:30"))["max_duration_seconds"] == 1170


def test_the_least_of_balance_facility_and_window_wins(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.05")  # buys 360 s
    assert calls.authorize(number, at=local("21:57"))["max_duration_seconds"] == 180  # window: 180 s
    number, _ = calls.approved_prepaid("0.05")
    assert calls.authorize(number, at=local("21:50"))["max_duration_seconds"] == 360  # balance: 360 s
    calls.admin.patch(f"/v1/facilities/{PRISON}", {"max_call_seconds": 300})
    number, _ = calls.approved_prepaid("0.05")
    assert calls.authorize(number, at=local("21:50"))["max_duration_seconds"] == 300  # facility: 300 s


def test_a_short_window_holds_only_what_the_short_call_may_cost(calls: Calls) -> None:
    calls.authorize(MOTHER, at=local("21:50"))
    assert calls.account(MOTHER)["on_hold"] == "0.09"  # 10 min × 0.009


def test_a_direct_bill_call_is_limited_by_the_remaining_credit(calls: Calls) -> None:
    number, _ = calls.approved_direct_bill("0.05")
    assert calls.authorize(number)["max_duration_seconds"] == 360
    after = calls.account(number)
    assert (after["on_hold"], after["credit_available"], after["amount_due"]) == ("0.05", "0.00", "0.00")


def test_a_second_call_on_one_account_sees_the_first_calls_hold(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.30")
    first = calls.authorize(number)
    assert first["max_duration_seconds"] == 1800  # holds 0.27
    second = calls.authorize(number, at=local("09:01"))
    assert second["max_duration_seconds"] == 180  # 0.03 left: 3 min = 0.027 → 0.03
    account_now = calls.account(number)
    assert (account_now["on_hold"], account_now["available_balance"]) == ("0.30", "0.00")
    third = calls.authorize(number, at=local("09:02"))
    assert third["code"] == "INSUFFICIENT_FUNDS"
    calls.assert_ledger_clean()
