"""Money at the ledger's boundary: ``Money`` in, integer minor units in the journal, ``Money`` out."""

from __future__ import annotations

from moneyed import Money

from ledgers.errors import CurrencyMismatch, InvalidAmount
from rating.money import from_minor, to_minor

__all__ = ["MAX_UNITS", "to_money", "to_units"]

#: The largest amount a BIGINT column holds.
MAX_UNITS = 2**63 - 1


def to_units(amount: object, currency: str, *, allow_zero: bool = False) -> int:
    """``amount`` in minor units of ``currency``, refusing anything the journal can't hold exactly.

    Raises ``InvalidAmount`` for a non-``Money``, a fraction of a minor unit, a negative amount, a
    zero one (unless ``allow_zero``) or one too large; ``CurrencyMismatch`` for another currency.
    """
    if not isinstance(amount, Money):
        raise InvalidAmount(f"amount must be Money, not {type(amount).__name__}")
    if amount.currency.code != currency:
        raise CurrencyMismatch(f"amount is in {amount.currency.code}, the account in {currency}")
    try:
        units = to_minor(amount)
    except (ValueError, ArithmeticError) as exc:  # sub-unit digits, NaN, infinity
        raise InvalidAmount(f"{amount.amount} {currency} is not a whole number of minor units") from exc
    if units < 0 or (units == 0 and not allow_zero):
        raise InvalidAmount(f"amount must be {'zero or more' if allow_zero else 'positive'}, got {units}")
    if units > MAX_UNITS:
        raise InvalidAmount("amount too large")
    return units


def to_money(units: int, currency: str) -> Money:
    """Minor units back to ``Money``."""
    return from_minor(int(units), currency)
