"""API keys are made on the command line, stored hashed, and checked on every request."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from billing import create_app
from billing.apikeys.models import ApiKey
from tests.conftest import make_settings


def test_a_key_made_on_the_cli_works_and_is_stored_only_as_a_hash(app: Any, db: Any, client: Any) -> None:
    result = app.test_cli_runner().invoke(args=["keys", "create", "--name", "ivr-1", "--role", "call_platform"])
    assert result.exit_code == 0, result.output
    key = re.search(r": (icb_\S+)", result.output).group(1)  # type: ignore[union-attr]
    with db.unit_of_work() as session:
        stored = session.scalars(select(ApiKey)).all()
        assert [k.role for k in stored] == ["call_platform"]
        assert key not in {k.key_hash for k in stored} and stored[0].key_hash != key
    r = client.get("/v1/facilities", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200

    listing = app.test_cli_runner().invoke(args=["keys", "list"])
    assert "ivr-1" in listing.output and key not in listing.output

    revoked = app.test_cli_runner().invoke(args=["keys", "revoke", str(stored[0].id)])
    assert revoked.exit_code == 0
    r = client.get("/v1/facilities", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401


def test_an_unknown_role_is_refused(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["keys", "create", "--name", "x", "--role", "root"])
    assert result.exit_code != 0


def test_demo_data_loads_only_in_demo_mode_and_twice_changes_nothing(database_url: str) -> None:
    plain = create_app(make_settings(database_url, demo=False))
    refused = plain.test_cli_runner().invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "demo mode" in refused.output
    plain.extensions["billing.db"].dispose()

    demo = create_app(make_settings(database_url, demo=True))
    first = demo.test_cli_runner().invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "Bearer demo-call-platform" in first.output
    second = demo.test_cli_runner().invoke(args=["demo", "load"])
    assert second.exit_code == 0
    client = demo.test_client()
    facilities = client.get("/v1/facilities", headers={"Authorization": "Bearer demo-call-platform"}).json
    assert [f["code"] for f in facilities["facilities"]] == ["IL-JAIL-DEMO", "IL-PRISON-DEMO"]
    tariffs = client.get("/v1/facilities/IL-PRISON-DEMO/tariffs",
                         headers={"Authorization": "Bearer demo-call-platform"}).json["tariffs"]
    assert len(tariffs) == 3
    demo.extensions["billing.db"].dispose()


def test_demo_keys_do_not_exist_outside_demo_data(client: Any) -> None:
    r = client.get("/v1/facilities", headers={"Authorization": "Bearer demo-call-platform"})
    assert r.status_code == 401


def test_the_public_demo_keys_stop_working_when_demo_mode_is_off(database_url: str) -> None:
    demo = create_app(make_settings(database_url, demo=True))
    assert demo.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    headers = {"Authorization": "Bearer demo-admin"}
    assert demo.test_client().get("/v1/facilities", headers=headers).status_code == 200
    demo.extensions["billing.db"].dispose()

    production = create_app(make_settings(database_url, demo=False))
    r = production.test_client().get("/v1/facilities", headers=headers)
    assert (r.status_code, r.json["code"]) == (401, "UNAUTHORIZED")
    production.extensions["billing.db"].dispose()
