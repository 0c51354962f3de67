"""Refunds: closing a prepaid account gives its balance back — to the cards first, newest payment first.

``close_account`` is the flow (a holder's request through staff, or the inactive-account job after
180 days). Like ``take_payment`` it is the boundary of its units of work:

1. ``book_close`` — with the balance locked: refuse while a call's hold is open or a payment is not
   final; split the available balance over the card deposits newest first, each taking at most what
   it has left unrefunded (``allocation.fill_in_order``); what no card can take becomes a check
   refund (``check_pending``) for staff. Every refund is booked in the ledger at once (card: debit
   prepaid, credit ``payment_clearing``, as a reversal of the deposit's credit; check: debit prepaid,
   credit ``refunds_payable``), and the account is closed, its numbers released. Committed.
2. ``submit_refund`` — each card refund goes to Stripe with its own idempotency key. A refund Stripe
   refuses turns into a check; one whose answer was lost is ``unknown`` until the janitor finds it.

No refund fee: every refund is the amount taken from the balance, to the cent.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

import ledgers
from billing import audit
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.errors import NotFound
from billing.payments import settlement
from billing.payments.allocation import fill_in_order
from billing.payments.errors import (
    AccountNotPayable,
    BalanceDue,
    GatewayError,
    GatewayUnavailable,
    GatewayUncertain,
    HoldOpen,
    NotAPendingCheck,
    NotDormant,
    PaymentInProgress,
    PaymentNotFound,
)
from billing.payments.gateway import REFUND_REF, Gateway, StripeRefund
from billing.payments.models import FINAL_PAYMENT_STATUSES, Dispute, Payment, Refund
from ledgers.base import utcnow
from ledgers.locks import lock_balance
from ledgers.transfers import reversed_total
from rating.money import from_minor, to_minor

_FROM_STRIPE = {"pending": "pending", "requires_action": "requires_action", "succeeded": "succeeded",
                "failed": "failed", "canceled": "canceled"}


@dataclass(frozen=True, slots=True)
class Closing:
    account: CalledPartyAccount
    refunds: list[Refund]


def refunds_of(session: Session, account_id: int) -> list[Refund]:
    return list(session.scalars(select(Refund).where(Refund.account_id == account_id).order_by(Refund.id)))


def list_refunds(session: Session, *, status: str | None = None, limit: int = 500) -> list[Refund]:
    query = select(Refund).order_by(Refund.id).limit(limit)
    if status is not None:
        query = query.where(Refund.status == status)
    return list(session.scalars(query))


def card_capacities(session: Session, account_id: int) -> list[tuple[Payment, int]]:
    """The account's card deposits, newest first, with what each has left to refund (undisputed only)."""
    disputed = select(Dispute.payment_id)
    payments = session.scalars(
        select(Payment).where(Payment.account_id == account_id, Payment.kind == "deposit",
                              Payment.status == "succeeded", Payment.id.not_in(disputed))
        .order_by(Payment.created_at.desc(), Payment.id.desc()))
    found = []
    for payment in payments:
        assert payment.credit_transfer_id is not None
        credit = ledgers.get_transfer(session, payment.credit_transfer_id)
        found.append((payment, credit.amount - reversed_total(session, credit.id)))
    return found


def _new_refund(session: Session, account: CalledPartyAccount, *, method: str, amount: int, key: str,
                reason: str, payment: Payment | None) -> Refund:
    refund = Refund(reference=secrets.token_hex(16), account_id=account.id, payment_id=payment.id if payment else None,
                    method=method, amount=amount, currency=account.currency,
                    status="pending" if method == "card" else "check_pending", idempotency_key=key, reason=reason,
                    failure_message="", created_at=utcnow(), updated_at=utcnow())
    session.add(refund)
    session.flush()
    return refund


def book_card_refund(session: Session, account: CalledPartyAccount, payment: Payment, amount: int, *,
                     key: str, reason: str) -> Refund:
    """A card refund of ``amount`` of ``payment``, booked as a reversal of its credit (not sent yet)."""
    assert payment.credit_transfer_id is not None
    refund = _new_refund(session, account, method="card", amount=amount, key=key, reason=reason, payment=payment)
    refund.ledger_transfer_id = ledgers.reverse(
        session, payment.credit_transfer_id, amount=from_minor(amount, account.currency),
        idempotency_key=f"refund:{refund.reference}", purpose="card_refund", reference=f"refund:{refund.id}").id
    return refund


