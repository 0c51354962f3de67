"""OpenAPI paths of the quote, rate disclosure, facility and tariff endpoints."""

from __future__ import annotations

from typing import Any

from billing.openapi import (
    DATE,
    FORBIDDEN,
    INT,
    INVALID,
    MONEY,
    NULLABLE_MONEY,
    STR,
    UNAUTHORIZED,
    body,
    error,
    obj,
    ok,
)

JURISDICTION = {"type": "string", "enum": ["intrastate", "interstate", "international"]}

SCHEMAS: dict[str, Any] = {
    "Quote": obj(
        ["facility", "to", "jurisdiction", "currency", "per_minute", "first_minute",
         "billing_increment_seconds", "minutes", "charge", "text"],
        facility=STR, to={"type": "string", "description": "E.164"}, jurisdiction=JURISDICTION,
        currency=STR, per_minute=MONEY, first_minute=MONEY, billing_increment_seconds=INT,
        minutes=INT, charge=MONEY, text={"type": "string", "description": "A sentence an IVR can speak."},
    ),
    "Rate": obj(
        ["jurisdiction", "currency", "per_minute", "first_minute", "billing_increment_seconds", "effective_from"],
        jurisdiction=JURISDICTION, destination_prefix={"type": ["string", "null"]}, currency=STR,
        per_minute=MONEY, first_minute=MONEY, billing_increment_seconds=INT, minimum_billable_seconds=INT,
        rounding=STR, termination_allowance=NULLABLE_MONEY, effective_from=DATE,
        effective_to={"type": ["string", "null"], "format": "date"},
    ),
    "FacilityRates": obj(
        ["facility", "name", "rates"], facility=STR, name=STR, state=STR, facility_class=STR,
        fees={"type": "array", "maxItems": 0, "description": "Always empty: there are no fees."},
        rates={"type": "array", "items": {"$ref": "#/components/schemas/Rate"}},
    ),
    "Facility": obj(
        ["code", "name", "state", "timezone", "facility_class"], code=STR, name=STR, state=STR,
        timezone=STR, facility_class={"type": "string", "enum": ["prison", "jail"]},
        average_daily_population={"type": ["integer", "null"]}, max_call_seconds={"type": ["integer", "null"]},
        approved_list_size={"type": ["integer", "null"]},
    ),
    "Tariff": {"allOf": [{"$ref": "#/components/schemas/Rate"}, obj(["id", "facility"], id=INT, facility=STR)]},
    "TariffInput": obj(
        ["jurisdiction", "per_minute", "effective_from"], jurisdiction=JURISDICTION, per_minute=MONEY,
        first_minute=NULLABLE_MONEY, increment_seconds=INT, minimum_seconds=INT,
        rounding={"type": "string", "enum": ["half_up", "half_even", "up", "down"]},
        destination_prefix=STR, termination_allowance=MONEY, currency=STR, effective_from=DATE,
        effective_to={"type": ["string", "null"], "format": "date"},
    ),
}

FACILITY_REF = {"$ref": "#/components/schemas/Facility"}
TARIFF_REF = {"$ref": "#/components/schemas/Tariff"}
CODE_PARAM = {"name": "code", "in": "path", "required": True, "schema": STR}
CAP = error("The tariff exceeds a legal rate cap (named in the message) or is invalid.",
            "RATE_CAP_EXCEEDED", "INVALID_TARIFF")
UNKNOWN = error("No facility has that code.", "UNKNOWN_FACILITY")

