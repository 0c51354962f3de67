"""The rate quote the call platform asks for while the called party hears the announcement."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from tests.support import Api


def test_a_call_from_the_illinois_prison_to_chicago_is_intrastate_at_nine_tenths_of_a_cent(api: Api) -> None:
    r = api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101")
    assert r.status_code == 200
    assert r.json == {
        "facility": "IL-PRISON-DEMO",
        "to": "+13125550101",
        "jurisdiction": "intrastate",
        "currency": "USD",
        "per_minute": "0.009",
        "first_minute": "0.009",
        "billing_increment_seconds": 60,
        "minutes": 15,
        "charge": "0.14",
        "text": "This call costs nine tenths of a cent per minute; a fifteen-minute call costs fourteen cents.",
    }


def test_the_quote_is_spoken_in_spanish_on_request(api: Api) -> None:
    r = api.get("/v1/quote", facility="IL-PRISON-DEMO", to="+13125550101", lang="es")
    assert r.status_code == 200
    assert r.json["text"] == (
        "Esta llamada cuesta nueve décimas de centavo por minuto; "
        "una llamada de quince minutos cuesta catorce centavos."
    )


@pytest.mark.parametrize(
    ("facility", "to", "minutes", "jurisdiction", "per_minute", "charge"),
    [
        ("IL-PRISON-DEMO", "+12025550123", "15", "interstate", "0.009", "0.14"),
        ("IL-PRISON-DEMO", "+524421234567", "15", "international", "0.11", "1.65"),
        ("IL-PRISON-DEMO", "+442071234567", "1", "international", "0.11", "0.11"),
        ("IL-JAIL-DEMO", "(217) 555-0102", "15", "intrastate", "0.07", "1.05"),
        ("IL-JAIL-DEMO", "+14165551234", "30", "international", "0.12", "3.60"),
        ("IL-PRISON-DEMO", "3125550101", "1440", "intrastate", "0.009", "12.96"),
        ("IL-PRISON-DEMO", "3125550101", "1", "intrastate", "0.009", "0.01"),
    ],
)
def test_quotes_price_the_whole_call_once_rounded_half_up(
    api: Api, facility: str, to: str, minutes: str, jurisdiction: str, per_minute: str, charge: str
) -> None:
    r = api.get("/v1/quote", facility=facility, to=to, minutes=minutes)
    assert r.status_code == 200, r.json
    assert (r.json["jurisdiction"], r.json["per_minute"], r.json["charge"]) == (jurisdiction, per_minute, charge)
    assert r.json["minutes"] == int(minutes)


def test_the_jail_quote_says_dollars_and_cents(api: Api) -> None:
    r = api.get("/v1/quote", facility="IL-JAIL-DEMO", to="3125550101")
    assert r.json["text"] == (
        "This call costs seven cents per minute; a fifteen-minute call costs one dollar and five cents."
    )


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"facility": "NOPE", "to": "3125550101"}, 404, "UNKNOWN_FACILITY"),
        ({"to": "3125550101"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "abc"}, 400, "INVALID_NUMBER"),
        ({"facility": "IL-PRISON-DEMO", "to": "123"}, 400, "INVALID_NUMBER"),
        ({"facility": "IL-PRISON-DEMO", "to": "+1 312 555 010"}, 400, "INVALID_NUMBER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "minutes": "0"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "minutes": "1441"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "minutes": "1.5"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "minutes": "ten"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "lang": "fr"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "at": "yesterday"}, 400, "INVALID_PARAMETER"),
        ({"facility": "IL-PRISON-DEMO", "to": "3125550101", "at": "2026-01-01T12:00:00Z"}, 404, "NO_TARIFF"),
    ],
)
def test_bad_quote_requests_get_a_clear_error(api: Api, params: dict[str, str], status: int, code: str) -> None:
    r = api.get("/v1/quote", **params)
    assert r.status_code == status
    assert r.json["code"] == code
    assert r.json["message"]


@pytest.mark.parametrize("key", ["", "wrong-key", "x" * 500])
def test_a_quote_needs_a_valid_api_key(api: Api, key: str) -> None:
    r = api.get("/v1/quote", key=key, facility="IL-PRISON-DEMO", to="3125550101")
    assert r.status_code == 401
    assert r.json["code"] == "UNAUTHORIZED"


def test_a_basic_auth_header_is_not_a_bearer_key(api: Api) -> None:
    r = api.client.get("/v1/quote?facility=IL-PRISON-DEMO&to=3125550101",
                       headers={"Authorization": "Basic ZGVtbzpkZW1v"})
    assert r.status_code == 401


def _count_statements(engine: Any) -> list[str]:
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    return statements


def test_a_quote_hits_the_database_once(api: Api, db: Any) -> None:
    api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101")  # warms the rate cache
    statements = _count_statements(db.engine)
    for _ in range(3):
        assert api.get("/v1/quote", facility="IL-PRISON-DEMO", to="+524421234567").status_code == 200
    assert len(statements) == 3, statements


def test_a_tariff_change_in_another_worker_reaches_the_cached_quote(api: Api, app: Any, settings: Any) -> None:
    from billing import create_app
    from tests.support import Api as Client

    assert api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101").json["per_minute"] == "0.009"
    other_worker = create_app(settings)
    admin = Client(other_worker.test_client(), "admin")
    tariffs = admin.get("/v1/facilities/IL-PRISON-DEMO/tariffs").json["tariffs"]
    intrastate = next(t for t in tariffs if t["jurisdiction"] == "intrastate")
    assert admin.patch(f"/v1/tariffs/{intrastate['id']}", {"per_minute": "0.008"}).status_code == 200
    other_worker.extensions["billing.db"].dispose()

    r = api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101")
    assert (r.json["per_minute"], r.json["charge"]) == ("0.008", "0.12")


def test_with_the_worker_cache_most_quotes_touch_no_database(database_url: str, monkeypatch: Any) -> None:
    """AUTH_CACHE_MS: the key and catalog version are re-read at most once per interval."""
    from dataclasses import replace

    import billing.web
    from billing import create_app
    from billing.demo import load_demo
    from tests.conftest import make_settings
    from tests.support import Api as Client

    settings = make_settings(database_url, auth_cache_ms=60_000)
    app = create_app(settings)
    db = app.extensions["billing.db"]
    with db.unit_of_work() as session:
        load_demo(session, replace(settings, demo=True))
    api = Client(app.test_client())
    clock = [10**12]
    monkeypatch.setattr(billing.web.time, "monotonic_ns", lambda: clock[0])

    assert api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101").status_code == 200
    statements = _count_statements(db.engine)
    for _ in range(5):
        assert api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101").status_code == 200
    assert statements == []

    clock[0] += 60 * 10**9  # the interval passed: one lookup again, and only one
    assert api.get("/v1/quote", facility="IL-PRISON-DEMO", to="3125550101").status_code == 200
    assert len(statements) == 1
    db.dispose()


def test_a_tariff_change_is_seen_at_once_by_the_worker_that_made_it(database_url: str) -> None:
    from dataclasses import replace

    from billing import create_app
    from billing.demo import load_demo
    from tests.conftest import make_settings
    from tests.support import Api as Client

    settings = make_settings(database_url, auth_cache_ms=60_000)
    app = create_app(settings)
    with app.extensions["billing.db"].unit_of_work() as session:
        load_demo(session, replace(settings, demo=True))
    api = Client(app.test_client())
    assert api.get("/v1/quote", facility="IL-JAIL-DEMO", to="3125550101").json["per_minute"] == "0.07"
    admin = api.as_("admin")
    tariffs = admin.get("/v1/facilities/IL-JAIL-DEMO/tariffs").json["tariffs"]
    intrastate = next(t for t in tariffs if t["jurisdiction"] == "intrastate")
    assert admin.patch(f"/v1/tariffs/{intrastate['id']}", {"per_minute": "0.05"}).status_code == 200
    assert api.get("/v1/quote", facility="IL-JAIL-DEMO", to="3125550101").json["per_minute"] == "0.05"
    app.extensions["billing.db"].dispose()
