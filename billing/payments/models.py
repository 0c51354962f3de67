"""Payment models: card payments, refunds, disputes and the Stripe events we received.

A ``Payment`` is one card payment into an account — a ``deposit`` onto a prepaid balance or a
``balance_payment`` against a direct-bill account's amount due. It is recorded (and committed)
*before* Stripe is asked, carrying a random ``reference`` that goes to Stripe as metadata, so a
PaymentIntent can always be tied back to its row even when Stripe's answer was lost. Its money is
credited only when Stripe confirms the payment: ``status = 'succeeded'`` exactly when the credit
transfer exists (a CHECK says so), whichever path — webhook or janitor — got there first.

A ``Refund`` gives money back: to the card (``method = 'card'``, a Stripe Refund of one payment) or
by a check that staff send (``method = 'check'``). Its ledger transfer is booked when we decide to
refund, so the balance is gone at once and can't be spent twice.

Amounts are integer minor units (cents); ``ledger_transfers`` holds the money itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow

PAYMENT_KINDS = ("deposit", "balance_payment")
PAYMENT_STATUSES = ("created", "requires_action", "processing", "succeeded", "failed", "canceled", "unknown")
#: A payment in one of these states is settled: the janitor leaves it alone.
FINAL_PAYMENT_STATUSES = ("succeeded", "failed", "canceled")
REFUND_METHODS = ("card", "check")
REFUND_STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled", "unknown", "check_pending",
                   "check_mailed")
DISPUTE_STATUSES = ("warning_needs_response", "warning_under_review", "warning_closed", "needs_response",
                    "under_review", "won", "lost", "prevented")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ('" + "', '".join(values) + "')"


class Payment(Base):
    """A card payment into an account, from the request to Stripe's confirmation."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_one_of("kind", PAYMENT_KINDS), name="kind_known"),
        CheckConstraint(_one_of("status", PAYMENT_STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(status = 'succeeded') = (credit_transfer_id IS NOT NULL)", name="credited_iff_succeeded"),
        UniqueConstraint("account_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    #: Random; sent to Stripe as metadata ``payment_ref`` to find the PaymentIntent if its answer is lost.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: The client's key: a retry with it returns this payment instead of charging again.
    idempotency_key: Mapped[str] = mapped_column(String(200))
    #: A Stripe PaymentMethod id (``pm_…``), never card details.
    payment_method: Mapped[str] = mapped_column(String(255))
    stripe_customer: Mapped[str | None] = mapped_column(String(255), nullable=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255), index=True, nullable=True)
    #: For the page to complete 3-D Secure with Stripe.js.
    client_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    failure_message: Mapped[str] = mapped_column(Text, default="")
    credit_transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transfers.id"), unique=True, nullable=True)
    #: Who asked (the API key's name), for the audit trail.
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_PAYMENT_STATUSES


class Refund(Base):
    """Money going back to a holder: to a payment's card, or by check."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(_one_of("method", REFUND_METHODS), name="method_known"),
        CheckConstraint(_one_of("status", REFUND_STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("method = 'check' OR payment_id IS NOT NULL", name="card_refund_has_payment"),
        CheckConstraint("(method = 'check') = (status IN ('check_pending', 'check_mailed'))", name="check_status"),
        CheckConstraint("(status = 'check_mailed') = (mailed_at IS NOT NULL)", name="mailed_when_mailed"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    #: Random; sent to Stripe as metadata ``refund_ref``.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True, nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: Also Stripe's ``Idempotency-Key`` for a card refund.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    ledger_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A check refund, once staff mailed it: its number, when, and the ledger transfer paying it out
    # (refunds_payable → bank: a check is paid from the bank, not from what Stripe holds).
    check_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    mailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    payout_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)


class Dispute(Base):
    """A cardholder's dispute of a payment, and what it moved in the ledger."""

    __tablename__ = "disputes"
    __table_args__ = (
        CheckConstraint(_one_of("status", DISPUTE_STATUSES), name="status_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("recovered >= 0 AND written_off >= 0 AND recovered + written_off = amount",
                        name="amount_accounted"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(100), default="")
    #: Taken back from the account (a reversal of the payment's credit).
    recovered: Mapped[int] = mapped_column(BigInteger, default=0)
    #: What the account no longer held (already spent on calls): booked to ``dispute_losses``.
    written_off: Mapped[int] = mapped_column(BigInteger, default=0)
    reversal_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)
    loss_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transfers.id"), nullable=True)
    #: A won dispute gives the money back: both transfers above are reversed.
    restored: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StripeEvent(Base):
    """Every webhook event, recorded once (the unique event id makes a redelivery a no-op)."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    #: The raw body as Stripe signed it.
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: What handling it did ("credited payment 7", "ignored: unknown type", …).
    outcome: Mapped[str] = mapped_column(Text, default="")
