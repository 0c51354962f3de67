"""The one module that imports ``stripe``: a small interface to Stripe returning plain values.

``Gateway`` is what the payments services use; ``StripeGateway`` implements it with the official
library through a ``stripe.StripeClient`` of its own (never the module's global state, so several
apps and tests can each talk to their own Stripe, or to a local fake through ``STRIPE_API_BASE``).
Every answer is a frozen dataclass; every Stripe error becomes one of ``billing.payments.errors``:

- card declined → ``CardDeclined`` (Stripe's message for the cardholder);
- invalid request (unknown PaymentMethod, refused refund) → ``PaymentMethodRejected``;
- bad key, throttling → ``GatewayUnavailable`` (the request did not take effect);
- timeout, lost connection, Stripe 5xx → ``GatewayUncertain`` (it may have taken effect).

The client never retries on its own (``max_network_retries=0``): a retry is only safe where Stripe
honours ``Idempotency-Key``, and the local fake doesn't. Payments in doubt are settled by the janitor,
which *reads* Stripe before it writes anything again.

Amounts are integer minor units (cents) and currencies upper-case ISO codes on our side of this
module; Stripe's lower-case currencies are converted here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import stripe

from billing.payments.errors import (
    CardDeclined,
    GatewayError,
    GatewayUnavailable,
    GatewayUncertain,
    InvalidEvent,
    InvalidSignature,
    PaymentMethodRejected,
)

__all__ = [
    "ChargeInfo",
    "DisputeInfo",
    "Gateway",
    "Intent",
    "StripeGateway",
    "StripeRefund",
    "WebhookEvent",
    "verify_event",
]

T = TypeVar("T")

#: Metadata keys tying Stripe objects to our rows.
PAYMENT_REF, REFUND_REF = "payment_ref", "refund_ref"


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _id_of(value: Any) -> str | None:
    """An expandable field: an id, or the embedded object (localstripe embeds ``latest_charge``)."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping):
        return _str(value, "id")
    return None


def _metadata(data: Mapping[str, Any]) -> Mapping[str, Any]:
    value = data.get("metadata")
    return value if isinstance(value, Mapping) else {}


def _currency(data: Mapping[str, Any]) -> str:
    return (_str(data, "currency") or "").upper()


@dataclass(frozen=True, slots=True)
class Intent:
    """A PaymentIntent as far as we care: Stripe's status, amount and our reference."""

    id: str
    status: str  # Stripe's: requires_payment_method … succeeded, canceled
    amount: int
    currency: str
    client_secret: str | None
    reference: str | None  # our payment's reference (metadata ``payment_ref``)
    charge_id: str | None
    failure_message: str | None
    created: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Intent:
        error = data.get("last_payment_error")
        message = _str(error, "message") if isinstance(error, Mapping) else None
        return cls(
            id=_str(data, "id") or "", status=_str(data, "status") or "", amount=_int(data, "amount"),
            currency=_currency(data), client_secret=_str(data, "client_secret"),
            reference=_str(_metadata(data), PAYMENT_REF), charge_id=_id_of(data.get("latest_charge")),
            failure_message=message, created=_int(data, "created"),
        )


@dataclass(frozen=True, slots=True)
class StripeRefund:
    """A Refund: its status (pending, succeeded, failed, canceled, requires_action) and our reference."""

    id: str
    status: str
    amount: int
    currency: str
    payment_intent_id: str | None
    charge_id: str | None
    reference: str | None  # our refund's reference (metadata ``refund_ref``)
    failure_reason: str | None
    created: int

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StripeRefund:
        return cls(
            id=_str(data, "id") or "", status=_str(data, "status") or "", amount=_int(data, "amount"),
            currency=_currency(data), payment_intent_id=_id_of(data.get("payment_intent")),
            charge_id=_id_of(data.get("charge")), reference=_str(_metadata(data), REFUND_REF),
            failure_reason=_str(data, "failure_reason"), created=_int(data, "created"),
        )


