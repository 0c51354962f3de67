"""Stripe's webhook events: each recorded once, then handled by the service that owns its subject.

``receive`` stores the event under its unique id — a redelivery finds it there and changes nothing —
and handles it in the same transaction, so an event is either recorded *and* handled or neither
(an unexpected error answers 500 and Stripe delivers it again). Order does not matter:

- ``payment_intent.succeeded`` credits the payment (once, whoever else confirmed it);
- ``payment_intent.payment_failed`` records Stripe's message; it never undoes a success, and a
  later success of the same (retried) PaymentIntent still credits it;
- ``charge.refunded`` matches each refund to ours (booked when we asked for it) or books one made
  in Stripe's dashboard; if the payment was not credited yet, the refund proves it was paid;
- ``charge.dispute.created`` / ``.closed`` go to ``disputes`` (a closing event may come first);
- anything else, or an event about a PaymentIntent that isn't ours, is recorded and ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing.payments import disputes, refunds, settlement
from billing.payments.gateway import ChargeInfo, DisputeInfo, Gateway, Intent, StripeRefund, WebhookEvent
from billing.payments.models import Payment, StripeEvent
from ledgers.base import utcnow

ACTOR = "stripe webhook"

Handler = Callable[[Session, Gateway, WebhookEvent], str]


@dataclass(frozen=True, slots=True)
class Receipt:
    event_id: str
    duplicate: bool
    outcome: str


def _intent_succeeded(session: Session, gateway: Gateway, event: WebhookEvent) -> str:
    intent = Intent.from_dict(event.object)
    payment = settlement.payment_for_intent(session, intent.id, intent.reference)
    if payment is None:
        return f"ignored: {intent.id} is not one of our payments"
    return settlement.apply_intent(session, payment, intent, confirmed=True, actor=ACTOR)


def _intent_changed(session: Session, gateway: Gateway, event: WebhookEvent) -> str:
    intent = Intent.from_dict(event.object)
    payment = settlement.payment_for_intent(session, intent.id, intent.reference)
    if payment is None:
        return f"ignored: {intent.id} is not one of our payments"
    if event.type == "payment_intent.payment_failed":
        # The event's object may already show a later state; the failure is what this event says.
        outcome = settlement.apply_intent(session, payment, intent, confirmed=False, actor=ACTOR)
        if payment.status != "succeeded":
            settlement.fail(session, payment, "failed", intent.failure_message or "The payment failed.")
            outcome = f"payment {payment.id} failed: {payment.failure_message}"
        return outcome
    return settlement.apply_intent(session, payment, intent, confirmed=True, actor=ACTOR)


def _payment_of_charge(session: Session, gateway: Gateway, intent_id: str | None, charge_id: str | None,
                       ) -> Payment | None:
    if intent_id is None and charge_id:
        intent_id = session.scalar(
            select(Payment.stripe_payment_intent_id).where(Payment.stripe_charge_id == charge_id))
    if intent_id is None:
        return None
    payment = settlement.payment_for_intent(session, intent_id, None)
    if payment is None:  # we never heard back from our own request: Stripe's metadata says whose it is
        intent = gateway.retrieve_intent(intent_id)
        payment = settlement.payment_for_intent(session, intent.id, intent.reference)
        if payment is not None and payment.stripe_payment_intent_id is None:
            payment.stripe_payment_intent_id = intent.id
    return payment


def _charge_refunded(session: Session, gateway: Gateway, event: WebhookEvent) -> str:
    charge = ChargeInfo.from_dict(event.object)
    payment = _payment_of_charge(session, gateway, charge.payment_intent_id, charge.id)
    if payment is None:
        return f"ignored: charge {charge.id} is not one of our payments"
    payment.stripe_charge_id = payment.stripe_charge_id or charge.id
    listed = charge.refunds
    if listed is None:  # newer API versions don't embed the refunds in the charge
        assert payment.stripe_payment_intent_id is not None
        listed = tuple(gateway.refunds_for(payment.stripe_payment_intent_id))
    outcomes = [refunds.record_stripe_refund(session, payment, r, actor=ACTOR) for r in listed]
    return "; ".join(outcomes) or f"charge {charge.id}: no refunds listed"


def _refund_updated(session: Session, gateway: Gateway, event: WebhookEvent) -> str:
    """``charge.refund.updated`` carries a Refund (e.g. one that failed after it was accepted)."""
    answer = StripeRefund.from_dict(event.object)
    payment = _payment_of_charge(session, gateway, answer.payment_intent_id, answer.charge_id)
    if payment is None:
        return f"ignored: refund {answer.id} is not about one of our payments"
    return refunds.record_stripe_refund(session, payment, answer, actor=ACTOR)


def _dispute(session: Session, gateway: Gateway, event: WebhookEvent) -> str:
    info = DisputeInfo.from_dict(event.object)
    payment = _payment_of_charge(session, gateway, info.payment_intent_id, info.charge_id)
    if payment is None:
        return f"ignored: dispute {info.id} is not about one of our payments"
    if event.type == "charge.dispute.closed":
        return disputes.close_dispute(session, payment, info, actor=ACTOR)
    return disputes.open_dispute(session, payment, info, actor=ACTOR)


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_changed,
    "payment_intent.processing": _intent_changed,
    "payment_intent.requires_action": _intent_changed,
    "payment_intent.canceled": _intent_changed,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund_updated,
    "charge.dispute.created": _dispute,
    "charge.dispute.updated": _dispute,
    "charge.dispute.closed": _dispute,
}


def receive(session: Session, gateway: Gateway, event: WebhookEvent, payload: str) -> Receipt:
    """Record ``event`` (verified by the caller) once and handle it. Never commits."""
    row = StripeEvent(event_id=event.id, type=event.type[:100], payload=payload, received_at=utcnow(), outcome="")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return Receipt(event.id, duplicate=True, outcome="duplicate: already received")
    handler = HANDLERS.get(event.type)
    outcome = f"ignored: no handling for {event.type}" if handler is None else handler(session, gateway, event)
    row.outcome, row.processed_at = outcome, utcnow()
    return Receipt(event.id, duplicate=False, outcome=outcome)

