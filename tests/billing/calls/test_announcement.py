"""The announcement: the called party hears who is calling and may ask for a rate quote, accept
(billable time starts) or block the number (recorded, the hold voided, nothing charged)."""

from __future__ import annotations

import pytest

from tests.billing.calls.conftest import JAIL, MOTHER, NOON_ISH, PRISON, Calls, fresh_number, local

# --- the rate quote ------------------------------------------------------------------------------


def test_the_announcement_quotes_this_calls_rate_like_the_public_quote(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/quote")
    assert r.status_code == 200, r.json
    public = calls.api.get("/v1/quote", facility=PRISON, to=MOTHER, at=NOON_ISH)
    assert r.json == public.json
    assert r.json["to"] == MOTHER
    assert (r.json["per_minute"], r.json["minutes"], r.json["charge"]) == ("0.009", 15, "0.14")
    assert r.json["text"].startswith("This call costs nine tenths of a cent per minute")


def test_the_announcement_quote_takes_minutes_and_language_in_the_body(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/quote", {"minutes": 5, "lang": "es"})
    assert r.status_code == 200, r.json
    assert (r.json["minutes"], r.json["charge"]) == (5, "0.05")
    assert r.json["text"].startswith("Esta llamada cuesta")
    assert r.json == calls.api.get("/v1/quote", facility=PRISON, to=MOTHER, at=NOON_ISH, minutes="5", lang="es").json


def test_a_jail_calls_quote_is_the_jails_rate(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-400")
    number, _ = calls.approved_prepaid(person=person)
    call_id = calls.authorize(number, person=person, facility=JAIL)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/quote", {"minutes": "15"})
    assert (r.json["facility"], r.json["per_minute"], r.json["charge"]) == (JAIL, "0.07", "1.05")


@pytest.mark.parametrize(("body", "code"), [({"minutes": 0}, "INVALID_PARAMETER"),
                                            ({"lang": "fr"}, "INVALID_PARAMETER"),
                                            ({"minutes": "ten"}, "INVALID_PARAMETER")])
def test_a_bad_quote_option_is_an_error(shared: Calls, body: dict[str, object], code: str) -> None:
    calls = shared
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/quote", body)
    assert (r.status_code, r.json["code"]) == (400, code)


def test_hearing_the_quote_changes_nothing(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.api.post(f"/v1/calls/{call_id}/quote")
    assert calls.call(call_id)["state"] == "authorized"
    assert calls.account(MOTHER)["on_hold"] == "0.27"


def test_the_quote_for_a_call_is_the_rate_the_call_will_be_charged(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.admin.patch(f"/v1/tariffs/{calls.tariff_id(PRISON)}", {"per_minute": "0.005"})
    assert r.status_code == 200, r.json
    quoted = calls.api.post(f"/v1/calls/{call_id}/quote").json
    calls.accept(call_id, "2026-11-25T15:00:00Z")
    done = calls.complete(call_id, "2026-11-25T15:15:00Z")
    assert quoted["per_minute"] == done["per_minute"]
    assert quoted["charge"] == done["charge"]


# --- accepting ------------------------------------------------------------------------------------


def test_accepting_starts_billable_time(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    body = calls.accept(call_id, "2026-11-25T15:00:20Z")
    assert (body["state"], body["accepted_at"]) == ("accepted", "2026-11-25T15:00:20Z")
    assert calls.call(call_id)["accepted_at"] == "2026-11-25T15:00:20Z"


def test_accepting_twice_keeps_the_first_acceptance(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:20Z")
    assert calls.accept(call_id, "2026-11-25T15:00:25Z")["accepted_at"] == "2026-11-25T15:00:20Z"


def test_a_refused_call_cannot_be_accepted(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER, at=local("23:00"))["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/accept", {"at": local("23:00:10")})
    assert (r.status_code, r.json["code"]) == (409, "CALL_NOT_ACTIVE")


@pytest.mark.parametrize(("at", "code"), [("2026-11-25T14:59:59Z", "INVALID_PARAMETER"),
                                          ("2026-11-25T15:00:10", "INVALID_PARAMETER"),
                                          (None, "INVALID_PARAMETER")])
def test_an_acceptance_needs_a_time_after_the_request(shared: Calls, at: str | None, code: str) -> None:
    calls = shared
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/accept", {"at": at})
    assert (r.status_code, r.json["code"]) == (400, code)
    assert calls.call(call_id)["state"] == "authorized"


# --- blocking at the announcement ----------------------------------------------------------------


def test_blocking_at_the_announcement_records_a_block_voids_the_hold_and_charges_nothing(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    assert calls.account(MOTHER)["on_hold"] == "0.27"
    r = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"})
    assert r.status_code == 200, r.json
    assert (r.json["blocked"], r.json["scope"], r.json["charge"]) == (True, "all", "0.00")
    [block] = calls.blocks(MOTHER)
    assert block["id"] == r.json["block_id"]
    assert (block["source"], block["scope"], block["facility"], block["active"]) == ("called_party", "all", None, True)
    assert block["reason"] and block["created_by"] and block["created_at"]
    account = calls.account(MOTHER)
    assert (account["on_hold"], account["available_balance"]) == ("0.00", "10.00")
    stored = calls.call(call_id)
    assert (stored["state"], stored["charge"], stored["billable_seconds"]) == ("blocked", "0.00", 0)
    calls.assert_ledger_clean()


def test_after_a_block_every_later_call_to_that_number_is_refused(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"})
    assert calls.code(MOTHER, at=local("10:00")) == "NUMBER_BLOCKED"
    person = calls.person_at(JAIL, "J-401")
    calls.approve(MOTHER, person=person)
    assert calls.code(MOTHER, person=person, facility=JAIL) == "NUMBER_BLOCKED"


def test_a_block_for_one_facility_leaves_calls_from_other_facilities(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-402")
    calls.approve(MOTHER, person=person)
    call_id = calls.authorize(MOTHER)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "facility"})
    assert r.status_code == 200, r.json
    [block] = calls.blocks(MOTHER)
    assert (block["scope"], block["facility"], block["source"]) == ("facility", PRISON, "called_party")
    assert calls.code(MOTHER, at=local("10:00")) == "NUMBER_BLOCKED"
    assert calls.authorize(MOTHER, person=person, facility=JAIL, at=local("10:00"))["authorized"] is True


def test_blocking_twice_records_one_block(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    first = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"}).json
    again = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"})
    assert again.status_code == 200
    assert again.json["block_id"] == first["block_id"]
    assert len(calls.blocks(MOTHER)) == 1


def test_a_blocked_call_completes_at_no_charge(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"})
    done = calls.complete(call_id, "2026-11-25T15:00:16Z", "not_accepted")
    assert (done["billable_seconds"], done["charge"], done["available_balance"]) == (0, "0.00", "10.00")


def test_an_accepted_call_can_no_longer_be_blocked_from_the_announcement(calls: Calls) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:15Z")
    r = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:20Z", "scope": "all"})
    assert (r.status_code, r.json["code"]) == (409, "CALL_NOT_ACTIVE")
    assert calls.blocks(MOTHER) == []


def test_a_block_needs_a_known_scope(calls: Calls) -> None:
    number, _ = calls.approved_prepaid()
    call_id = calls.authorize(number)["call_id"]
    r = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "everyone"})
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")
    assert calls.blocks(number) == []
    assert calls.account(number)["on_hold"] == "0.27"


def test_blocking_one_number_leaves_the_accounts_other_numbers(calls: Calls) -> None:
    number, account = calls.approved_prepaid()
    second = fresh_number()
    calls.approve(second)
    assert calls.staff.post(f"/v1/accounts/{account['id']}/numbers",
                            {"number": second, "line_type": "landline"}).status_code == 201
    call_id = calls.authorize(number)["call_id"]
    calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:15Z", "scope": "all"})
    assert calls.authorize(second, at=local("10:00"))["authorized"] is True
