"""Reconciliation: every Stripe payment and refund in a date range beside its ledger transfer.

Stripe's side: succeeded PaymentIntents and (pending or succeeded) Refunds created in the range.
Our side: payments credited and card refunds booked in the range. Each line pairs the two; a line
is a problem when one side is missing or the amounts differ. An item seen on one side only in the
range (a payment confirmed just after midnight) is looked up on the other side individually, so a
day boundary never makes a false alarm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.payments.errors import PaymentMethodRejected
from billing.payments.gateway import Gateway, Intent, StripeRefund
from billing.payments.models import Payment, Refund
from ledgers.models import Transfer

OK, MISSING_IN_LEDGER, MISSING_IN_STRIPE, AMOUNT_MISMATCH = "ok", "missing_in_ledger", "missing_in_stripe", "mismatch"
_BOOKED_REFUNDS = ("pending", "requires_action", "succeeded", "unknown")


@dataclass(frozen=True, slots=True)
class Line:
    """One Stripe object beside our transfer."""

    kind: str  # payment | refund
    stripe_id: str | None
    stripe_amount: int | None
    transfer_id: int | None
    ledger_amount: int | None
    currency: str
    status: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reconciliation:
    start: dt.date
    end: dt.date
    lines: tuple[Line, ...]

    @property
    def problems(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.status != OK)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time(), dt.UTC),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))


def _pair(kind: str, stripe_id: str | None, stripe_amount: int | None, transfer: Transfer | None, *,
          currency: str, note: str) -> Line:
    if stripe_amount is None:
        status = MISSING_IN_STRIPE
    elif transfer is None:
        status = MISSING_IN_LEDGER
    else:
        status = OK if transfer.amount == stripe_amount else AMOUNT_MISMATCH
    return Line(kind, stripe_id, stripe_amount, transfer.id if transfer else None,
                transfer.amount if transfer else None, currency, status, note)


def _payment_lines(session: Session, gateway: Gateway, low: dt.datetime, high: dt.datetime) -> list[Line]:
    stamps = (int(low.timestamp()), int(high.timestamp()))
    at_stripe = {i.id: i for i in gateway.list_intents(*stamps) if i.status == "succeeded"}
    ours = session.execute(select(Payment, Transfer).join(Transfer, Transfer.id == Payment.credit_transfer_id)
                           .where(Transfer.created_at >= low, Transfer.created_at < high)).all()
    lines = []
    for payment, transfer in ours:
        intent_id = payment.stripe_payment_intent_id
        intent: Intent | None = at_stripe.pop(intent_id, None) if intent_id else None
        if intent is None and intent_id:
            intent = _retrieve(gateway, intent_id)
        amount = intent.amount if intent is not None and intent.status == "succeeded" else None
        lines.append(_pair("payment", intent_id, amount, transfer, currency=payment.currency,
                           note=f"payment {payment.id}"))
    for intent in at_stripe.values():
        found = session.scalar(select(Payment).where(Payment.stripe_payment_intent_id == intent.id))
        credit = session.get(Transfer, found.credit_transfer_id) if found and found.credit_transfer_id else None
        note = f"payment {found.id} ({found.status})" if found else "no payment of ours"
        lines.append(_pair("payment", intent.id, intent.amount, credit, currency=intent.currency, note=note))
    return lines


def _retrieve(gateway: Gateway, intent_id: str) -> Intent | None:
    try:
        return gateway.retrieve_intent(intent_id)
    except PaymentMethodRejected:
        return None


def _refund_lines(session: Session, gateway: Gateway, low: dt.datetime, high: dt.datetime) -> list[Line]:
    stamps = (int(low.timestamp()), int(high.timestamp()))
    at_stripe: dict[str, StripeRefund] = {
        r.id: r for r in gateway.list_refunds(*stamps) if r.status in ("pending", "succeeded")}
    ours = session.execute(select(Refund, Transfer).join(Transfer, Transfer.id == Refund.ledger_transfer_id)
                           .where(Refund.method == "card", Refund.status.in_(_BOOKED_REFUNDS),
                                  Transfer.created_at >= low, Transfer.created_at < high)).all()
    lines = []
    for refund, transfer in ours:
        answer = at_stripe.pop(refund.stripe_refund_id, None) if refund.stripe_refund_id else None
        if answer is None and refund.stripe_refund_id:
            answer = _retrieve_refund(gateway, refund.stripe_refund_id)
        amount = answer.amount if answer is not None else None
        lines.append(_pair("refund", refund.stripe_refund_id, amount, transfer, currency=refund.currency,
                           note=f"refund {refund.id}"))
    for answer in at_stripe.values():
        found = session.scalar(select(Refund).where(Refund.stripe_refund_id == answer.id))
        booked = session.get(Transfer, found.ledger_transfer_id) if found and found.ledger_transfer_id else None
        note = f"refund {found.id} ({found.status})" if found else "no refund of ours"
        lines.append(_pair("refund", answer.id, answer.amount, booked, currency=answer.currency, note=note))
    return lines


def _retrieve_refund(gateway: Gateway, refund_id: str) -> StripeRefund | None:
    try:
        return gateway.retrieve_refund(refund_id)
    except PaymentMethodRejected:
        return None


def reconcile(session: Session, gateway: Gateway, start: dt.date, end: dt.date) -> Reconciliation:
    """Pair Stripe's payments and refunds created from ``start`` to ``end`` (inclusive, UTC) with ours."""
    if end < start:
        raise ValueError("the range ends before it starts")
    low, high = _bounds(start, end)
    lines = _payment_lines(session, gateway, low, high) + _refund_lines(session, gateway, low, high)
    return Reconciliation(start, end, tuple(lines))
