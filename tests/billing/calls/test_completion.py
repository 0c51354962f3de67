"""POST /v1/calls/{id}/complete: rate the billable seconds (from acceptance to the end, never more
than authorized) and settle — from the hold for prepaid, onto the receivable for direct bill."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from billing.accounts.models import CalledPartyAccount
from tests.billing.calls.conftest import BROTHER, LAWYER, MOTHER, PRISON, Calls, calls_with_settings, local


def _at(clock: str) -> str:
    """A UTC wall-clock time on 2026-11-25."""
    return f"2026-11-25T{clock}Z"


def test_a_fifteen_minute_prepaid_call_costs_fourteen_cents_and_releases_the_rest(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:20"))
    done = calls.complete(call_id, _at("15:15:20"))
    assert done == {"call_id": call_id, "billable_seconds": 900, "charge": "0.14", "per_minute": "0.009",
                    "available_balance": "9.86"}
    account = calls.account(MOTHER)
    assert (account["available_balance"], account["on_hold"]) == ("9.86", "0.00")
    calls.assert_ledger_clean()


def test_billable_time_starts_at_acceptance_not_at_the_request(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:01:00"))
    assert calls.complete(call_id, _at("15:02:00"))["billable_seconds"] == 60


def test_a_partial_minute_is_billed_as_the_tariffs_increment(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, _at("15:10:01"))
    # 601 s are billed as 11 minutes: 0.099 → 0.10
    assert (done["billable_seconds"], done["charge"], done["available_balance"]) == (601, "0.10", "9.90")


def test_a_call_is_never_billed_for_more_than_it_was_authorized(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.05")  # 360 s
    call_id = calls.authorize(number)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, _at("15:09:00"), "time_limit")  # the platform was late to cut it
    assert (done["billable_seconds"], done["charge"], done["available_balance"]) == (360, "0.05", "0.00")
    calls.assert_ledger_clean()


def test_a_call_that_runs_to_its_limit_costs_exactly_its_hold(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("0.05")
    call_id = calls.authorize(number)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, _at("15:06:00"), "time_limit")
    assert (done["charge"], done["available_balance"]) == ("0.05", "0.00")
    account = calls.account(number)
    assert (account["available_balance"], account["on_hold"]) == ("0.00", "0.00")


def test_a_direct_bill_call_adds_its_charge_to_the_amount_due(calls: Calls) -> None:
    call_id = calls.authorize(BROTHER)["call_id"]
    assert calls.account(BROTHER)["on_hold"] == "0.27"
    calls.accept(call_id, _at("15:00:20"))
    done = calls.complete(call_id, _at("15:15:20"))
    assert done == {"call_id": call_id, "billable_seconds": 900, "charge": "0.14", "per_minute": "0.009",
                    "available_balance": None}
    account = calls.account(BROTHER)
    assert (account["amount_due"], account["on_hold"], account["credit_available"]) == ("0.14", "0.00", "29.86")
    second = calls.authorize(BROTHER, at=_at("16:00:00"))["call_id"]
    calls.accept(second, _at("16:00:00"))
    calls.complete(second, _at("16:30:00"), "time_limit")
    assert calls.account(BROTHER)["amount_due"] == "0.41"
    calls.assert_ledger_clean()


def test_an_attorney_call_is_billed_like_any_other(calls: Calls) -> None:
    call_id = calls.authorize(LAWYER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    assert calls.complete(call_id, _at("15:20:00"))["charge"] == "0.18"
    assert calls.account(LAWYER)["amount_due"] == "0.18"


def test_a_call_nobody_answered_costs_nothing_and_its_hold_is_voided(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    done = calls.complete(call_id, _at("15:01:00"), "hangup")
    assert (done["billable_seconds"], done["charge"], done["available_balance"]) == (0, "0.00", "10.00")
    assert calls.account(MOTHER)["on_hold"] == "0.00"
    assert calls.call(call_id)["state"] == "completed"
    calls.assert_ledger_clean()


def test_a_call_the_called_party_refused_costs_nothing(calls: Calls) -> None:
    for to in (MOTHER, BROTHER):
        call_id = calls.authorize(to)["call_id"]
        done = calls.complete(call_id, _at("15:00:30"), "not_accepted")
        assert (done["billable_seconds"], done["charge"]) == (0, "0.00")
        assert calls.account(to)["on_hold"] == "0.00"
    assert calls.account(MOTHER)["available_balance"] == "10.00"
    assert calls.account(BROTHER)["amount_due"] == "0.00"
    calls.assert_ledger_clean()


def test_a_three_way_call_is_cut_billed_for_its_time_and_recorded_as_an_incident(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, _at("15:04:00"), "three_way_detected")
    assert (done["billable_seconds"], done["charge"]) == (240, "0.04")
    r = calls.staff.get("/v1/incidents")
    assert r.status_code == 200
    [incident] = r.json["incidents"]
    assert incident["kind"] == "three_way_call"
    assert (incident["call_id"], incident["facility"], incident["person"], incident["number"]) == (
        call_id, PRISON, "A12345", MOTHER)
    assert incident["occurred_at"] == _at("15:04:00")
    assert calls.staff.get("/v1/incidents", facility=PRISON).json["incidents"] == [incident]
    assert calls.staff.get("/v1/incidents", facility="IL-JAIL-DEMO").json["incidents"] == []


def test_an_ordinary_hangup_records_no_incident(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    calls.complete(call_id, _at("15:04:00"), "hangup")
    assert calls.staff.get("/v1/incidents").json["incidents"] == []


def test_the_call_platform_does_not_read_incidents(calls: Calls) -> None:
    assert calls.api.get("/v1/incidents").status_code == 403


@pytest.mark.parametrize("seconds", [1, 30, 60])
def test_a_call_dropped_by_the_system_within_a_minute_is_not_charged(shared: Calls, seconds: int) -> None:
    calls = shared
    number, _ = calls.approved_prepaid("10.00")
    call_id = calls.authorize(number)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, f"2026-11-25T15:{seconds // 60:02d}:{seconds % 60:02d}Z", "dropped")
    assert (done["charge"], done["available_balance"]) == ("0.00", "10.00")
    stored = calls.call(call_id)
    assert stored["charge"] == "0.00"
    assert stored["charge_note"]  # the statement can say why
    calls.assert_ledger_clean()


def test_a_call_dropped_after_the_grace_period_is_charged(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    done = calls.complete(call_id, _at("15:01:01"), "dropped")
    assert (done["billable_seconds"], done["charge"], done["available_balance"]) == (61, "0.02", "9.98")


def test_a_short_call_the_family_hung_up_is_charged(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    assert calls.complete(call_id, _at("15:00:30"), "hangup")["charge"] == "0.01"


def test_the_grace_period_is_a_setting(database_url: str) -> None:
    with calls_with_settings(database_url, dropped_call_grace_seconds=120) as calls:
        call_id = calls.authorize(MOTHER)["call_id"]
        calls.accept(call_id, _at("15:00:00"))
        assert calls.complete(call_id, _at("15:01:30"), "dropped")["charge"] == "0.00"


def test_completing_twice_changes_nothing_and_answers_the_same(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:20"))
    first = calls.complete(call_id, _at("15:15:20"))
    account = calls.account(MOTHER)
    assert calls.complete(call_id, _at("15:15:20")) == first
    assert calls.account(MOTHER) == account
    calls.assert_ledger_clean()


def test_a_late_duplicate_completion_with_other_values_changes_nothing(calls: Calls) -> None:
    call_id = calls.authorize(BROTHER)["call_id"]
    calls.accept(call_id, _at("15:00:00"))
    first = calls.complete(call_id, _at("15:05:00"))
    again = calls.complete(call_id, _at("15:25:00"), "three_way_detected")
    assert again == first
    assert calls.account(BROTHER)["amount_due"] == "0.05"
    assert calls.staff.get("/v1/incidents").json["incidents"] == []


def test_a_repeated_completion_answers_the_same_even_after_other_calls(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, _at("15:00:20"))
    first = calls.complete(call_id, _at("15:15:20"))
    calls.authorize(MOTHER, at=_at("15:20:00"))  # the next call holds 0.27 of the same balance
    assert calls.complete(call_id, _at("15:15:20")) == first


def test_a_refused_call_cannot_be_completed(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER, at=local("23:00"))["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/complete", {"ended_at": local("23:05"), "end_reason": "hangup"})
    assert (r.status_code, r.json["code"]) == (409, "CALL_NOT_ACTIVE")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ended_at": "2026-11-25T15:00:10Z", "end_reason": "hangup"}, "ended_at"),  # before acceptance
        ({"ended_at": "2026-11-25T15:10:00Z", "end_reason": "hung_up"}, "end_reason"),
        ({"ended_at": "2026-11-25T15:10:00Z"}, "end_reason"),
        ({"end_reason": "hangup"}, "ended_at"),
        ({"ended_at": "2026-11-25T15:10:00", "end_reason": "hangup"}, "ended_at"),
    ],
)
def test_a_malformed_completion_is_refused_and_settles_nothing(
    shared: Calls, body: dict[str, str], field: str
) -> None:
    calls = shared
    number, _ = calls.approved_prepaid("10.00")
    call_id = calls.authorize(number)["call_id"]
    calls.accept(call_id, _at("15:00:20"))
    r = calls.api.post(f"/v1/calls/{call_id}/complete", body)
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")
    assert r.json["details"]["field"] == field
    assert calls.call(call_id)["state"] == "accepted"
    assert calls.account(number)["on_hold"] == "0.27"


def test_two_calls_on_one_account_each_settle_their_own_hold(calls: Calls) -> None:
    number, _ = calls.approved_prepaid("1.00")
    a = calls.authorize(number)["call_id"]
    b = calls.authorize(number, at=_at("15:00:05"))["call_id"]
    assert calls.account(number)["on_hold"] == "0.54"
    calls.accept(a, _at("15:00:10"))
    calls.accept(b, _at("15:00:15"))
    assert calls.complete(b, _at("15:10:15"))["available_balance"] == "0.64"  # 1.00 − 0.09 − 0.27 held
    assert calls.complete(a, _at("15:20:10"))["available_balance"] == "0.73"  # − 0.18
    calls.assert_ledger_clean()


def test_a_charged_call_restarts_the_accounts_inactivity_clock_and_an_unanswered_one_does_not(
    calls: Calls,
) -> None:
    """Prepaid balances are refunded after 180 days without activity; a call the family paid for is
    activity (to the hour), a call nobody answered is not."""
    number, account = calls.approved_prepaid("10.00")
    long_ago = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)

    def set_clock() -> None:
        with calls.db.unit_of_work() as s:
            s.execute(update(CalledPartyAccount).where(CalledPartyAccount.id == account["id"])
                      .values(last_activity_at=long_ago))

    def clock() -> dt.datetime:
        with calls.db.sessions() as s:
            return s.get_one(CalledPartyAccount, account["id"]).last_activity_at

    set_clock()
    unanswered = calls.authorize(number)["call_id"]
    calls.complete(unanswered, _at("15:00:40"), "not_accepted")
    assert clock() == long_ago

    answered = calls.authorize(number)["call_id"]
    calls.accept(answered, _at("15:01:00"))
    calls.complete(answered, _at("15:03:00"))
    assert clock() > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
