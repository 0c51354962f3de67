"""Bringing a payment in line with Stripe: the one place that credits a payment, exactly once.

Whatever learns a payment's outcome — the synchronous answer to the confirm, a webhook, the
janitor reading Stripe — calls ``apply_intent``. A payment is credited only on Stripe's
*confirmation* (an event or a read-back), never on the synchronous answer alone; the credit's
ledger idempotency key is derived from the PaymentIntent id, and the payment row is locked while it
is written, so two paths that confirm the same payment at once still credit it once.

Status moves only forward (created/unknown → requires_action → processing → failed/canceled), with
one exception: Stripe's confirmed success always wins, because a PaymentIntent that failed can be
retried and succeed, and the money then is ours to credit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import invoices
import ledgers
from billing import audit
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.payments.gateway import Intent
from billing.payments.models import Payment
from ledgers.base import utcnow
from ledgers.locks import lock_balance
from ledgers.models import LedgerAccount
from ledgers.transfers import reversed_total
from rating.money import from_minor, to_minor

#: The role recorded in the audit trail for what Stripe's events and the janitor do.
SYSTEM_ROLE = "system"
#: How a dispute's suspension reason starts; a paid-up balance does not lift such a suspension.
DISPUTE_REASON_PREFIX = "Stripe dispute"
#: How dunning's suspension reason starts; paying what the past-due statements ask lifts it.
PAST_DUE_REASON_PREFIX = "Past due:"

_FROM_STRIPE = {
    "requires_confirmation": "created",
    "requires_action": "requires_action",
    "processing": "processing",
    "requires_capture": "processing",
    "succeeded": "succeeded",
    "requires_payment_method": "failed",
    "canceled": "canceled",
}
_RANK = {"created": 0, "unknown": 0, "requires_action": 1, "processing": 2, "failed": 3, "canceled": 3}


def house(session: Session, name: str, currency: str) -> LedgerAccount:
    """A house account, created (with the whole house chart) on first use."""
    try:
        return ledgers.house_account(session, name, currency)
    except ledgers.UnknownAccount:
        return ledgers.ensure_house_accounts(session, currency)[name]


def lock_payment(session: Session, payment_id: int) -> Payment:
    """The payment, re-read under its row lock (until the transaction ends)."""
    payment = session.scalars(
        select(Payment).where(Payment.id == payment_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    return payment


def payment_for_intent(session: Session, intent_id: str | None, reference: str | None) -> Payment | None:
    """Our payment for a PaymentIntent: by its id, else by the reference we put in its metadata."""
    found = None
    if intent_id:
        found = session.scalar(select(Payment.id).where(Payment.stripe_payment_intent_id == intent_id))
    if found is None and reference:
        found = session.scalar(select(Payment.id).where(Payment.reference == reference))
    return None if found is None else lock_payment(session, found)


def our_status(intent: Intent) -> str:
    """Our payment status for Stripe's PaymentIntent status."""
    return _FROM_STRIPE.get(intent.status, "unknown")


def apply_intent(session: Session, payment: Payment, intent: Intent, *, confirmed: bool, actor: str) -> str:
    """Record what Stripe says about ``payment`` (locked by the caller); credit it if Stripe confirmed
    success. ``confirmed`` is False for the synchronous answer to our own confirm. Returns what it did."""
    if payment.stripe_payment_intent_id is None:
        payment.stripe_payment_intent_id = intent.id
    elif payment.stripe_payment_intent_id != intent.id:
        return f"ignored: payment {payment.id} belongs to {payment.stripe_payment_intent_id}, not {intent.id}"
    payment.stripe_charge_id = intent.charge_id or payment.stripe_charge_id
    payment.client_secret = payment.client_secret or intent.client_secret
    status = our_status(intent)
    if status == "succeeded" and confirmed:
        return credit(session, payment, actor=actor)
    if status == "succeeded":
        status = "processing"  # Stripe's webhook or a read-back will confirm it
    if payment.status == "succeeded":
        return f"payment {payment.id} already credited"
    if _RANK.get(status, 0) <= _RANK.get(payment.status, 0):
        return f"payment {payment.id} stays {payment.status}"
    payment.status, payment.updated_at = status, utcnow()
    if status == "failed":
        payment.failure_message = intent.failure_message or "The payment failed."
    return f"payment {payment.id} is {status}"


