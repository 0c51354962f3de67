"""The payments janitor: settle every payment and refund whose outcome we don't know yet.

A call to Stripe can time out after Stripe acted on it; a webhook can be lost (Stripe retries for
days, a local fake never). Like Kill Bill's payment janitor, this job re-reads from Stripe every
payment that is not final — ``created`` (the answer never came back), ``unknown`` (a timeout),
``requires_action``, ``processing`` — and every card refund still ``pending``/``unknown``/
``requires_action``, and settles each through the same functions the webhook uses, so whichever
path comes first does the work and the other finds it done.

It only ever *reads* Stripe for a payment: a PaymentIntent whose creation answer was lost is found by
the reference in its metadata. If none exists ``give_up_after`` the attempt, the request never
reached Stripe: the payment is ``canceled``. A refund that can't be found is sent again with its
own idempotency key. Items younger than ``min_age`` are left alone: their request may still be in
flight. Each item is its own unit of work (committed on its own; one failure doesn't stop the rest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.config import Settings
from billing.db import Database
from billing.payments import refunds, settlement
from billing.payments.errors import GatewayError, GatewayUncertain, PaymentMethodRejected
from billing.payments.gateway import Gateway, Intent, StripeRefund
from billing.payments.models import FINAL_PAYMENT_STATUSES, Payment, Refund
from billing.payments.wiring import make_gateway
from ledgers.base import utcnow

log = logging.getLogger(__name__)

ACTOR = "payments janitor"
OPEN_REFUND_STATUSES = ("pending", "unknown", "requires_action")


@dataclass
class JanitorReport:
    """What one run did: one line per item it looked at."""

    lines: list[str] = field(default_factory=list)
    errors: int = 0


def run(session: Session, gateway: Gateway, *, now: dt.datetime | None = None,
        min_age: dt.timedelta = dt.timedelta(seconds=60),
        give_up_after: dt.timedelta = dt.timedelta(hours=1)) -> JanitorReport:
    """Settle every payment and refund in doubt. Boundary: commits each item on its own."""
    now = now or utcnow()
    report = JanitorReport()
    payment_ids = list(session.scalars(select(Payment.id).where(
        Payment.status.not_in(FINAL_PAYMENT_STATUSES), Payment.updated_at <= now - min_age).order_by(Payment.id)))
    refund_ids = list(session.scalars(select(Refund.id).where(
        Refund.method == "card", Refund.status.in_(OPEN_REFUND_STATUSES), Refund.updated_at <= now - min_age)
        .order_by(Refund.id)))
    session.rollback()
    for payment_id in payment_ids:
        _guarded(session, report, f"payment {payment_id}",
                 partial(settle_payment, session, gateway, payment_id, now=now, give_up_after=give_up_after))
    for refund_id in refund_ids:
        _guarded(session, report, f"refund {refund_id}", partial(settle_refund, session, gateway, refund_id))
    return report


def scheduled(db: Database, settings: Settings) -> str:
    """One run for the scheduler process (``billing.scheduler.JOBS``); skipped when Stripe is not configured."""
    if not settings.stripe_secret_key:
        return "skipped: payments are not configured"
    with db.sessions() as session:
        report = run(session, make_gateway(settings))
    return f"{len(report.lines)} payment(s)/refund(s) looked at, {report.errors} error(s)"


def _guarded(session: Session, report: JanitorReport, what: str, job: Callable[[], str]) -> None:
    try:
        report.lines.append(job())
    except Exception:  # one broken item must not stop the run; it is retried next time
        session.rollback()
        log.exception("payments janitor: %s failed", what)
        report.errors += 1
        report.lines.append(f"{what}: error (see the log); retried next run")


def _read_intent(gateway: Gateway, intent_id: str | None, reference: str) -> Intent | None:
    if intent_id is None:
        return gateway.find_intent(reference)
    try:
        return gateway.retrieve_intent(intent_id)
    except PaymentMethodRejected:  # Stripe answers 404: no such PaymentIntent
        return None


def settle_payment(session: Session, gateway: Gateway, payment_id: int, *, now: dt.datetime,
                   give_up_after: dt.timedelta) -> str:
    """Read one payment's PaymentIntent from Stripe and settle the payment. Boundary: commits."""
    payment = session.get_one(Payment, payment_id)
    intent_id, reference, created_at = payment.stripe_payment_intent_id, payment.reference, payment.created_at
    session.rollback()  # no transaction open while Stripe is asked
    try:
        intent = _read_intent(gateway, intent_id, reference)
    except GatewayUncertain:
        return f"payment {payment_id}: Stripe did not answer; retried next run"
    payment = settlement.lock_payment(session, payment_id)
    if payment.is_final:
        outcome = f"payment {payment_id} already {payment.status}"
    elif intent is not None:
        outcome = settlement.apply_intent(session, payment, intent, confirmed=True, actor=ACTOR)
    elif now - created_at >= give_up_after:
        settlement.fail(session, payment, "canceled", "The payment never reached Stripe; nothing was charged.")
        outcome = f"payment {payment_id} canceled: never reached Stripe"
    else:
        outcome = f"payment {payment_id}: not at Stripe yet; retried next run"
    session.commit()
    return outcome


def _read_refund(gateway: Gateway, refund: Refund, intent_id: str) -> StripeRefund | None:
    if refund.stripe_refund_id is not None:
        return gateway.retrieve_refund(refund.stripe_refund_id)
    return next((r for r in gateway.refunds_for(intent_id) if r.reference == refund.reference), None)


def settle_refund(session: Session, gateway: Gateway, refund_id: int) -> str:
    """Read one card refund from Stripe and record it; send it again if Stripe never got it."""
    refund = session.get_one(Refund, refund_id)
    payment = session.get_one(Payment, refund.payment_id)
    intent_id = payment.stripe_payment_intent_id
    assert intent_id is not None
    try:
        answer = _read_refund(gateway, refund, intent_id)
    except GatewayError:
        session.rollback()
        return f"refund {refund_id}: Stripe did not answer; retried next run"
    session.rollback()
    if answer is None:  # never reached Stripe: send it (again), with the same idempotency key
        locked = session.scalars(select(Refund).where(Refund.id == refund_id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
        if locked.status == "unknown":
            locked.status = "pending"
        return refunds.submit_refund(session, gateway, refund_id, actor=ACTOR)
    outcome = refunds.apply_refund(session, refunds.lock_refund(session, refund_id), answer, actor=ACTOR)
    session.commit()
    return outcome
