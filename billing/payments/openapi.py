"""OpenAPI paths of the payment endpoints (the Stripe webhook is not part of the /v1 API)."""

from __future__ import annotations

from typing import Any

from billing.openapi import FORBIDDEN, INT, MONEY, STR, UNAUTHORIZED, body, error, obj, ok

NULL_STR = {"type": ["string", "null"]}
PAYMENT_STATUS = {"type": "string", "enum": ["created", "requires_action", "processing", "succeeded", "failed",
                                             "canceled", "unknown"]}
REFUND_STATUS = {"type": "string", "enum": ["pending", "requires_action", "succeeded", "failed", "canceled",
                                            "unknown", "check_pending", "check_mailed"]}
_PAYMENT_FIELDS: dict[str, Any] = {
    "kind": {"type": "string", "enum": ["deposit", "balance_payment"]}, "account_id": INT,
    "status": {**PAYMENT_STATUS, "description": "`processing`: Stripe took the payment; the money is credited "
               "when Stripe confirms it. `unknown`: Stripe did not answer; the janitor settles it."},
    "amount": MONEY, "currency": STR,
    "client_secret": {**NULL_STR, "description": "For Stripe.js to complete 3-D Secure (`requires_action`)."},
    "failure_message": {**NULL_STR, "description": "Stripe's message when the payment failed."},
    "payment_intent": NULL_STR, "created_at": STR, "succeeded_at": NULL_STR,
}
SCHEMAS: dict[str, Any] = {
    "Deposit": obj(["deposit_id", "status", "client_secret"], deposit_id=INT, **_PAYMENT_FIELDS),
    "BalancePayment": obj(["payment_id", "status", "client_secret"], payment_id=INT, **_PAYMENT_FIELDS),
    "PaymentRequest": obj(
        ["amount", "payment_method", "idempotency_key"], amount=MONEY,
        payment_method={"type": "string", "pattern": "^(pm|card|src)_", "examples": ["pm_card_visa"],
                        "description": "A PaymentMethod id collected with Stripe.js (never card details)."},
        idempotency_key={"type": "string", "maxLength": 200,
                         "description": "Retrying with the same key returns the original payment."},
        customer={"type": "string", "description": "Stripe Customer the PaymentMethod is attached to, if any."}),
    "Refund": obj(["id", "method", "amount", "status"], id=INT, account_id=INT,
                  payment_id={"type": ["integer", "null"]}, method={"type": "string", "enum": ["card", "check"]},
                  amount=MONEY, currency=STR,
                  status=REFUND_STATUS, stripe_refund_id=NULL_STR, reason=STR, failure_message=NULL_STR,
                  created_at=STR, check_number=NULL_STR, mailed_at=NULL_STR),
}
DEPOSIT = {"$ref": "#/components/schemas/Deposit"}
BALANCE_PAYMENT = {"$ref": "#/components/schemas/BalancePayment"}
REFUND = {"$ref": "#/components/schemas/Refund"}
ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "schema": INT}
MISSING = error("No such account or payment.", "NOT_FOUND")
INVALID = error("Malformed input.", "INVALID_PARAMETER", "INVALID_JSON")
UNAVAILABLE = error("Card payments are not configured, or Stripe refused our key.", "PAYMENTS_UNAVAILABLE")
READ = {"401": UNAUTHORIZED, "403": FORBIDDEN, "404": MISSING}