def book_check_refund(session: Session, account: CalledPartyAccount, amount: int, *, key: str, reason: str,
                      payment: Payment | None = None) -> Refund:
    """A check refund for staff to send: debit prepaid, credit ``refunds_payable``."""
    assert account.ledger_account_id is not None
    refund = _new_refund(session, account, method="check", amount=amount, key=key, reason=reason, payment=payment)
    refund.ledger_transfer_id = ledgers.transfer(
        session, debit=account.ledger_account_id,
        credit=settlement.house(session, "refunds_payable", account.currency),
        amount=from_minor(amount, account.currency), idempotency_key=f"refund:{refund.reference}",
        purpose="check_refund", reference=f"refund:{refund.id}").id
    return refund


def _check_closable(session: Session, account: CalledPartyAccount) -> None:
    if account.ledger_account_id is None:
        raise AccountNotPayable("The account is held by another company; it is closed there.")
    busy = session.scalar(select(Payment.id).where(Payment.account_id == account.id,
                                                   Payment.status.not_in(FINAL_PAYMENT_STATUSES)).limit(1))
    if busy is not None:
        raise PaymentInProgress(f"Payment {busy} is not final yet; close the account once its outcome is known.",
                                details={"payment_id": busy})


def is_dormant(account: CalledPartyAccount, idle_since: dt.datetime) -> bool:
    """An open, unreviewed prepaid account with no deposit or charged call since ``idle_since``."""
    return (account.plan == "prepaid" and account.status == "active" and not account.needs_review
            and account.last_activity_at <= idle_since)


def book_close(session: Session, account_id: int, *, reason: str, actor: str, role: str,
               only_if_idle_since: dt.datetime | None = None) -> Closing:
    """Refund the whole available balance (booked, not sent) and close the account. Never commits.

    Closing a closed account returns its refunds. Raises ``HoldOpen``, ``PaymentInProgress``,
    ``BalanceDue`` (a direct-bill account that owes or is owed), ``AccountNotPayable``; with
    ``only_if_idle_since`` (the inactive-balance job), ``NotDormant`` unless the account, read under
    its lock, is still dormant (a deposit credited meanwhile updates the row this lock holds).
    """
    account = session.get(CalledPartyAccount, account_id, with_for_update=True,
                          populate_existing=True)
    if account is None:
        raise NotFound(f"No account has the id {account_id}.")
    if account.status == "closed":
        return Closing(account, refunds_of(session, account.id))
    if only_if_idle_since is not None and not is_dormant(account, only_if_idle_since):
        raise NotDormant(f"Account {account.id} is in use or under review again; its balance stays.")
    _check_closable(session, account)
    assert account.ledger_account_id is not None
    balance = lock_balance(session, account.ledger_account_id)
    if balance.debits_pending.amount > 0 or balance.credits_pending.amount > 0:
        raise HoldOpen("A call's hold is open on the account; close it once the call has ended.")
    if account.plan == "direct_bill" and balance.posted.amount != 0:
        raise BalanceDue("A direct-bill account is closed once its amount due is settled.")
    available = max(0, to_minor(balance.available)) if account.plan == "prepaid" else 0
    candidates = card_capacities(session, account.id)
    split = fill_in_order(available, [capacity for _, capacity in candidates])
    why = reason or "account closed"
    for (payment, _), part in zip(candidates, split.parts, strict=True):
        if part:
            book_card_refund(session, account, payment, part, key=f"close:{account.id}:payment:{payment.id}",
                             reason=why)
    if split.rest:
        book_check_refund(session, account, split.rest, key=f"close:{account.id}:check", reason=why)
    accounts.set_status(session, account, "closed", why)
    refunds = refunds_of(session, account.id)
    audit.record(session, actor=actor, role=role, action="account.close", subject_type="account",
                 subject_id=account.id, details={"reason": why, "refunded": available,
                                                 "refunds": [{"id": r.id, "method": r.method, "amount": r.amount}
                                                             for r in refunds]})
    return Closing(account, refunds)


