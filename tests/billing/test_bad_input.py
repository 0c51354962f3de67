"""Odd input gets a clear 4xx with a stable code, never a 500, and changes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.support import Api

CALL = {"call_id": "odd-1", "facility": "IL-PRISON-DEMO", "person": "A12345", "to": "+13125550101",
        "requested_at": "2026-11-25T15:00:00Z"}


@pytest.mark.parametrize("field", ["call_id", "person", "facility"])
def test_control_characters_in_a_call_are_refused(api: Api, field: str) -> None:
    r = api.post("/v1/calls", CALL | {field: "A\x00B"})
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")


def test_control_characters_in_a_path_are_refused(api: Api) -> None:
    r = api.get("/v1/calls/a%00b")
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "0001-01-01T05:00:00Z", "9999-12-31T23:00:00Z",
                                "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"])
def test_timestamps_outside_any_plausible_call_are_refused(api: Api, at: str) -> None:
    r = api.post("/v1/calls", CALL | {"requested_at": at})
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")
    q = api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101", at=at)
    assert (q.status_code, q.json["code"]) == (400, "INVALID_PARAMETER")
    assert api.as_("staff").get("/v1/calls/odd-1").status_code == 404


@pytest.mark.parametrize("minutes", ["--5", "²", "٣", "+5", " 5 5"])
def test_only_plain_ascii_integers_count_as_minutes(api: Api, minutes: str) -> None:
    r = api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101", minutes=minutes)
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")


@pytest.mark.parametrize("limit", ["10.005", "99999999999999999999", "1e3", 30])
def test_a_credit_limit_is_whole_cents_of_a_sane_size(api: Api, limit: Any) -> None:
    staff = api.as_("staff")
    account = staff.get("/v1/accounts", number="+12175550102").json
    r = staff.patch(f"/v1/accounts/{account['id']}", {"credit_limit": limit})
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")
    assert staff.get(f"/v1/accounts/{account['id']}").json["credit_limit"] == "30.00"


def test_a_long_key_name_is_refused_so_audit_rows_always_fit(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["keys", "create", "--name", "x" * 95, "--role", "staff"])
    assert result.exit_code != 0


@pytest.mark.postgres_only
def test_two_staff_opening_an_account_for_one_number_at_once_get_201_and_409(app: Any, demo: Any) -> None:
    body = {"plan": "prepaid", "holder": {"name": "Twin"}, "numbers": [{"number": "+13125559876",
                                                                        "line_type": "mobile"}]}
    start = threading.Barrier(4)
    statuses: list[int] = []

    def open_one() -> None:
        client = Api(app.test_client(), "staff")
        start.wait()
        statuses.append(client.post("/v1/accounts", body).status_code)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409, 409]
