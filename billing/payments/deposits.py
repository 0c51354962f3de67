"""Taking a card payment: a deposit onto a prepaid balance, or a payment of a direct-bill amount due.

The card was collected by Stripe.js; we receive a PaymentMethod id (``pm_…``), never card details.
``take_payment`` is the whole flow and, like a job, the boundary of its own units of work:

1. ``begin`` records the attempt — or finds the earlier one with the same idempotency key, which
   is returned as it is without asking Stripe again (a different amount under that key is an
   ``IdempotencyConflict``) — and the attempt is **committed before Stripe hears of it**, with a
   random reference that Stripe keeps as metadata. A crash or a lost answer from here on leaves a
   row that the janitor can match to Stripe's PaymentIntent;
2. Stripe creates and confirms the PaymentIntent (our idempotency key is its ``Idempotency-Key``);
   no database transaction is open meanwhile;
3. the answer is recorded and committed: ``requires_action`` (3-D Secure for the page to complete),
   ``processing`` (Stripe took it; the money is credited when Stripe *confirms* it by webhook or the
   janitor reads it back), ``failed`` with Stripe's message (``CardDeclined`` is raised after the
   commit), or ``unknown`` when Stripe did not answer.

No fee of any kind is added: the card is charged exactly the amount credited.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing import audit
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.config import Settings
from billing.errors import InvalidParameter, NotFound
from billing.payments import settlement
from billing.payments.errors import (
    AccountNotPayable,
    CardDeclined,
    GatewayError,
    GatewayUncertain,
    IdempotencyConflict,
    InvalidAmount,
)
from billing.payments.gateway import PAYMENT_REF, Gateway
from billing.payments.models import FINAL_PAYMENT_STATUSES, PAYMENT_KINDS, Payment
from ledgers.base import utcnow
from rating.money import format_amount, from_minor, money, round_money, to_minor

#: Stripe's smallest card charge in USD (cents); a balance payment below it can't be taken by card.
STRIPE_MINIMUM_CHARGE = 50
_PAYMENT_METHOD = re.compile(r"^(pm|card|src)_[A-Za-z0-9_]{1,200}$")
_CUSTOMER = re.compile(r"^cus_[A-Za-z0-9]{1,200}$")


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A request to charge a card already collected with Stripe.js."""

    account_id: int
    kind: str  # deposit | balance_payment
    amount: Decimal
    payment_method: str  # a PaymentMethod id
    idempotency_key: str
    requested_by: str
    role: str = "staff"
    customer: str | None = None  # the Stripe Customer the PaymentMethod is attached to, if any


@dataclass(frozen=True, slots=True)
class Taken:
    """The payment (new, or the original one when ``replayed``)."""

    payment: Payment
    replayed: bool


def payments_of(session: Session, account_id: int, *, limit: int = 200) -> list[Payment]:
    """An account's payments, newest first."""
    return list(session.scalars(select(Payment).where(Payment.account_id == account_id)
                                .order_by(Payment.id.desc()).limit(limit)))


def check_request(request: PaymentRequest) -> None:
    """Refuse malformed ids before anything is stored (card numbers never get this far)."""
    if request.kind not in PAYMENT_KINDS:
        raise InvalidParameter(f"unknown payment kind {request.kind!r}")
    if not _PAYMENT_METHOD.fullmatch(request.payment_method):
        raise InvalidParameter("'payment_method' must be a Stripe PaymentMethod id such as 'pm_…' "
                               "(card details never come to this service).", details={"field": "payment_method"})
    if request.customer is not None and not _CUSTOMER.fullmatch(request.customer):
        raise InvalidParameter("'customer' must be a Stripe Customer id ('cus_…').", details={"field": "customer"})
    if not 0 < len(request.idempotency_key) <= 200:
        raise InvalidParameter("'idempotency_key' must be 1–200 characters.", details={"field": "idempotency_key"})


def _check_account(account: CalledPartyAccount, kind: str) -> None:
    if account.ledger_account_id is None:
        raise AccountNotPayable("The account is held by another company; pay it there.")
    if kind == "deposit" and account.plan != "prepaid":
        raise AccountNotPayable("Deposits go to prepaid accounts; a direct-bill account pays its amount due.")
    if kind == "balance_payment" and account.plan != "direct_bill":
        raise AccountNotPayable("Only a direct-bill account has an amount due; a prepaid account takes deposits.")
    if account.status == "closed":
        raise AccountNotPayable("The account is closed.")
    # A suspended prepaid account can't use new money (a suspension there follows a dispute or a
    # staff decision under review), so it takes none; a suspended direct-bill account must be able
    # to pay: paying the amount due is how its suspension ends.
    if kind == "deposit" and account.status != "active":
        raise AccountNotPayable("The account is suspended; deposits resume once it is active again.")


def _in_flight(session: Session, account_id: int) -> int:
    total = session.scalar(select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.account_id == account_id, Payment.status.not_in(FINAL_PAYMENT_STATUSES)))
    return int(total or 0)