def close_account(session: Session, gateway: Gateway, account_id: int, *, reason: str, actor: str,
                  role: str = "staff", only_if_idle_since: dt.datetime | None = None) -> Closing:
    """Close an account and refund its balance. Boundary: commits the booking, then each refund's answer."""
    closing = book_close(session, account_id, reason=reason, actor=actor, role=role,
                         only_if_idle_since=only_if_idle_since)
    session.commit()
    for refund in closing.refunds:
        if refund.method == "card" and refund.status == "pending" and refund.stripe_refund_id is None:
            submit_refund(session, gateway, refund.id, actor=actor)
    return Closing(closing.account, refunds_of(session, account_id))


def submit_refund(session: Session, gateway: Gateway, refund_id: int, *, actor: str) -> str:
    """Send a booked card refund to Stripe and record the answer. Boundary: commits.

    No transaction is open while Stripe is asked.
    """
    refund = session.get(Refund, refund_id)
    assert refund is not None and refund.payment_id is not None
    payment = session.get(Payment, refund.payment_id)
    assert payment is not None and payment.stripe_payment_intent_id is not None
    intent_id, amount, key = payment.stripe_payment_intent_id, refund.amount, refund.idempotency_key
    metadata = {REFUND_REF: refund.reference, "refund_id": str(refund.id), "account_id": str(refund.account_id)}
    session.commit()
    try:
        answer = gateway.create_refund(payment_intent_id=intent_id, amount=amount, idempotency_key=key,
                                       metadata=metadata)
    except GatewayUncertain:
        outcome = _mark(session, refund_id, "unknown")
    except GatewayUnavailable:  # Stripe didn't take it (rate limit, outage): the janitor sends it again
        outcome = f"refund {refund_id} stays pending: Stripe was unavailable"
    except GatewayError as exc:
        locked = lock_refund(session, refund_id)
        outcome = fall_back_to_check(session, locked, exc.message, actor=actor) if locked.status in (
            "pending", "unknown") else f"refund {refund_id} is {locked.status}"
    else:
        outcome = apply_refund(session, lock_refund(session, refund_id), answer, actor=actor)
    session.commit()
    return outcome


def lock_refund(session: Session, refund_id: int) -> Refund:
    return session.scalars(select(Refund).where(Refund.id == refund_id).with_for_update()
                           .execution_options(populate_existing=True)).one()


def _mark(session: Session, refund_id: int, status: str) -> str:
    refund = lock_refund(session, refund_id)
    if refund.status == "pending" and refund.stripe_refund_id is None:
        refund.status, refund.updated_at = status, utcnow()
    return f"refund {refund_id} is {refund.status}"


def apply_refund(session: Session, refund: Refund, answer: StripeRefund, *, actor: str) -> str:
    """Record Stripe's Refund on our (locked) card refund; a failed one becomes a check."""
    refund.stripe_refund_id = refund.stripe_refund_id or answer.id
    status = _FROM_STRIPE.get(answer.status, "pending")
    if refund.status in ("failed", "canceled", "check_pending"):
        return f"refund {refund.id} already {refund.status}"
    if status in ("failed", "canceled") and (refund.ledger_transfer_id is None or refund.idempotency_key.startswith(
            "stripe:")):  # made in Stripe's dashboard: no check follows on its own; staff decide
        refund.status, refund.updated_at, refund.failure_message = status, utcnow(), answer.failure_reason or ""
        session.get_one(CalledPartyAccount, refund.account_id).needs_review = True
        return f"refund {refund.id} is {status}"
    if status in ("failed", "canceled"):
        return fall_back_to_check(session, refund, f"Stripe reports the refund {status} "
                                  f"({answer.failure_reason or 'no reason given'})", actor=actor, status=status)
    refund.status, refund.updated_at = status, utcnow()
    return f"refund {refund.id} is {status}"


def fall_back_to_check(session: Session, refund: Refund, message: str, *, actor: str, status: str = "failed") -> str:
    """A card refund that can't go to the card: undo its booking and refund the amount by check."""
    account = session.get(CalledPartyAccount, refund.account_id)
    assert account is not None and refund.ledger_transfer_id is not None
    payment = session.get(Payment, refund.payment_id) if refund.payment_id else None
    refund.status, refund.failure_message, refund.updated_at = status, message, utcnow()
    ledgers.reverse(session, refund.ledger_transfer_id, idempotency_key=f"refund:{refund.reference}:undo",
                    purpose="card_refund_failed", reference=f"refund:{refund.id}")
    check = book_check_refund(session, account, refund.amount, key=f"{refund.idempotency_key}:check",
                              reason=f"card refund {refund.id} failed: {message}", payment=payment)
    account.needs_review = True
    audit.record(session, actor=actor, role=settlement.SYSTEM_ROLE, action="refund.to_check", subject_type="account",
                 subject_id=account.id, details={"card_refund": refund.id, "check_refund": check.id,
                                                 "amount": refund.amount, "message": message})
    return f"refund {refund.id} {status}: check refund {check.id} instead"


