"""OpenAPI paths of the call platform's call endpoints and the staff incident list."""

from __future__ import annotations

from typing import Any

from billing.openapi import (
    BOOL,
    DATETIME,
    FORBIDDEN,
    INT,
    INVALID,
    MONEY,
    STR,
    UNAUTHORIZED,
    body,
    error,
    obj,
    ok,
)

NULL_MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2,6}$"}
DECISION_CODES = [
    "AUTHORIZED", "UNKNOWN_PERSON", "PHONE_RESTRICTED", "NOT_ON_APPROVED_LIST", "OUTSIDE_CALLING_SCHEDULE",
    "NUMBER_BLOCKED", "NO_ACCOUNT", "NON_PROVIDER_ACCOUNT", "PREPAID_REQUIRED", "ACCOUNT_SUSPENDED", "NO_TARIFF",
    "INSUFFICIENT_FUNDS", "CREDIT_LIMIT_REACHED",
]

SCHEMAS: dict[str, Any] = {
    "CallRequest": obj(["call_id", "facility", "person", "to", "requested_at"], call_id=STR, facility=STR,
                       person={"type": "string", "description": "The person's id number, e.g. A12345."},
                       to={"type": "string", "description": "E.164 or as dialled in the facility's country."},
                       requested_at=DATETIME),
    "CallDecision": obj(
        ["call_id", "authorized", "code", "message", "max_duration_seconds", "monitored", "caller_id",
         "per_minute", "currency"],
        call_id=STR, authorized=BOOL, code={"type": "string", "enum": DECISION_CODES},
        message={"type": "string", "description": "A sentence the IVR can say and the family can read."},
        max_duration_seconds=INT, monitored=BOOL, caller_id=STR, per_minute=NULL_MONEY,
        currency={"type": ["string", "null"]},
    ),
    "CallCompletion": obj(["call_id", "billable_seconds", "charge", "per_minute", "available_balance"],
                          call_id=STR, billable_seconds=INT, charge=MONEY, per_minute=NULL_MONEY,
                          available_balance=NULL_MONEY),
    "Call": {"allOf": [{"$ref": "#/components/schemas/CallDecision"}, obj(
        facility=STR, person=STR, to=STR, state={"type": "string", "enum": [
            "rejected", "authorized", "accepted", "blocked", "completed", "expired"]},
        plan={"type": ["string", "null"]}, account_id={"type": ["integer", "null"]},
        requested_at=DATETIME, accepted_at={"type": ["string", "null"]}, ended_at={"type": ["string", "null"]},
        end_reason={"type": ["string", "null"]}, billable_seconds={"type": ["integer", "null"]},
        charge=NULL_MONEY, charge_note={"type": ["string", "null"]}, held=NULL_MONEY,
        rate={"type": ["object", "null"], "description": "The tariff values that priced the call."},
    )]},
}

CALL_ID = {"name": "call_id", "in": "path", "required": True, "schema": STR}
UNKNOWN_CALL = error("No call has that id.", "UNKNOWN_CALL")
NOT_ACTIVE = error("The call is not in a state that allows this step.", "CALL_NOT_ACTIVE")


def _step(summary: str, op_id: str, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": [CALL_ID], "post": {
        "summary": summary, "operationId": op_id, "requestBody": body(request),
        "responses": {"200": response, "400": INVALID, "401": UNAUTHORIZED, "403": FORBIDDEN,
                      "404": UNKNOWN_CALL, "409": NOT_ACTIVE},
    }}


PATHS: dict[str, Any] = {
    "/v1/calls": {"post": {
        "summary": "Authorize a call: may this person call this number now, and for how long?",
        "description": "A refusal is a decision (200, authorized false, a code). The same call_id again "
        "returns the same decision and holds nothing twice.",
        "operationId": "authorizeCall",
        "requestBody": body({"$ref": "#/components/schemas/CallRequest"}),
        "responses": {
            "200": ok("The decision.", {"$ref": "#/components/schemas/CallDecision"}),
            "400": error("Malformed request or number.", "INVALID_PARAMETER", "INVALID_JSON", "INVALID_NUMBER"),
            "401": UNAUTHORIZED, "403": FORBIDDEN,
            "404": error("Unknown facility.", "UNKNOWN_FACILITY"),
            "409": error("The call id was used for a different call.", "CALL_ID_CONFLICT"),
        },
    }},
    "/v1/calls/{call_id}": {"parameters": [CALL_ID], "get": {
        "summary": "A call: its decision, times, rate snapshot and charge", "operationId": "getCall",
        "responses": {"200": ok("The call.", {"$ref": "#/components/schemas/Call"}), "401": UNAUTHORIZED,
                      "403": FORBIDDEN, "404": UNKNOWN_CALL},
    }},
    "/v1/calls/{call_id}/quote": {"parameters": [CALL_ID], "post": {
        "summary": "The announcement's rate quote for this call", "operationId": "quoteCall",
        "requestBody": {"required": False, "content": {"application/json": {"schema": obj(
            minutes={"type": "integer", "minimum": 1, "maximum": 1440}, lang={"type": "string", "enum": ["en", "es"]},
        )}}},
        "responses": {"200": ok("The quote.", {"$ref": "#/components/schemas/Quote"}),
                      "400": INVALID, "401": UNAUTHORIZED, "403": FORBIDDEN, "404": UNKNOWN_CALL},
    }},
    "/v1/calls/{call_id}/accept": _step(
        "The called party accepted: billable time starts", "acceptCall", obj(["at"], at=DATETIME),
        ok("Accepted (again: the first acceptance stands).", obj(
            ["call_id", "state", "accepted_at", "max_duration_seconds", "monitored"], call_id=STR, state=STR,
            accepted_at=DATETIME, max_duration_seconds=INT, monitored=BOOL))),
    "/v1/calls/{call_id}/block": _step(
        "The called party blocked the number at the announcement: nothing is charged", "blockCall",
        obj(["at"], at=DATETIME, scope={"type": "string", "enum": ["all", "facility"], "default": "all"}),
        ok("Blocked.", obj(["call_id", "blocked", "block_id", "scope", "charge"], call_id=STR, blocked=BOOL,
                           block_id=INT, scope=STR, charge=MONEY))),
    "/v1/calls/{call_id}/complete": _step(
        "The call ended: rate it, settle the money; completing twice answers the same", "completeCall",
        obj(["ended_at", "end_reason"], ended_at=DATETIME, end_reason={"type": "string", "enum": [
            "hangup", "time_limit", "three_way_detected", "dropped", "not_accepted"]}),
        ok("The settlement.", {"$ref": "#/components/schemas/CallCompletion"})),
    "/v1/incidents": {"get": {
        "summary": "Three-way calls detected (staff)", "operationId": "listIncidents",
        "parameters": [{"name": "facility", "in": "query", "schema": STR}],
        "responses": {"200": ok("Incidents, newest first.", obj(["incidents"], incidents={"type": "array", "items": obj(
            id=INT, kind=STR, call_id=STR, facility=STR, person=STR, number=STR, occurred_at=DATETIME)})),
            "401": UNAUTHORIZED, "403": FORBIDDEN, "404": error("Unknown facility.", "UNKNOWN_FACILITY")},
    }},
}