def _take(summary: str, operation: str, schema: dict[str, Any], amount_rule: str) -> dict[str, Any]:
    return {
        "summary": summary, "operationId": operation,
        "requestBody": body({"$ref": "#/components/schemas/PaymentRequest"}),
        "responses": {
            "200": ok("A retry with the same idempotency key: the original payment, Stripe not asked again.", schema),
            "201": ok("Created and confirmed: `processing` (credited once Stripe confirms it) or "
                      "`requires_action` (3-D Secure, completed by the page).", schema),
            "202": ok("Stripe did not answer: status `unknown`, settled later by the janitor.", schema),
            "400": INVALID, **READ,
            "402": error("The card was declined (Stripe's message); nothing was charged.", "CARD_DECLINED"),
            "409": error("The key was used for another payment, or the account can't take one.",
                         "IDEMPOTENCY_CONFLICT", "ACCOUNT_NOT_PAYABLE"),
            "422": error(f"Amount outside {amount_rule}, or a PaymentMethod Stripe refused.",
                         "INVALID_AMOUNT", "PAYMENT_METHOD_INVALID"),
            "503": UNAVAILABLE,
        },
    }


PATHS: dict[str, Any] = {
    "/v1/accounts/{account_id}/deposits": {"parameters": [ACCOUNT_ID], "post": _take(
        "Deposit onto a prepaid balance by card (no fee)", "createDeposit", DEPOSIT,
        "the minimum and maximum deposit")},
    "/v1/accounts/{account_id}/payments": {
        "parameters": [ACCOUNT_ID],
        "post": _take("Pay all or part of a direct-bill amount due by card (no fee)", "createBalancePayment",
                      BALANCE_PAYMENT, "0.50 to the amount due"),
        "get": {"summary": "An account's card payments, newest first", "operationId": "listPayments",
                "responses": {"200": ok("Payments.", obj(["payments"], payments={"type": "array", "items": {
                    "oneOf": [DEPOSIT, BALANCE_PAYMENT]}})), **READ}},
    },
    "/v1/payments/{payment_id}": {
        "parameters": [{"name": "payment_id", "in": "path", "required": True, "schema": INT}],
        "get": {"summary": "A card payment (its status, Stripe's decline message)", "operationId": "getPayment",
                "responses": {"200": ok("The payment.", {"oneOf": [DEPOSIT, BALANCE_PAYMENT]}), **READ}},
    },
    "/v1/accounts/{account_id}/close": {"parameters": [ACCOUNT_ID], "post": {
        "summary": "Close an account and refund its balance: to the cards newest payment first, the rest by check",
        "operationId": "closeAccount",
        "requestBody": {"required": False, "content": {"application/json": {"schema": obj(reason=STR)}}},
        "responses": {
            "200": ok("Closed (or already closed); its refunds.", obj(
                ["account", "refunded", "refunds"], account={"$ref": "#/components/schemas/Account"},
                refunded=MONEY, refunds={"type": "array", "items": REFUND})),
            "400": INVALID, **READ,
            "409": error("A call's hold is open, a payment is not final, or a direct-bill balance is not settled.",
                         "HOLD_OPEN", "PAYMENT_IN_PROGRESS", "BALANCE_DUE", "ACCOUNT_NOT_PAYABLE"),
            "503": UNAVAILABLE,
        }}},
    "/v1/refunds/{refund_id}/check-mailed": {
        "parameters": [{"name": "refund_id", "in": "path", "required": True, "schema": INT}],
        "post": {"summary": "Record that staff mailed a check refund (its number); pays it out of refunds_payable",
                 "operationId": "markCheckMailed", "requestBody": body(obj(["check_number"], check_number=STR)),
                 "responses": {"200": ok("The refund, check_mailed.", REFUND), "400": INVALID, **READ,
                               "409": error("Not a check waiting to be sent, or mailed with another number.",
                                            "NOT_A_PENDING_CHECK")}}},
    "/v1/refunds": {"get": {
        "summary": "Refunds, e.g. the checks staff must send (`?status=check_pending`)", "operationId": "listRefunds",
        "parameters": [{"name": "status", "in": "query", "required": False, "schema": REFUND_STATUS}],
        "responses": {"200": ok("Refunds.", obj(["refunds"], refunds={"type": "array", "items": REFUND})),
                      "400": INVALID, "401": UNAUTHORIZED, "403": FORBIDDEN}}},
}