@dataclass(frozen=True, slots=True)
class ChargeInfo:
    """A Charge from a ``charge.*`` event; ``refunds`` is None when the payload did not list them."""

    id: str
    payment_intent_id: str | None
    paid: bool
    amount: int
    amount_refunded: int
    refunds: tuple[StripeRefund, ...] | None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChargeInfo:
        listed = data.get("refunds")
        refunds = None
        if isinstance(listed, Mapping) and isinstance(listed.get("data"), list):
            refunds = tuple(StripeRefund.from_dict(r) for r in listed["data"] if isinstance(r, Mapping))
        return cls(
            id=_str(data, "id") or "", payment_intent_id=_id_of(data.get("payment_intent")),
            paid=data.get("paid") is True or data.get("status") == "succeeded", amount=_int(data, "amount"),
            amount_refunded=_int(data, "amount_refunded"), refunds=refunds,
        )


@dataclass(frozen=True, slots=True)
class DisputeInfo:
    """A Dispute from a ``charge.dispute.*`` event."""

    id: str
    charge_id: str | None
    payment_intent_id: str | None
    amount: int
    currency: str
    status: str  # warning_needs_response … needs_response, under_review, won, lost
    reason: str

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DisputeInfo:
        return cls(
            id=_str(data, "id") or "", charge_id=_id_of(data.get("charge")),
            payment_intent_id=_id_of(data.get("payment_intent")), amount=_int(data, "amount"),
            currency=_currency(data), status=_str(data, "status") or "", reason=_str(data, "reason") or "",
        )


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified event: its id, type, creation time and ``data.object`` as a plain mapping."""

    id: str
    type: str
    created: int
    object: Mapping[str, Any]


def verify_event(payload: bytes, header: str | None, secret: str, *, tolerance: int = 300) -> WebhookEvent:
    """Check ``Stripe-Signature`` over the raw body and parse it; ``InvalidSignature`` or ``InvalidEvent``."""
    if not header or not secret:
        raise InvalidSignature("The Stripe-Signature header is missing.")
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, header, secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise InvalidSignature("The Stripe-Signature header does not match the body.") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidEvent("The body is not JSON.") from exc
    inner = data.get("data") if isinstance(data, dict) else None
    obj = inner.get("object") if isinstance(inner, dict) else None
    if not isinstance(data, dict) or not _str(data, "id") or not _str(data, "type") or not isinstance(obj, dict):
        raise InvalidEvent("The body is not a Stripe event.")
    return WebhookEvent(id=data["id"], type=data["type"], created=_int(data, "created"), object=obj)


class Gateway(Protocol):
    """What the payments services need from Stripe."""

    def create_intent(
        self, *, amount: int, currency: str, payment_method: str, customer: str | None,
        idempotency_key: str, metadata: Mapping[str, str],
    ) -> Intent:
        """Create and confirm a PaymentIntent; ``CardDeclined`` if the card is declined."""

    def retrieve_intent(self, intent_id: str) -> Intent:
        """The PaymentIntent as Stripe has it now."""

    def find_intent(self, reference: str) -> Intent | None:
        """The PaymentIntent carrying our ``reference`` in its metadata (after a lost answer), if any."""

    def list_intents(self, created_from: int, created_to: int) -> Iterator[Intent]:
        """PaymentIntents created in [created_from, created_to) (Unix seconds)."""

    def create_refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: Mapping[str, str]
    ) -> StripeRefund:
        """Refund ``amount`` of a PaymentIntent's charge to its card."""

    def retrieve_refund(self, refund_id: str) -> StripeRefund:
        """The Refund as Stripe has it now."""

    def refunds_for(self, payment_intent_id: str) -> list[StripeRefund]:
        """Every Refund of a PaymentIntent."""

    def list_refunds(self, created_from: int, created_to: int) -> Iterator[StripeRefund]:
        """Refunds created in [created_from, created_to) (Unix seconds)."""


def _translate(call: Callable[[], T]) -> T:
    """Run a Stripe request, turning its errors into ours."""
    try:
        return call()
    except stripe.CardError as exc:
        raise CardDeclined(exc.user_message or "Your card was declined.", details={"decline_code": exc.code}) from exc
    except (stripe.AuthenticationError, stripe.PermissionError, stripe.RateLimitError) as exc:
        raise GatewayUnavailable("Stripe refused the request; try again later.") from exc
    except stripe.InvalidRequestError as exc:
        raise PaymentMethodRejected(exc.user_message or "Stripe refused the request.") from exc
    except (stripe.APIConnectionError, stripe.APIError) as exc:
        raise GatewayUncertain("Stripe did not answer in time; the outcome will be checked.") from exc
    except stripe.StripeError as exc:
        if (exc.http_status or 0) >= 500:
            raise GatewayUncertain("Stripe failed to answer; the outcome will be checked.") from exc
        raise GatewayError(exc.user_message or "Stripe refused the request.") from exc


