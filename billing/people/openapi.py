"""OpenAPI paths of living units, persons and approved calling lists."""

from __future__ import annotations

from typing import Any

from billing.openapi import BOOL, FORBIDDEN, INVALID, STR, UNAUTHORIZED, body, error, obj, ok

WINDOW_IN = obj(["start", "end"], days={"oneOf": [{"const": "daily"}, {"type": "array", "items": {
    "type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}}]},
    start={"type": "string", "examples": ["07:00"]}, end={"type": "string", "examples": ["22:00"]})
SCHEMAS: dict[str, Any] = {
    "LivingUnit": obj(["facility", "code", "name", "schedule"], facility=STR, code=STR, name=STR,
                      schedule={"type": "array", "items": obj(day=STR, start=STR, end=STR)}),
    "Person": obj(["id_number", "facility", "unit", "status"], id_number=STR, name=STR, facility=STR, unit=STR,
                  status={"type": "string", "enum": ["active", "restricted", "released"]},
                  approved_numbers={"type": "array", "items": {"$ref": "#/components/schemas/ApprovedNumber"}}),
    "ApprovedNumber": obj(["number", "privileged", "monitored"], number=STR, contact_name=STR, privileged=BOOL,
                          monitored=BOOL, added_at=STR, added_by=STR,
                          privilege=obj(approved_by=STR, reason=STR, approved_at=STR)),
}
UNIT = {"$ref": "#/components/schemas/LivingUnit"}
PERSON = {"$ref": "#/components/schemas/Person"}
NUMBER = {"$ref": "#/components/schemas/ApprovedNumber"}
CODE = {"name": "code", "in": "path", "required": True, "schema": STR}
UNIT_CODE = {"name": "unit_code", "in": "path", "required": True, "schema": STR}
ID_NUMBER = {"name": "id_number", "in": "path", "required": True, "schema": STR}
NUMBER_PARAM = {"name": "number", "in": "path", "required": True, "schema": STR}
MISSING = error("Unknown facility, unit, person or number.", "NOT_FOUND", "UNKNOWN_FACILITY", "UNKNOWN_PERSON")
STD = {"400": INVALID, "401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}

PATHS: dict[str, Any] = {
    "/v1/facilities/{code}/units": {"parameters": [CODE], "post": {
        "summary": "Create a living unit with its weekly calling schedule (local time)", "operationId": "createUnit",
        "requestBody": body(obj(["code"], code=STR, name=STR, schedule={"type": "array", "items": WINDOW_IN})),
        "responses": {"201": ok("Created.", UNIT), **STD, "409": error("Exists.", "ALREADY_EXISTS")}}},
    "/v1/facilities/{code}/units/{unit_code}": {"parameters": [CODE, UNIT_CODE], "get": {
        "summary": "A living unit and its schedule", "operationId": "getUnit",
        "responses": {"200": ok("The unit.", UNIT), "401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}}},
    "/v1/facilities/{code}/units/{unit_code}/schedule": {"parameters": [CODE, UNIT_CODE], "put": {
        "summary": "Replace a unit's calling schedule", "operationId": "setSchedule",
        "requestBody": body(obj(["schedule"], schedule={"type": "array", "items": WINDOW_IN})),
        "responses": {"200": ok("The unit.", UNIT), **STD}}},
    "/v1/persons": {"post": {
        "summary": "Register an incarcerated person", "operationId": "createPerson",
        "requestBody": body(obj(["id_number", "facility", "unit"], id_number=STR, facility=STR, unit=STR,
                                name=STR, status=STR)),
        "responses": {"201": ok("Created.", PERSON), **STD, "409": error("Exists.", "ALREADY_EXISTS")}}},
    "/v1/persons/{id_number}": {"parameters": [ID_NUMBER], "get": {
        "summary": "A person and the approved calling list", "operationId": "getPerson",
        "responses": {"200": ok("The person.", PERSON), "401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}},
        "patch": {"summary": "Change status (active, restricted, released), unit or facility",
                  "operationId": "updatePerson",
                  "requestBody": body(obj(status=STR, unit=STR, facility=STR, name=STR)),
                  "responses": {"200": ok("The person.", PERSON), **STD}}},
    "/v1/persons/{id_number}/numbers": {"parameters": [ID_NUMBER], "post": {
        "summary": "Add a number to the approved calling list (bounded per facility, default 30)",
        "operationId": "addApprovedNumber", "requestBody": body(obj(["number"], number=STR, contact_name=STR)),
        "responses": {"201": ok("Added.", NUMBER), **STD,
                      "409": error("Already listed, or the list is full.", "ALREADY_EXISTS", "APPROVED_LIST_FULL")}}},
    "/v1/persons/{id_number}/numbers/{number}": {"parameters": [ID_NUMBER, NUMBER_PARAM], "delete": {
        "summary": "Remove a number from the approved list", "operationId": "removeApprovedNumber",
        "responses": {"200": ok("Removed.", obj(number=STR, removed=BOOL)), **STD}}},
    "/v1/persons/{id_number}/numbers/{number}/privileged": {"parameters": [ID_NUMBER, NUMBER_PARAM], "put": {
        "summary": "Legal staff: approve an unmonitored attorney line (who, when and why are recorded)",
        "operationId": "markPrivileged", "requestBody": body(obj(["reason"], reason=STR)),
        "responses": {"200": ok("Marked.", NUMBER), **STD}},
        "delete": {"summary": "Legal staff: withdraw the privilege", "operationId": "unmarkPrivileged",
                   "responses": {"200": ok("Unmarked.", NUMBER), **STD}}},
}
