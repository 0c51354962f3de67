"""Admins manage facilities and tariffs; the legal rate caps refuse anything above them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from billing.audit import AuditEntry
from tests.support import Api

TX_JAIL = {"code": "TX-JAIL", "name": "Texas County Jail", "state": "TX", "timezone": "America/Chicago",
           "facility_class": "jail", "average_daily_population": 400}


def _add(admin: Api, code: str, **fields: Any) -> Any:
    body = {"jurisdiction": "interstate", "per_minute": "0.05", "effective_from": "2026-04-06"} | fields
    return admin.post(f"/v1/facilities/{code}/tariffs", body)


def test_an_illinois_prison_tariff_above_seven_cents_is_refused_naming_the_statute(api: Api) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL | {"code": "IL-P2", "state": "IL", "facility_class": "prison",
                                           "average_daily_population": None})
    r = _add(admin, "IL-P2", jurisdiction="intrastate", per_minute="0.08")
    assert r.status_code == 422
    assert r.json["code"] == "RATE_CAP_EXCEEDED"
    assert "Illinois" in r.json["message"] and "0.07" in r.json["message"]


def test_a_jail_tariff_above_the_fcc_25_75_tier_is_refused(api: Api) -> None:
    admin = api.as_("admin")
    assert admin.post("/v1/facilities", TX_JAIL).status_code == 201
    r = _add(admin, "TX-JAIL", per_minute="0.13")
    assert r.status_code == 422
    assert "FCC 25-75" in r.json["message"]
    assert _add(admin, "TX-JAIL", per_minute="0.12").status_code == 201


def test_a_first_minute_above_the_cap_is_refused_too(api: Api) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL)
    r = _add(admin, "TX-JAIL", per_minute="0.05", first_minute="3.86")
    assert r.status_code == 422
    assert r.json["code"] == "RATE_CAP_EXCEEDED"


def test_a_tariff_cannot_carry_a_fee(api: Api) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL)
    r = _add(admin, "TX-JAIL", connection_fee="3.00")
    # Unknown fields are ignored by the parser, and there is no fee anywhere in what was stored.
    assert r.status_code == 201
    assert not any("fee" in key for key in r.json)


def test_shrinking_a_jail_into_a_stricter_tier_is_refused(api: Api) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL | {"average_daily_population": 40})
    assert _add(admin, "TX-JAIL", per_minute="0.19").status_code == 201
    r = admin.patch("/v1/facilities/TX-JAIL", {"average_daily_population": 1500})
    assert r.status_code == 422
    assert r.json["code"] == "RATE_CAP_EXCEEDED"
    assert admin.get("/v1/facilities/TX-JAIL").json["average_daily_population"] == 40


def test_overlapping_tariffs_are_refused(api: Api) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL)
    assert _add(admin, "TX-JAIL", effective_to="2026-12-31").status_code == 201
    r = _add(admin, "TX-JAIL", effective_from="2026-12-01")
    assert r.status_code == 422
    assert r.json["code"] == "INVALID_TARIFF"
    assert _add(admin, "TX-JAIL", effective_from="2027-01-01", per_minute="0.06").status_code == 201


def test_changes_are_audited_with_who_and_what(api: Api, db: Any) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL)
    tariff = _add(admin, "TX-JAIL").json
    admin.patch(f"/v1/tariffs/{tariff['id']}", {"per_minute": "0.04"})
    with db.unit_of_work() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = [(e.action, e.role, e.actor) for e in entries]
        assert actions == [
            ("facility.create", "admin", actions[0][2]),
            ("tariff.create", "admin", actions[0][2]),
            ("tariff.update", "admin", actions[0][2]),
        ]
        assert "demo admin" in actions[0][2]
        assert entries[-1].details["before"]["per_minute"] == "0.05"
        assert entries[-1].details["after"]["per_minute"] == "0.04"


@pytest.mark.parametrize("role", ["call_platform", "staff", "legal"])
def test_only_admins_change_tariffs(api: Api, role: str) -> None:
    r = _add(api.as_(role), "IL-PRISON-DEMO", effective_from="2030-01-01")
    assert r.status_code == 403
    assert r.json["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"jurisdiction": "galactic", "per_minute": "0.05", "effective_from": "2026-04-06"}, "INVALID_PARAMETER"),
        ({"jurisdiction": "interstate", "per_minute": 0.05, "effective_from": "2026-04-06"}, "INVALID_PARAMETER"),
        ({"jurisdiction": "interstate", "per_minute": "-0.01", "effective_from": "2026-04-06"}, "INVALID_TARIFF"),
        ({"jurisdiction": "interstate", "per_minute": "0.05"}, "INVALID_PARAMETER"),
        ({"jurisdiction": "interstate", "per_minute": "0.05", "effective_from": "2026-13-01"}, "INVALID_PARAMETER"),
        ({"jurisdiction": "interstate", "per_minute": "0.05", "effective_from": "2026-04-06",
          "increment_seconds": 0}, "INVALID_PARAMETER"),
        ({"jurisdiction": "interstate", "per_minute": "0.05", "effective_from": "2026-04-06",
          "destination_prefix": "52"}, "INVALID_TARIFF"),
    ],
)
def test_malformed_tariffs_change_nothing(api: Api, body: dict[str, Any], code: str) -> None:
    admin = api.as_("admin")
    admin.post("/v1/facilities", TX_JAIL)
    r = admin.post("/v1/facilities/TX-JAIL/tariffs", body)
    assert r.status_code in (400, 422)
    assert r.json["code"] == code
    assert admin.get("/v1/facilities/TX-JAIL/tariffs").json["tariffs"] == []


def test_a_facility_needs_valid_fields(api: Api) -> None:
    admin = api.as_("admin")
    assert admin.post("/v1/facilities", TX_JAIL | {"state": "XX"}).json["code"] == "INVALID_PARAMETER"
    assert admin.post("/v1/facilities", TX_JAIL | {"timezone": "Mars/Base"}).json["code"] == "INVALID_PARAMETER"
    assert admin.post("/v1/facilities", TX_JAIL | {"average_daily_population": None}).status_code == 400
    assert admin.post("/v1/facilities", TX_JAIL).status_code == 201
    assert admin.post("/v1/facilities", TX_JAIL).json["code"] == "ALREADY_EXISTS"
    assert admin.client.post("/v1/facilities", data="not json", headers={
        "Authorization": "Bearer demo-admin", "Content-Type": "application/json"}).json["code"] == "INVALID_JSON"