def _check_amount(session: Session, settings: Settings, account: CalledPartyAccount, kind: str, units: int) -> None:
    currency = account.currency
    if kind == "deposit":
        low, high = (to_minor(round_money(money(v, currency))) for v in (settings.min_deposit, settings.max_deposit))
        if not low <= units <= high:
            raise InvalidAmount(
                f"A deposit is between {format_amount(settings.min_deposit)} and "
                f"{format_amount(settings.max_deposit)} {currency}.",
                details={"min": format_amount(settings.min_deposit), "max": format_amount(settings.max_deposit)})
        return
    due = accounts.standing(session, account).amount_due
    payable = (to_minor(due) if due is not None else 0) - _in_flight(session, account.id)
    if not STRIPE_MINIMUM_CHARGE <= units <= payable:
        raise InvalidAmount(
            f"A payment is between {format_amount(from_minor(STRIPE_MINIMUM_CHARGE, currency))} and the amount "
            f"due not already being paid ({format_amount(from_minor(max(payable, 0), currency))} {currency}).",
            details={"payable": format_amount(from_minor(max(payable, 0), currency))})


def _replay(existing: Payment, request: PaymentRequest, units: int) -> Taken:
    if (existing.kind, existing.amount, existing.payment_method) != (request.kind, units, request.payment_method):
        raise IdempotencyConflict(
            f"The idempotency key was already used for payment {existing.id} of "
            f"{format_amount(from_minor(existing.amount, existing.currency))} {existing.currency}.",
            details={"payment_id": existing.id})
    return Taken(existing, replayed=True)


def _find(session: Session, account_id: int, key: str) -> Payment | None:
    return session.scalar(select(Payment).where(Payment.account_id == account_id, Payment.idempotency_key == key))


def begin(session: Session, settings: Settings, request: PaymentRequest) -> Taken:
    """Record a payment attempt (not committed), or return the one made earlier with the same key."""
    check_request(request)
    account = session.get(CalledPartyAccount, request.account_id, with_for_update=True)
    if account is None:
        raise NotFound(f"No account has the id {request.account_id}.")
    units = to_minor(round_money(money(request.amount, account.currency)))
    existing = _find(session, account.id, request.idempotency_key)
    if existing is not None:
        return _replay(existing, request, units)
    _check_account(account, request.kind)
    _check_amount(session, settings, account, request.kind, units)
    payment = Payment(
        reference=secrets.token_hex(16), kind=request.kind, account_id=account.id, amount=units,
        currency=account.currency, status="created", idempotency_key=request.idempotency_key,
        payment_method=request.payment_method, stripe_customer=request.customer, failure_message="",
        requested_by=request.requested_by, created_at=utcnow(), updated_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(payment)
    except IntegrityError:  # the same key, at the same moment, from another request
        existing = _find(session, account.id, request.idempotency_key)
        if existing is None:
            raise
        return _replay(existing, request, units)
    audit.record(session, actor=request.requested_by, role=request.role, action=f"payment.{request.kind}",
                 subject_type="account", subject_id=account.id,
                 details={"payment_id": payment.id, "amount": format_amount(from_minor(units, account.currency)),
                          "currency": account.currency, "payment_method": request.payment_method})
    return Taken(payment, replayed=False)


def take_payment(session: Session, gateway: Gateway, settings: Settings, request: PaymentRequest) -> Taken:
    """Begin, ask Stripe, record the answer. Boundary: commits the attempt, then the outcome.

    Raises ``CardDeclined`` (and other ``GatewayError``s) after recording the failure; a payment
    whose outcome Stripe did not tell us is returned with status ``unknown``.
    """
    taken = begin(session, settings, request)
    if taken.replayed:
        return taken
    payment = taken.payment
    payment_id, amount, currency = payment.id, payment.amount, payment.currency
    metadata = {PAYMENT_REF: payment.reference, "payment_id": str(payment_id), "account_id": str(payment.account_id),
                "kind": payment.kind}
    session.commit()
    try:
        intent = gateway.create_intent(
            amount=amount, currency=currency, payment_method=request.payment_method, customer=request.customer,
            idempotency_key=stripe_idempotency_key(payment), metadata=metadata)
    except GatewayUncertain:
        _record(session, payment_id, "unknown", "")
        return Taken(payment, replayed=False)
    except CardDeclined as exc:
        _record(session, payment_id, "failed", exc.message)
        raise
    except GatewayError as exc:
        _record(session, payment_id, "canceled" if exc.status >= 500 else "failed", exc.message)
        raise
    locked = settlement.lock_payment(session, payment_id)
    settlement.apply_intent(session, locked, intent, confirmed=False, actor=request.requested_by)
    session.commit()
    return Taken(locked, replayed=False)


def stripe_idempotency_key(payment: Payment) -> str:
    """Stripe's ``Idempotency-Key``: the client's key, scoped to the account (keys are unique per account)."""
    return f"account:{payment.account_id}:{payment.idempotency_key}"


def _record(session: Session, payment_id: int, status: str, message: str) -> None:
    payment = settlement.lock_payment(session, payment_id)
    if payment.status == "created":
        if status == "unknown":
            payment.status, payment.updated_at = status, utcnow()
        else:
            settlement.fail(session, payment, status, message)
    session.commit()
