"""Disputes (chargebacks): take the money back from the account, suspend it, and undo that if we win.

When a dispute opens, Stripe has already taken the disputed amount from our balance. We reverse the
payment's credit as far as the account allows — a prepaid balance never goes below zero, so what
the family already spent on calls can't come back — and book the rest to ``dispute_losses``. The
account is suspended for review (``needs_review``): a dispute can mean a stolen card.

A *won* dispute returns the money to us, and so to the family: both bookings are reversed (the
payment counts again), the dispute is marked ``restored``. The suspension stays for staff to lift;
a won dispute still deserved a look. A lost one changes nothing more: it was booked when it opened.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import ledgers
from billing import audit
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.payments import settlement
from billing.payments.gateway import DisputeInfo
from billing.payments.models import DISPUTE_STATUSES, Dispute, Payment
from ledgers.base import utcnow
from rating.money import from_minor


def _status(info: DisputeInfo) -> str:
    return info.status if info.status in DISPUTE_STATUSES else "needs_response"


def open_dispute(session: Session, payment: Payment, info: DisputeInfo, *, actor: str) -> str:
    """Book a new dispute on a (credited) payment, once; later calls only update its status."""
    existing = session.scalar(select(Dispute).where(Dispute.stripe_dispute_id == info.id))
    if existing is not None:
        if existing.status not in ("won", "lost"):
            existing.status = _status(info)
        return f"dispute {info.id} already booked"
    if payment.credit_transfer_id is None:  # a dispute proves the charge went through
        settlement.credit(session, payment, actor=actor)
    account = session.get(CalledPartyAccount, payment.account_id)
    assert account is not None and payment.credit_transfer_id is not None
    amount = min(info.amount, payment.amount) or payment.amount
    recovered = min(amount, settlement.recoverable(session, payment, account))
    dispute = Dispute(stripe_dispute_id=info.id, payment_id=payment.id, amount=amount, currency=payment.currency,
                      status=_status(info), reason=info.reason[:100], recovered=recovered,
                      written_off=amount - recovered, opened_at=utcnow())
    if recovered:
        dispute.reversal_transfer_id = ledgers.reverse(
            session, payment.credit_transfer_id, amount=from_minor(recovered, payment.currency),
            idempotency_key=f"stripe:{info.id}:recover", purpose="dispute", reference=f"dispute:{info.id}").id
    if dispute.written_off:
        dispute.loss_transfer_id = ledgers.transfer(
            session, debit=settlement.house(session, "dispute_losses", payment.currency),
            credit=settlement.house(session, "payment_clearing", payment.currency),
            amount=from_minor(dispute.written_off, payment.currency), idempotency_key=f"stripe:{info.id}:loss",
            purpose="dispute_loss", reference=f"dispute:{info.id}").id
    session.add(dispute)
    _suspend(session, account, payment, info, actor)
    return f"dispute {info.id} opened on payment {payment.id}: {recovered} recovered, {dispute.written_off} written off"


def _suspend(session: Session, account: CalledPartyAccount, payment: Payment, info: DisputeInfo, actor: str) -> None:
    account.needs_review = True
    if account.status == "closed":
        return
    reason = f"{settlement.DISPUTE_REASON_PREFIX} {info.id} on payment {payment.id} ({info.reason or 'no reason'})"
    before = accounts.set_status(session, account, "suspended", reason)
    audit.record(session, actor=actor, role=settlement.SYSTEM_ROLE, action="account.suspend", subject_type="account",
                 subject_id=account.id, details={"status": {"before": before, "after": "suspended"},
                                                 "reason": reason, "dispute": info.id})


def close_dispute(session: Session, payment: Payment, info: DisputeInfo, *, actor: str) -> str:
    """Record a dispute's end; a won dispute gives the money back (once)."""
    opened = open_dispute(session, payment, info, actor=actor)  # a closing event may come first
    dispute = session.scalars(select(Dispute).where(Dispute.stripe_dispute_id == info.id)
                              .with_for_update()).one()
    dispute.status, dispute.closed_at = _status(info), dispute.closed_at or utcnow()
    if dispute.status != "won" or dispute.restored:
        return f"{opened}; closed {dispute.status}"
    for transfer_id, part in ((dispute.reversal_transfer_id, "restore"), (dispute.loss_transfer_id, "unloss")):
        if transfer_id is not None:
            ledgers.reverse(session, transfer_id, idempotency_key=f"stripe:{info.id}:won:{part}",
                            purpose="dispute_won", reference=f"dispute:{info.id}")
    dispute.restored = True
    account = session.get(CalledPartyAccount, payment.account_id)
    assert account is not None
    audit.record(session, actor=actor, role=settlement.SYSTEM_ROLE, action="dispute.won", subject_type="account",
                 subject_id=account.id, details={"dispute": info.id, "payment_id": payment.id,
                                                 "restored": dispute.recovered})
    return f"dispute {info.id} won: payment {payment.id} restored"