def _pages(first_page: Callable[[], Any]) -> Iterator[dict[str, Any]]:
    """Every object of a list, page after page, with each request's errors translated."""
    iterator = _translate(lambda: iter(first_page().auto_paging_iter()))
    while True:
        item = _translate(lambda: next(iterator, None))
        if item is None:
            return
        found: dict[str, Any] = item.to_dict()
        yield found


class StripeGateway:
    """``Gateway`` over the official library. ``api_base`` points it at a local fake (localstripe)."""

    #: How many objects to scan when looking for one by metadata (there is no metadata filter on lists).
    SCAN_LIMIT = 5000

    def __init__(
        self, secret_key: str, *, api_base: str | None = None, timeout: float = 30.0  # float-ok: seconds
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    def create_intent(
        self, *, amount: int, currency: str, payment_method: str, customer: str | None,
        idempotency_key: str, metadata: Mapping[str, str],
    ) -> Intent:
        # Card only: a server-side confirm with Stripe's automatic payment methods would need a
        # return_url for redirect-based methods (and localstripe refuses ``automatic_payment_methods``).
        # stripe 16's typed params name this ``allowed_payment_method_types``; the API and localstripe
        # take ``payment_method_types``.
        params: stripe.params.PaymentIntentCreateParams = {
            "amount": amount, "currency": currency.lower(), "payment_method": payment_method, "confirm": True,
            "payment_method_types": ["card"],  # type: ignore[typeddict-unknown-key]
            "metadata": dict(metadata),
        }
        if customer:
            params["customer"] = customer
        intent = _translate(lambda: self._client.v1.payment_intents.create(
            params=params, options={"idempotency_key": idempotency_key}))
        return Intent.from_dict(intent.to_dict())

    def retrieve_intent(self, intent_id: str) -> Intent:
        intent = _translate(lambda: self._client.v1.payment_intents.retrieve(intent_id))
        return Intent.from_dict(intent.to_dict())

    def _all_intents(self) -> Iterator[Intent]:
        # Neither Stripe's list nor localstripe's filters by metadata, and localstripe refuses every
        # filter on this list; against real Stripe, the Search API would find one faster.
        pages = _pages(lambda: self._client.v1.payment_intents.list(params={"limit": 100}))
        for count, intent in enumerate(pages):
            if count >= self.SCAN_LIMIT:
                return
            yield Intent.from_dict(intent)

    def find_intent(self, reference: str) -> Intent | None:
        return next((i for i in self._all_intents() if i.reference == reference), None)

    def list_intents(self, created_from: int, created_to: int) -> Iterator[Intent]:
        return (i for i in self._all_intents() if created_from <= i.created < created_to)

    def create_refund(
        self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: Mapping[str, str]
    ) -> StripeRefund:
        refund = _translate(lambda: self._client.v1.refunds.create(
            params={"payment_intent": payment_intent_id, "amount": amount, "metadata": dict(metadata)},
            options={"idempotency_key": idempotency_key}))
        return StripeRefund.from_dict(refund.to_dict())

    def retrieve_refund(self, refund_id: str) -> StripeRefund:
        refund = _translate(lambda: self._client.v1.refunds.retrieve(refund_id))
        return StripeRefund.from_dict(refund.to_dict())

    def refunds_for(self, payment_intent_id: str) -> list[StripeRefund]:
        pages = _pages(lambda: self._client.v1.refunds.list(
            params={"payment_intent": payment_intent_id, "limit": 100}))
        return [StripeRefund.from_dict(r) for r in pages]

    def list_refunds(self, created_from: int, created_to: int) -> Iterator[StripeRefund]:
        for refund in _pages(lambda: self._client.v1.refunds.list(params={"limit": 100})):
            found = StripeRefund.from_dict(refund)
            if created_from <= found.created < created_to:
                yield found
