"""The payments package's exception tree (one branch of ``billing.errors.ServiceError``).

Services raise these; ``billing.http`` turns them into JSON error bodies with the class's
``code`` and ``status``. ``GatewayError`` and its subclasses are what ``billing.payments.gateway``
raises when Stripe answers with an error or does not answer: the rest of the package never sees
a ``stripe`` exception.
"""

from __future__ import annotations

from billing.errors import ServiceError


class PaymentError(ServiceError):
    """Base of every payments error."""

    code = "PAYMENT_ERROR"
    status = 400


class PaymentsUnavailable(PaymentError):
    """Payments are not configured (no ``STRIPE_SECRET_KEY`` or webhook secret) or Stripe refused our key."""

    code = "PAYMENTS_UNAVAILABLE"
    status = 503


class InvalidAmount(PaymentError):
    """The amount is outside the allowed range (min/max deposit, or more than the amount due)."""

    code = "INVALID_AMOUNT"
    status = 422


class IdempotencyConflict(PaymentError):
    """The idempotency key was already used on this account for a different payment request."""

    code = "IDEMPOTENCY_CONFLICT"
    status = 409


class AccountNotPayable(PaymentError):
    """The account can't take this payment: wrong plan, held by another company, or not open for it."""

    code = "ACCOUNT_NOT_PAYABLE"
    status = 409


class PaymentNotFound(PaymentError):
    """No payment (or refund) has that id."""

    code = "NOT_FOUND"
    status = 404


class NotAPendingCheck(PaymentError):
    """Only a check refund waiting to be sent can be marked mailed (or it was mailed with another number)."""

    code = "NOT_A_PENDING_CHECK"
    status = 409


class CloseRefused(PaymentError):
    """The account can't be closed now; ``code`` says why."""

    code = "CLOSE_REFUSED"
    status = 409


class NotDormant(CloseRefused):
    """The inactive-balance job found the account in use again (or under review) once it held its lock."""

    code = "NOT_DORMANT"


class HoldOpen(CloseRefused):
    """A call's hold is open on the account: close it once the call has ended."""

    code = "HOLD_OPEN"


class PaymentInProgress(CloseRefused):
    """A payment on the account is not final yet: its outcome must be known before money goes back."""

    code = "PAYMENT_IN_PROGRESS"


class BalanceDue(CloseRefused):
    """A direct-bill account still owes (or is owed) money; settle it before closing."""

    code = "BALANCE_DUE"


class InvalidSignature(PaymentError):
    """A webhook's ``Stripe-Signature`` is missing, malformed, stale or wrong: nothing was stored."""

    code = "INVALID_SIGNATURE"
    status = 400


class InvalidEvent(PaymentError):
    """A correctly signed webhook body that is not a Stripe event (no id, type or data object)."""

    code = "INVALID_EVENT"
    status = 400


class GatewayError(PaymentError):
    """Stripe answered a request with an error we can't use; nothing was charged."""

    code = "PAYMENT_GATEWAY_ERROR"
    status = 502


class CardDeclined(GatewayError):
    """The card was declined; ``message`` is Stripe's, meant for the cardholder. No money moved."""

    code = "CARD_DECLINED"
    status = 402


class PaymentMethodRejected(GatewayError):
    """Stripe refused the request itself (an unknown or unusable PaymentMethod, a refused refund)."""

    code = "PAYMENT_METHOD_INVALID"
    status = 422


class GatewayUnavailable(GatewayError):
    """Stripe refused our credentials or throttled us: the request surely did not take effect."""

    code = "PAYMENTS_UNAVAILABLE"
    status = 503


class GatewayUncertain(GatewayError):
    """No usable answer (timeout, connection lost, Stripe 5xx): the request may or may not have taken
    effect. Callers record the payment as ``unknown`` and let the janitor read the truth later."""

    code = "PAYMENT_OUTCOME_UNKNOWN"
    status = 504