PATHS: dict[str, Any] = {
    "/v1/quote": {
        "get": {
            "summary": "Rate quote for a call (the announcement's rate-quote option)",
            "operationId": "getQuote",
            "parameters": [
                {"name": "facility", "in": "query", "required": True, "schema": STR},
                {"name": "to", "in": "query", "required": True, "schema": STR,
                 "description": "E.164, or as dialled in the facility's country (ten digits in the US)."},
                {"name": "minutes", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                               "maximum": 1440, "default": 15}},
                {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["en", "es"],
                                                            "default": "en"}},
                {"name": "at", "in": "query", "schema": {"type": "string", "format": "date-time"},
                 "description": "Quote the tariff in force at this moment (default: now)."},
            ],
            "responses": {
                "200": ok("The quote.", {"$ref": "#/components/schemas/Quote"}),
                "400": error("Bad parameter or number.", "INVALID_PARAMETER", "INVALID_NUMBER"),
                "401": UNAUTHORIZED,
                "404": error("Unknown facility, or no tariff for that destination.",
                             "UNKNOWN_FACILITY", "NO_TARIFF"),
            },
        }
    },
    "/v1/rates": {
        "get": {
            "summary": "Public rate disclosure (47 CFR 64.6110); no key needed",
            "operationId": "getRates",
            "security": [],
            "parameters": [{"name": "facility", "in": "query", "schema": STR}],
            "responses": {
                "200": ok("One facility's rates, or every facility's.", {"oneOf": [
                    {"$ref": "#/components/schemas/FacilityRates"},
                    obj(["facilities"], facilities={"type": "array",
                                                    "items": {"$ref": "#/components/schemas/FacilityRates"}}),
                ]}),
                "404": UNKNOWN,
            },
        }
    },
    "/v1/facilities": {
        "get": {
            "summary": "List facilities", "operationId": "listFacilities",
            "responses": {"200": ok("Facilities.", obj(["facilities"], facilities={"type": "array",
                                                                                   "items": FACILITY_REF})),
                          "401": UNAUTHORIZED, "403": FORBIDDEN},
        },
        "post": {
            "summary": "Create a facility (admin)", "operationId": "createFacility",
            "requestBody": body(FACILITY_REF),
            "responses": {"201": ok("Created.", FACILITY_REF), "400": INVALID, "401": UNAUTHORIZED,
                          "403": FORBIDDEN, "409": error("The code is taken.", "ALREADY_EXISTS")},
        },
    },
    "/v1/facilities/{code}": {
        "parameters": [CODE_PARAM],
        "get": {
            "summary": "A facility", "operationId": "getFacility",
            "responses": {"200": ok("The facility.", FACILITY_REF), "401": UNAUTHORIZED, "403": FORBIDDEN,
                          "404": UNKNOWN},
        },
        "patch": {
            "summary": "Change a facility (admin); a new population must keep tariffs under the caps",
            "operationId": "updateFacility",
            "requestBody": body(obj(name=STR, timezone=STR, average_daily_population=INT,
                                    max_call_seconds=INT, approved_list_size=INT)),
            "responses": {"200": ok("Changed.", FACILITY_REF), "400": INVALID, "401": UNAUTHORIZED,
                          "403": FORBIDDEN, "404": UNKNOWN, "422": CAP},
        },
    },
    "/v1/facilities/{code}/tariffs": {
        "parameters": [CODE_PARAM],
        "get": {
            "summary": "A facility's tariffs", "operationId": "listTariffs",
            "responses": {"200": ok("Tariffs.", obj(["tariffs"], tariffs={"type": "array", "items": TARIFF_REF})),
                          "401": UNAUTHORIZED, "403": FORBIDDEN, "404": UNKNOWN},
        },
        "post": {
            "summary": "Add a tariff (admin); refused above any rate cap in force while it is effective",
            "operationId": "addTariff",
            "requestBody": body({"$ref": "#/components/schemas/TariffInput"}),
            "responses": {"201": ok("Created.", TARIFF_REF), "400": INVALID, "401": UNAUTHORIZED,
                          "403": FORBIDDEN, "404": UNKNOWN, "422": CAP},
        },
    },
    "/v1/tariffs/{tariff_id}": {
        "parameters": [{"name": "tariff_id", "in": "path", "required": True, "schema": INT}],
        "patch": {
            "summary": "Change a tariff (admin); the same cap and overlap checks", "operationId": "changeTariff",
            "requestBody": body({"$ref": "#/components/schemas/TariffInput"}),
            "responses": {"200": ok("Changed.", TARIFF_REF), "400": INVALID, "401": UNAUTHORIZED,
                          "403": FORBIDDEN, "404": error("No such tariff.", "NOT_FOUND"), "422": CAP},
        },
    },
}

