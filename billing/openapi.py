"""``GET /openapi.json``: the OpenAPI 3.1 document of every ``/v1`` endpoint.

Each views module declares its own paths (``OPENAPI_PATHS``) next to the views; this module adds
the shared pieces (the error body, security) and merges them. A test checks that every ``/v1``
route of the app is documented with every method it answers.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

bp = Blueprint("openapi", __name__)

ERROR = {"$ref": "#/components/schemas/Error"}


def error(description: str, *codes: str) -> dict[str, Any]:
    """A documented error response whose body carries one of ``codes``."""
    schema: dict[str, Any] = {"allOf": [ERROR]}
    if codes:
        schema = {"allOf": [ERROR, {"properties": {"code": {"enum": list(codes)}}}]}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2,6}$", "examples": ["0.14"]}
NULLABLE_MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2,6}$"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}

UNAUTHORIZED = error("Missing, unknown or revoked API key.", "UNAUTHORIZED")
FORBIDDEN = error("The key's role may not do this.", "FORBIDDEN")
INVALID = error("Malformed input.", "INVALID_PARAMETER", "INVALID_JSON")


def build_spec() -> dict[str, Any]:
    # Imported here: each of these modules imports the helpers above from this one.
    from billing.accounts import openapi as accounts  # noqa: PLC0415
    from billing.calls import openapi as calls  # noqa: PLC0415
    from billing.facilities import openapi as facilities  # noqa: PLC0415
    from billing.payments import openapi as payments  # noqa: PLC0415
    from billing.people import openapi as people  # noqa: PLC0415
    from billing.statements import openapi as statements  # noqa: PLC0415

    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": obj(["code", "message"], code=STR, message=STR, details={"type": "object"}),
    }
    for module in (facilities, calls, people, accounts, payments, statements):
        paths.update(module.PATHS)
        schemas.update(module.SCHEMAS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Correctional calls billing and rating API",
            "version": "1",
            "description": "Authorize, quote and complete calls; accounts, payments and statements. "
            "Money is a decimal string in the currency's units (\"0.14\"); errors are JSON "
            "bodies with a stable `code` and a human `message`.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(build_spec())
