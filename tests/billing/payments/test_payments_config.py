"""Without Stripe configured, payments answer 503 and nothing else breaks; only gateway.py imports stripe."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from billing import create_app
from billing.demo import load_demo
from tests.billing.payments.support import event_payload, new_key, sign
from tests.conftest import make_settings
from tests.support import Api

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def bare_app(database_url: str) -> Iterator[Flask]:
    """The app with no STRIPE_* setting at all."""
    app = create_app(make_settings(database_url))
    app.config["TESTING"] = True
    with app.extensions["billing.db"].unit_of_work() as s:
        load_demo(s, make_settings(database_url, demo=True))
    yield app
    app.extensions["billing.db"].dispose()


def test_payment_endpoints_answer_503_without_a_secret_key(bare_app: Flask) -> None:
    client = bare_app.test_client()
    staff = Api(client).as_("staff")
    account = staff.get("/v1/accounts", number="+13125550101").json
    body = {"amount": "20.00", "payment_method": "pm_card_visa", "idempotency_key": new_key()}
    for path in (f"/v1/accounts/{account['id']}/deposits", f"/v1/accounts/{account['id']}/payments",
                 f"/v1/accounts/{account['id']}/close"):
        r = staff.post(path, json=body)
        assert r.status_code == 503 and r.json["code"] == "PAYMENTS_UNAVAILABLE", path
    payload = event_payload("payment_intent.succeeded", {"id": "pi_x"})
    r = client.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": sign(payload)})
    assert r.status_code == 503 and r.json["code"] == "PAYMENTS_UNAVAILABLE"
    # everything else works: the account, its (empty) payments and refunds, the OpenAPI document
    assert staff.get(f"/v1/accounts/{account['id']}").json["available_balance"] == "10.00"
    assert staff.get(f"/v1/accounts/{account['id']}/payments").json == {"payments": []}
    assert staff.get("/v1/refunds", status="check_pending").json == {"refunds": []}
    assert client.get("/openapi.json").status_code == 200
    result = bare_app.test_cli_runner().invoke(args=["payments", "janitor"])
    assert result.exit_code != 0 and "not configured" in result.output


def test_only_the_gateway_imports_stripe() -> None:
    importers = []
    for package in ("billing", "rating", "ledgers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                if any(n == "stripe" or n.startswith("stripe.") for n in names):
                    importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["billing/payments/gateway.py"]


def test_the_payment_routes_are_documented(client: Any) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert set(paths["/v1/accounts/{account_id}/deposits"]) >= {"post"}
    assert "402" in paths["/v1/accounts/{account_id}/deposits"]["post"]["responses"]
    assert "/webhooks/stripe" not in paths
