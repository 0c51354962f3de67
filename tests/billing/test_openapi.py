"""The OpenAPI document covers every /v1 endpoint, with its errors."""

from __future__ import annotations

import re
from typing import Any


def _documented(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method) for path, item in spec["paths"].items() for method in item if method != "parameters"}


def _routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_v1_route_is_documented(app: Any, client: Any) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json
    assert spec["openapi"].startswith("3.")
    assert _routes(app) <= _documented(spec), _routes(app) - _documented(spec)
    assert _documented(spec) <= _routes(app), _documented(spec) - _routes(app)


def test_every_operation_documents_its_errors_with_the_error_body(client: Any) -> None:
    spec = client.get("/openapi.json").json
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            codes = set(op["responses"])
            assert any(c.startswith("2") for c in codes), (path, method)
            assert any(c.startswith("4") for c in codes), (path, method)
            if op.get("security", spec["security"]):
                assert "401" in codes, (path, method)
            for code, response in op["responses"].items():
                if code.startswith("4"):
                    assert "Error" in str(response["content"]), (path, method, code)


def test_the_quote_contract_is_documented_field_by_field(client: Any) -> None:
    spec = client.get("/openapi.json").json
    quote = spec["components"]["schemas"]["Quote"]
    assert set(quote["required"]) == {"facility", "to", "jurisdiction", "currency", "per_minute", "first_minute",
                                      "billing_increment_seconds", "minutes", "charge", "text"}
