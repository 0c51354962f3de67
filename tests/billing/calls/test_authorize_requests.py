"""POST /v1/calls as a protocol: the same call_id is the same call, and a malformed request is an
error with a code that changes nothing (a refusal, by contrast, is a 200 decision)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.billing.calls.conftest import MOTHER, NOON_ISH, PERSON, PRISON, Calls, local

BODY = {"call_id": "dup-1", "facility": PRISON, "person": PERSON, "to": MOTHER, "requested_at": NOON_ISH}


def test_the_same_call_id_again_gets_the_same_decision_and_holds_nothing_twice(calls: Calls) -> None:
    first = calls.api.post("/v1/calls", BODY)
    assert first.status_code == 200
    account = calls.account(MOTHER)
    assert (account["on_hold"], account["available_balance"]) == ("0.27", "9.73")
    again = calls.api.post("/v1/calls", BODY)
    assert again.status_code == 200
    assert again.json == first.json
    assert calls.account(MOTHER) == account
    calls.assert_ledger_clean()


def test_a_retry_with_the_number_as_dialled_is_the_same_call(calls: Calls) -> None:
    first = calls.api.post("/v1/calls", BODY).json
    again = calls.api.post("/v1/calls", BODY | {"to": "(312) 555-0101", "requested_at": "2026-11-25T09:00:00-06:00"})
    assert again.status_code == 200
    assert again.json == first
    assert calls.account(MOTHER)["on_hold"] == "0.27"


def test_a_retry_returns_the_stored_decision_even_after_the_balance_changed(calls: Calls) -> None:
    number, account = calls.approved_prepaid("0.00")
    body = BODY | {"call_id": "dup-2", "to": number}
    assert calls.api.post("/v1/calls", body).json["code"] == "INSUFFICIENT_FUNDS"
    calls.deposit(account["id"], "5.00")
    assert calls.api.post("/v1/calls", body).json["code"] == "INSUFFICIENT_FUNDS"
    assert calls.account(number)["on_hold"] == "0.00"


def test_a_retry_of_a_completed_call_places_no_new_hold(calls: Calls) -> None:
    calls.api.post("/v1/calls", BODY)
    calls.accept("dup-1", "2026-11-25T15:00:10Z")
    calls.complete("dup-1", "2026-11-25T15:10:10Z")
    settled = calls.account(MOTHER)
    assert settled["on_hold"] == "0.00"
    assert calls.api.post("/v1/calls", BODY).json["authorized"] is True
    assert calls.account(MOTHER) == settled


@pytest.mark.parametrize(
    "change",
    [
        {"to": "+12175550102"},
        {"person": "Z99999"},
        {"facility": "IL-JAIL-DEMO"},
        {"requested_at": "2026-11-25T15:00:01Z"},
    ],
)
def test_the_same_call_id_for_a_different_call_is_a_conflict(calls: Calls, change: dict[str, str]) -> None:
    first = calls.api.post("/v1/calls", BODY).json
    r = calls.api.post("/v1/calls", BODY | change)
    assert r.status_code == 409
    assert r.json["code"] == "CALL_ID_CONFLICT"
    assert calls.call("dup-1")["to"] == MOTHER
    assert calls.api.post("/v1/calls", BODY).json == first
    assert calls.account(MOTHER)["on_hold"] == "0.27"


def test_a_rejected_call_id_is_taken_too(calls: Calls) -> None:
    body = BODY | {"requested_at": local("23:00")}
    assert calls.api.post("/v1/calls", body).json["code"] == "OUTSIDE_CALLING_SCHEDULE"
    r = calls.api.post("/v1/calls", BODY)
    assert (r.status_code, r.json["code"]) == (409, "CALL_ID_CONFLICT")


def _without(name: str) -> dict[str, Any]:
    return {k: v for k, v in BODY.items() if k != name}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (_without("call_id"), 400, "INVALID_PARAMETER"),
        (_without("facility"), 400, "INVALID_PARAMETER"),
        (_without("person"), 400, "INVALID_PARAMETER"),
        (_without("to"), 400, "INVALID_PARAMETER"),
        (_without("requested_at"), 400, "INVALID_PARAMETER"),
        (BODY | {"requested_at": "tomorrow at noon"}, 400, "INVALID_PARAMETER"),
        (BODY | {"requested_at": "2026-11-25T15:00:00"}, 400, "INVALID_PARAMETER"),
        (BODY | {"requested_at": 1764082800}, 400, "INVALID_PARAMETER"),
        (BODY | {"to": "not a number"}, 400, "INVALID_NUMBER"),
        (BODY | {"to": "123"}, 400, "INVALID_NUMBER"),
        (BODY | {"to": 3125550101}, 400, "INVALID_PARAMETER"),
        (BODY | {"call_id": "x" * 101}, 400, "INVALID_PARAMETER"),
        (BODY | {"facility": "NO-SUCH-FACILITY"}, 404, "UNKNOWN_FACILITY"),
        (["not", "an", "object"], 400, "INVALID_JSON"),
    ],
)
def test_a_malformed_request_is_an_error_with_a_code_and_changes_nothing(
    shared: Calls, body: Any, status: int, code: str
) -> None:
    calls = shared
    r = calls.api.post("/v1/calls", body)
    assert r.status_code == status, r.json
    assert r.json["code"] == code
    assert r.json["message"]
    assert calls.api.get("/v1/calls/dup-1").status_code == 404
    account = calls.account(MOTHER)
    assert (account["on_hold"], account["available_balance"]) == ("0.00", "10.00")


@pytest.mark.parametrize("role", ["staff", "legal", "admin"])
def test_only_the_call_platform_may_authorize_calls(shared: Calls, role: str) -> None:
    calls = shared
    r = calls.api.as_(role).post("/v1/calls", BODY)
    assert (r.status_code, r.json["code"]) == (403, "FORBIDDEN")
    assert calls.account(MOTHER)["on_hold"] == "0.00"


@pytest.mark.parametrize("key", ["", "not-a-key"])
def test_authorizing_a_call_needs_an_api_key(shared: Calls, key: str) -> None:
    calls = shared
    r = calls.api.post("/v1/calls", BODY, key=key)
    assert (r.status_code, r.json["code"]) == (401, "UNAUTHORIZED")
    assert calls.account(MOTHER)["on_hold"] == "0.00"


STEPS = [
    ("/v1/calls/dup-1/quote", {}),
    ("/v1/calls/dup-1/accept", {"at": NOON_ISH}),
    ("/v1/calls/dup-1/block", {"at": NOON_ISH, "scope": "all"}),
    ("/v1/calls/dup-1/complete", {"ended_at": NOON_ISH, "end_reason": "hangup"}),
]


def test_the_call_steps_belong_to_the_call_platform(calls: Calls) -> None:
    calls.api.post("/v1/calls", BODY)
    for path, body in STEPS:
        assert calls.staff.post(path, body).status_code == 403, path
        assert calls.api.post(path, body, key="").status_code == 401, path
    assert calls.call("dup-1")["state"] == "authorized"
    assert calls.account(MOTHER)["on_hold"] == "0.27"


@pytest.mark.parametrize(("path", "body"), [(p.replace("dup-1", "nope"), b) for p, b in STEPS])
def test_a_step_for_an_unknown_call_is_not_found(shared: Calls, path: str, body: Any) -> None:
    calls = shared
    r = calls.api.post(path, body)
    assert (r.status_code, r.json["code"]) == (404, "UNKNOWN_CALL")
    assert calls.api.get("/v1/calls/nope").json["code"] == "UNKNOWN_CALL"
