"""OpenAPI paths of called-party accounts and blocks (staff)."""

from __future__ import annotations

from typing import Any

from billing.openapi import BOOL, FORBIDDEN, INT, MONEY, STR, UNAUTHORIZED, body, error, obj, ok

NULL_MONEY = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2,6}$"}
LINE = {"type": "string", "enum": ["mobile", "landline", "voip"]}
SCHEMAS: dict[str, Any] = {
    "Account": obj(
        ["id", "plan", "provider", "status", "numbers"], id=INT,
        plan={"type": "string", "enum": ["prepaid", "direct_bill"]}, provider=STR,
        status={"type": "string", "enum": ["active", "suspended", "closed"]},
        numbers={"type": "array", "items": obj(["number", "line_type"], number=STR, line_type=LINE)},
        holder=obj(name=STR, email=STR, address=STR), currency=STR,
        available_balance={**NULL_MONEY, "description": "Prepaid only."},
        amount_due={**NULL_MONEY, "description": "Direct bill only."},
        credit_limit=MONEY, credit_available=NULL_MONEY, on_hold=MONEY, status_reason=STR,
    ),
    "Block": obj(["id", "number", "scope", "source", "active"], id=INT, number=STR,
                 scope={"type": "string", "enum": ["all", "facility"]}, facility={"type": ["string", "null"]},
                 source={"type": "string", "enum": ["called_party", "facility", "provider"]}, reason=STR,
                 created_by=STR, created_at=STR, active=BOOL, lifted_at={"type": ["string", "null"]},
                 lifted_by={"type": ["string", "null"]}, lift_reason={"type": ["string", "null"]}),
}
ACCOUNT = {"$ref": "#/components/schemas/Account"}
BLOCK = {"$ref": "#/components/schemas/Block"}
ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": INT}
NUMBER_PARAM = {"name": "number", "in": "path", "required": True, "schema": STR}
MISSING = error("No such account, number or block.", "NOT_FOUND")
STD = {"400": error("Malformed input.", "INVALID_PARAMETER", "INVALID_JSON", "INVALID_NUMBER"),
       "401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}
CONFLICT = error("Conflicts with the current state.", "ALREADY_EXISTS", "CONFLICT")

PATHS: dict[str, Any] = {
    "/v1/accounts": {
        "post": {"summary": "Open an account (prepaid, or direct bill for landlines)", "operationId": "openAccount",
                 "requestBody": body(obj(["plan", "holder", "numbers"], plan=STR, provider=STR,
                                         holder=obj(["name"], name=STR, email=STR, address=STR),
                                         numbers={"type": "array", "items": obj(["number", "line_type"],
                                                                               number=STR, line_type=LINE)},
                                         credit_limit=MONEY)),
                 "responses": {"201": ok("Opened.", ACCOUNT), **STD, "409": CONFLICT,
                               "422": error("A cell phone on a direct-bill account.", "PREPAID_REQUIRED")}},
        "get": {"summary": "The account covering a number", "operationId": "findAccount",
                "parameters": [{"name": "number", "in": "query", "required": True, "schema": STR}],
                "responses": {"200": ok("The account.", ACCOUNT), **STD}},
    },
    "/v1/accounts/{account_id}": {"parameters": [ACCOUNT_ID], "get": {
        "summary": "An account", "operationId": "getAccount",
        "responses": {"200": ok("The account.", ACCOUNT), "401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}},
        "patch": {"summary": "Change status (with a reason) or credit limit", "operationId": "updateAccount",
                  "requestBody": body(obj(status=STR, reason=STR, credit_limit=MONEY)),
                  "responses": {"200": ok("The account.", ACCOUNT), **STD, "409": CONFLICT}}},
    "/v1/accounts/{account_id}/numbers": {"parameters": [ACCOUNT_ID], "post": {
        "summary": "Add a number to an account", "operationId": "addAccountNumber",
        "requestBody": body(obj(["number", "line_type"], number=STR, line_type=LINE)),
        "responses": {"201": ok("The account.", ACCOUNT), **STD, "409": CONFLICT,
                      "422": error("A cell phone on a direct-bill account.", "PREPAID_REQUIRED")}}},
    "/v1/accounts/{account_id}/numbers/{number}": {"parameters": [ACCOUNT_ID, NUMBER_PARAM],
        "patch": {"summary": "Record a changed line type (e.g. a ported landline)", "operationId": "changeLineType",
                  "requestBody": body(obj(["line_type"], line_type=LINE)),
                  "responses": {"200": ok("The account.", ACCOUNT), **STD}},
        "delete": {"summary": "Remove a number from an account", "operationId": "removeAccountNumber",
                   "responses": {"200": ok("The account.", ACCOUNT), **STD}}},
    "/v1/blocks": {
        "post": {"summary": "Block calls to a number (all facilities or one)", "operationId": "placeBlock",
                 "requestBody": body(obj(["number", "source"], number=STR, scope=STR, facility=STR, source=STR,
                                         reason=STR)),
                 "responses": {"201": ok("Placed.", BLOCK), **STD}},
        "get": {"summary": "Blocks on a number, lifted ones included", "operationId": "listBlocks",
                "parameters": [{"name": "number", "in": "query", "required": True, "schema": STR}],
                "responses": {"200": ok("Blocks.", obj(["blocks"], blocks={"type": "array", "items": BLOCK})),
                              **STD}}},
    "/v1/blocks/{block_id}/lift": {"parameters": [{"name": "block_id", "in": "path", "required": True,
                                                   "schema": INT}], "post": {
        "summary": "Lift a block (recorded with who, when and why)", "operationId": "liftBlock",
        "requestBody": body(obj(["reason"], reason=STR)),
        "responses": {"200": ok("Lifted.", BLOCK), **STD, "409": error("Already lifted.", "CONFLICT")}}},
}