def credit(session: Session, payment: Payment, *, actor: str) -> str:
    """Credit a confirmed payment to its account's ledger account (once; locked by the caller)."""
    if payment.credit_transfer_id is not None:
        return f"payment {payment.id} already credited"
    if payment.stripe_payment_intent_id is None:
        raise ValueError("a payment is credited only once Stripe's PaymentIntent is known")
    # The account's row before its ledger row, the order closing, deposits, statements and dunning
    # take them in (so none of them can deadlock with a credit), read fresh under the lock.
    account = session.get(CalledPartyAccount, payment.account_id, with_for_update=True, populate_existing=True)
    assert account is not None and account.ledger_account_id is not None
    transfer = ledgers.transfer(
        session, debit=house(session, "payment_clearing", payment.currency), credit=account.ledger_account_id,
        amount=from_minor(payment.amount, payment.currency),
        idempotency_key=f"stripe:{payment.stripe_payment_intent_id}:credit", purpose=payment.kind,
        reference=f"payment:{payment.id}",
    )
    now = utcnow()
    payment.credit_transfer_id, payment.status = transfer.id, "succeeded"
    payment.succeeded_at = payment.updated_at = now
    payment.failure_message = ""
    account.last_activity_at = now  # a deposit restarts the 180-day clock (47 CFR 64.6130)
    if account.status == "closed":
        account.needs_review = True  # money arrived after closing: staff refund it
    if payment.kind == "balance_payment":
        _after_balance_payment(session, account, payment, actor)
    return f"credited payment {payment.id}"


def _after_balance_payment(session: Session, account: CalledPartyAccount, payment: Payment, actor: str) -> None:
    """A payment that clears the amount due lifts a suspension (not one a dispute caused); one for a
    past-due statement is lifted once what the past-due statements ask is paid (later calls aside)."""
    due = accounts.standing(session, account).amount_due
    if due is None:
        return
    if due.amount < 0:
        account.needs_review = True  # overpaid: a credit balance staff may refund or carry forward
    if account.status != "suspended" or account.status_reason.startswith(DISPUTE_REASON_PREFIX):
        return
    if account.status_reason.startswith(PAST_DUE_REASON_PREFIX):
        if invoices.past_due_owed(session, account.id) > 0:
            return
    elif due.amount > 0:
        return
    reason = f"amount due paid in full by payment {payment.id}"
    before = accounts.set_status(session, account, "active", reason)
    audit.record(session, actor=actor, role=SYSTEM_ROLE, action="account.reactivate", subject_type="account",
                 subject_id=account.id, details={"status": {"before": before, "after": "active"}, "reason": reason,
                                                 "payment_id": payment.id})


def fail(session: Session, payment: Payment, status: str, message: str) -> None:
    """Record that a payment did not happen (``failed`` or ``canceled``), unless it was credited."""
    if payment.status == "succeeded":
        return
    payment.status, payment.failure_message, payment.updated_at = status, message, utcnow()


def recoverable(session: Session, payment: Payment, account: CalledPartyAccount) -> int:
    """Minor units of the payment's credit that can still be taken back from the account now."""
    assert payment.credit_transfer_id is not None and account.ledger_account_id is not None
    credit = ledgers.get_transfer(session, payment.credit_transfer_id)
    left = credit.amount - reversed_total(session, credit.id)
    if account.plan != "prepaid":
        return left  # a receivable simply owes the payment again
    available = to_minor(lock_balance(session, account.ledger_account_id).available)
    return max(0, min(left, available))