def record_stripe_refund(session: Session, payment: Payment, answer: StripeRefund, *, actor: str) -> str:
    """Match a Refund Stripe reports to ours (by Stripe id, else our metadata reference), or book it
    now if it was made in Stripe's dashboard: taken from the account as far as its balance allows,
    the rest written off to ``dispute_losses`` for staff to review."""
    found = session.scalar(select(Refund.id).where(Refund.stripe_refund_id == answer.id))
    if found is None and answer.reference:
        found = session.scalar(select(Refund.id).where(Refund.reference == answer.reference))
    if found is not None:
        return apply_refund(session, lock_refund(session, found), answer, actor=actor)
    if answer.status in ("failed", "canceled") or answer.amount <= 0:
        return f"ignored: refund {answer.id} made in Stripe is {answer.status}"
    if payment.credit_transfer_id is None:  # a refund proves the charge went through
        settlement.credit(session, payment, actor=actor)
    account = session.get(CalledPartyAccount, payment.account_id)
    assert account is not None and payment.credit_transfer_id is not None
    recovered = min(answer.amount, settlement.recoverable(session, payment, account))
    refund = _new_refund(session, account, method="card", amount=answer.amount, key=f"stripe:{answer.id}",
                         reason="refunded in Stripe's dashboard", payment=payment)
    refund.stripe_refund_id, refund.status = answer.id, _FROM_STRIPE.get(answer.status, "pending")
    if recovered:
        refund.ledger_transfer_id = ledgers.reverse(
            session, payment.credit_transfer_id, amount=from_minor(recovered, account.currency),
            idempotency_key=f"refund:{refund.reference}", purpose="card_refund", reference=f"refund:{refund.id}").id
    if answer.amount > recovered:
        ledgers.transfer(session, debit=settlement.house(session, "dispute_losses", account.currency),
                         credit=settlement.house(session, "payment_clearing", account.currency),
                         amount=from_minor(answer.amount - recovered, account.currency),
                         idempotency_key=f"refund:{refund.reference}:loss", purpose="refund_loss",
                         reference=f"refund:{refund.id}")
    account.needs_review = True  # money left outside our flow: staff look
    return f"booked refund {answer.id} made in Stripe as refund {refund.id} ({recovered} recovered)"


def mark_check_mailed(session: Session, refund_id: int, *, check_number: str, actor: str, role: str) -> Refund:
    """Staff mailed a check refund: record its number and pay it out (``refunds_payable`` → ``bank``). Never commits.

    Marking it again with the same number changes nothing; with another number, or a refund that is
    not a check waiting to be sent, raises ``NotAPendingCheck``.
    """
    refund = session.scalars(select(Refund).where(Refund.id == refund_id).with_for_update()
                             .execution_options(populate_existing=True)).one_or_none()
    if refund is None:
        raise PaymentNotFound(f"No refund has the id {refund_id}.")
    if refund.status == "check_mailed" and refund.check_number == check_number:
        return refund
    if refund.status != "check_pending":
        raise NotAPendingCheck(
            f"Refund {refund.id} is a {refund.method} refund that is {refund.status}"
            + (f" (check {refund.check_number})" if refund.check_number else "") + ".",
            details={"status": refund.status, "check_number": refund.check_number})
    refund.payout_transfer_id = ledgers.transfer(
        session, debit=settlement.house(session, "refunds_payable", refund.currency),
        credit=settlement.house(session, "bank", refund.currency),
        amount=from_minor(refund.amount, refund.currency), idempotency_key=f"refund:{refund.reference}:mailed",
        purpose="check_mailed", reference=f"refund:{refund.id}").id
    refund.status, refund.check_number = "check_mailed", check_number
    refund.mailed_at = refund.updated_at = utcnow()
    audit.record(session, actor=actor, role=role, action="refund.check_mailed", subject_type="refund",
                 subject_id=refund.id, details={"check_number": check_number, "amount": refund.amount,
                                                "account_id": refund.account_id})
    return refund
