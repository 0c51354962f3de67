"""Payment endpoints (staff) and the Stripe webhook. Thin: parse, call one service, serialize."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from billing.accounts import services as accounts
from billing.apikeys.models import Role
from billing.errors import InvalidParameter
from billing.http import get_amount, get_choice, get_str, json_body, req_str
from billing.payments import deposits, refunds, webhooks
from billing.payments.errors import PaymentNotFound
from billing.payments.gateway import verify_event
from billing.payments.models import REFUND_STATUSES, Payment, Refund
from billing.payments.wiring import gateway_for, settings_of, webhook_secret
from billing.web import principal, requires, session
from rating.money import format_amount, from_minor

bp = Blueprint("payments", __name__)


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _stamp(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def payment_json(payment: Payment) -> dict[str, Any]:
    id_name = "deposit_id" if payment.kind == "deposit" else "payment_id"
    return {
        id_name: payment.id, "kind": payment.kind, "account_id": payment.account_id, "status": payment.status,
        "amount": format_amount(from_minor(payment.amount, payment.currency)), "currency": payment.currency,
        # the page completes 3-D Secure with it (Stripe.js); never needed once the payment is final
        "client_secret": None if payment.is_final else payment.client_secret,
        "failure_message": payment.failure_message or None,
        "payment_intent": payment.stripe_payment_intent_id, "created_at": _stamp(payment.created_at),
        "succeeded_at": _stamp(payment.succeeded_at),
    }


def refund_json(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id, "account_id": refund.account_id, "payment_id": refund.payment_id, "method": refund.method,
        "amount": format_amount(from_minor(refund.amount, refund.currency)), "currency": refund.currency,
        "status": refund.status, "stripe_refund_id": refund.stripe_refund_id, "reason": refund.reason,
        "failure_message": refund.failure_message or None, "created_at": _stamp(refund.created_at),
        "check_number": refund.check_number, "mailed_at": _stamp(refund.mailed_at),
    }


def _take(account_id: int, kind: str) -> tuple[Response, int]:
    gateway = gateway_for(_app())
    data = json_body()
    amount = get_amount(data, "amount")
    assert amount is not None
    who = principal()
    taken = deposits.take_payment(session(), gateway, settings_of(_app()), deposits.PaymentRequest(
        account_id=account_id, kind=kind, amount=amount, payment_method=req_str(data, "payment_method", max_length=255),
        idempotency_key=req_str(data, "idempotency_key"), requested_by=who.actor, role=who.role.value,
        customer=get_str(data, "customer", required=False, max_length=255)))
    body = payment_json(taken.payment)
    if taken.replayed:
        return jsonify(body), 200
    return jsonify(body), 202 if taken.payment.status == "unknown" else 201


@bp.post("/v1/accounts/<int:account_id>/deposits")
@requires(Role.STAFF)
def deposit(account_id: int) -> tuple[Response, int]:
    """Charge a card (a PaymentMethod from Stripe.js) and credit a prepaid balance once Stripe confirms."""
    return _take(account_id, "deposit")


@bp.post("/v1/accounts/<int:account_id>/payments")
@requires(Role.STAFF)
def pay_balance(account_id: int) -> tuple[Response, int]:
    """Pay all or part of a direct-bill account's amount due by card."""
    return _take(account_id, "balance_payment")


@bp.get("/v1/accounts/<int:account_id>/payments")
@requires(Role.STAFF)
def list_payments(account_id: int) -> Response:
    accounts.get_account(session(), account_id)
    return jsonify({"payments": [payment_json(p) for p in deposits.payments_of(session(), account_id)]})


@bp.get("/v1/payments/<int:payment_id>")
@requires(Role.STAFF)
def get_payment(payment_id: int) -> Response:
    payment = session().get(Payment, payment_id)
    if payment is None:
        raise PaymentNotFound(f"No payment has the id {payment_id}.")
    return jsonify(payment_json(payment))


@bp.post("/v1/accounts/<int:account_id>/close")
@requires(Role.STAFF)
def close_account(account_id: int) -> Response:
    """Close an account at its holder's request, refunding its balance (cards first, then a check)."""
    gateway = gateway_for(_app())
    data = request.get_json(silent=True) if request.data else {}
    if not isinstance(data, dict):
        raise InvalidParameter("The request body must be a JSON object (or empty).")
    who = principal()
    closing = refunds.close_account(
        session(), gateway, account_id, reason=get_str(data, "reason", required=False, max_length=1000) or
        "closed at the holder's request", actor=who.actor, role=who.role.value)
    total = sum(r.amount for r in closing.refunds)
    return jsonify({
        "account": accounts.account_json(session(), closing.account),
        "refunded": format_amount(from_minor(total, closing.account.currency)),
        "refunds": [refund_json(r) for r in closing.refunds],
    })


@bp.get("/v1/refunds")
@requires(Role.STAFF)
def list_refunds() -> Response:
    """Refunds, e.g. ``?status=check_pending``: the checks staff must send."""
    raw = request.args.get("status")
    status = get_choice({"status": raw}, "status", REFUND_STATUSES) if raw else None
    return jsonify({"refunds": [refund_json(r) for r in refunds.list_refunds(session(), status=status)]})


@bp.post("/v1/refunds/<int:refund_id>/check-mailed")
@requires(Role.STAFF)
def check_mailed(refund_id: int) -> Response:
    """Staff mailed a check refund: ``{"check_number"}``. Repeating it with the same number changes nothing."""
    who = principal()
    refund = refunds.mark_check_mailed(session(), refund_id, check_number=req_str(json_body(), "check_number",
                                                                                 max_length=40),
                                       actor=who.actor, role=who.role.value)
    return jsonify(refund_json(refund))


@bp.post("/webhooks/stripe")
def stripe_webhook() -> Response:
    """Stripe's events, verified against the raw body's signature before anything is stored."""
    app = _app()
    secret = webhook_secret(app)
    gateway = gateway_for(app)
    payload = request.get_data()
    event = verify_event(payload, request.headers.get("Stripe-Signature"), secret)
    receipt = webhooks.receive(session(), gateway, event, payload.decode("utf-8"))
    return jsonify({"received": receipt.event_id, "duplicate": receipt.duplicate, "outcome": receipt.outcome})
