"""OpenAPI paths of statements (staff)."""

from __future__ import annotations

from typing import Any

from billing.openapi import DATE, DATETIME, FORBIDDEN, INT, MONEY, NULLABLE_MONEY, STR, UNAUTHORIZED, error, obj, ok

NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
LINE = obj(
    ["kind", "posted_at", "date", "description", "amount", "effect"],
    kind={"type": "string", "enum": ["call", "payment", "adjustment"]}, posted_at=DATETIME, date=DATE,
    description=STR, amount=MONEY,
    effect={**MONEY, "description": "What the line did to the balance: + raises it, − lowers it."},
    call_id=STR, number=STR, facility=STR, started_at=NULL_STR, billable_seconds=INT, per_minute=MONEY,
    first_minute=NULLABLE_MONEY, increment_seconds=NULL_INT, minimum_seconds=NULL_INT, rounding=STR, charge=MONEY,
    how={**STR, "description": "How the charge was made, from the call's own rate snapshot."}, note=NULL_STR,
)
SUMMARY_FIELDS: dict[str, Any] = {
    "number": STR, "account_id": INT, "plan": {"type": "string", "enum": ["prepaid", "direct_bill"]},
    "currency": STR, "period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}, "period_start": DATE,
    "period_end": DATE, "timezone": STR, "statement_date": DATE,
    "due_date": {**NULL_STR, "format": "date", "description": "Direct bill only."},
    "opening_balance": {**MONEY, "description": "Direct bill: what was owed; prepaid: what was held."},
    "charges": {**MONEY, "description": "The period's call charges (≥ 0): raise what is owed, lower what is held."},
    "payments": {**MONEY, "description": "Payments and deposits (≥ 0): lower what is owed, raise what is held."},
    "adjustments": {**MONEY, "description": "Signed: what refunds, disputes and corrections did to the balance."},
    "closing_balance": {**MONEY, "description": "Direct bill: opening + charges − payments + adjustments; "
                                                "prepaid: opening − charges + payments + adjustments."},
    "amount_due": {**NULLABLE_MONEY, "description": "Direct bill only: the closing balance if positive."},
    "issued_at": DATETIME,
    "past_due": {"type": ["object", "null"], "description": "Set once the due date passed with part of the "
                 "amount due unpaid: when, what was unpaid then, and what was done (`suspended` or `none`).",
                 "properties": {"noticed_at": DATETIME, "unpaid": MONEY,
                                "action": {"type": "string", "enum": ["suspended", "none"]}}},
}
SUMMARY_REQUIRED = list(SUMMARY_FIELDS)
SCHEMAS: dict[str, Any] = {
    "StatementSummary": obj(SUMMARY_REQUIRED, **SUMMARY_FIELDS),
    "Statement": obj(
        [*SUMMARY_REQUIRED, "holder", "calls_by_number", "payments_detail", "adjustments_detail"],
        **SUMMARY_FIELDS, holder=obj(name=STR, address=STR),
        calls_by_number={"type": "array", "items": obj(
            ["number", "calls", "count", "billable_seconds", "total"], number=NULL_STR,
            calls={"type": "array", "items": LINE}, count=INT, billable_seconds=INT, total=MONEY)},
        payments_detail={"type": "array", "items": LINE}, adjustments_detail={"type": "array", "items": LINE},
    ),
}
MISSING = error("No such account or statement.", "NOT_FOUND")
READ = {"401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}

PATHS: dict[str, Any] = {
    "/v1/accounts/{account_id}/statements": {
        "parameters": [{"name": "account_id", "in": "path", "required": True, "schema": INT}],
        "get": {"summary": "An account's monthly statements, newest first", "operationId": "listStatements",
                "responses": {"200": ok("Statements.", obj(["account_id", "statements"], account_id=INT,
                                                           statements={"type": "array", "items": {
                                                               "$ref": "#/components/schemas/StatementSummary"}})),
                              **READ}},
    },
    "/v1/statements/{number}": {
        "parameters": [{"name": "number", "in": "path", "required": True, "schema": STR}],
        "get": {"summary": "A statement: summary, calls grouped by number called (each with how it was priced), "
                           "payments and adjustments", "operationId": "getStatement",
                "responses": {"200": ok("The statement.", {"$ref": "#/components/schemas/Statement"}), **READ}},
    },
}
