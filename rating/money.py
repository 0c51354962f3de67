"""Money helpers: construction, named rounding, minor units, strict parsing and plain formatting.

Amounts are `Decimal` (wrapped in `moneyed.Money`), never float. py-moneyed has three traps
this module exists to avoid: it silently accepts floats, `Money.round()` rounds half-even, and
`get_amount_in_sub_unit()` truncates. Everything here rounds by an explicit, named rule.
"""

from __future__ import annotations

import re
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from enum import StrEnum
from functools import lru_cache

import moneyed
from moneyed import Money

__all__ = [
    "DEFAULT_ROUNDING",
    "Rounding",
    "divide_rounded",
    "format_amount",
    "from_minor",
    "minor_exponent",
    "money",
    "parse_amount",
    "round_money",
    "to_minor",
]


class Rounding(StrEnum):
    """A named rounding rule; `decimal_mode` is the matching `decimal` constant."""

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    UP = "up"  # away from zero
    DOWN = "down"  # toward zero

    @property
    def decimal_mode(self) -> str:
        """The `decimal` rounding constant (e.g. `decimal.ROUND_HALF_UP`)."""
        return _DECIMAL_MODES[self]


_DECIMAL_MODES = {
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.HALF_EVEN: ROUND_HALF_EVEN,
    Rounding.UP: ROUND_UP,
    Rounding.DOWN: ROUND_DOWN,
}

DEFAULT_ROUNDING = Rounding.HALF_UP
"""The project's one rounding rule for charges: half a minor unit rounds away from zero."""

# Strict API syntax: no exponent, sign other than "-", spaces, separators or non-ASCII digits.
_AMOUNT_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
_MAX_AMOUNT_CHARS = 40  # far beyond any real amount; refuses absurd inputs before Decimal sees them


def _check_decimal(amount: object) -> Decimal:
    """Return `amount` as a finite Decimal; float → TypeError, non-finite → ValueError."""
    if isinstance(amount, float):
        raise TypeError("money amounts must be Decimal, int or str, never float")
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(f"money amounts must be Decimal, int or str, not {type(amount).__name__}")
    value = parse_amount(amount) if isinstance(amount, str) else Decimal(amount)
    if not value.is_finite():
        raise ValueError(f"money amount must be finite, got {value}")
    return value


def money(amount: Decimal | int | str, currency: str = "USD") -> Money:
    """Build a `Money` from a Decimal, int or strict decimal string (see `parse_amount`).

    Raises TypeError for floats (and other types), ValueError for NaN/Infinity or an unknown
    currency code. The amount keeps its full precision; round with `round_money`.
    """
    value = _check_decimal(amount)
    minor_exponent(currency)  # validates the code
    return Money(value, currency)


@lru_cache(maxsize=64)
def minor_exponent(currency: str) -> int:
    """Decimal places of the currency's minor unit (USD → 2, JPY → 0, BHD → 3).

    Raises ValueError for an unknown currency code.
    """
    try:
        sub_unit = moneyed.get_currency(currency).sub_unit
    except moneyed.CurrencyDoesNotExist:
        raise ValueError(f"unknown currency {currency!r}") from None
    exponent = len(str(sub_unit)) - 1
    if sub_unit != 10**exponent:  # no ISO currency does this today; refuse rather than guess
        raise ValueError(f"currency {currency} has a non-decimal minor unit ({sub_unit})")
    return exponent


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_exponent(currency))


def round_money(m: Money, rounding: Rounding = DEFAULT_ROUNDING) -> Money:
    """`m` quantized to its currency's minor unit by the named rule (default half-up)."""
    amount: Decimal = m.amount
    with localcontext() as ctx:
        # quantize fails if the result needs more digits than the context allows
        ctx.prec = max(28, len(amount.as_tuple().digits) + 8)
        rounded = amount.quantize(_quantum(m.currency.code), rounding=Rounding(rounding).decimal_mode)
    return Money(rounded, m.currency)


def to_minor(m: Money) -> int:
    """The amount in integer minor units (cents for USD), exactly.

    Raises ValueError if `m` has more precision than the minor unit: callers round first
    (`round_money`) so that no sub-unit is ever dropped silently.
    """
    amount: Decimal = m.amount
    scaled = amount.scaleb(minor_exponent(m.currency.code))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{format_amount(amount)} {m.currency.code} is not a whole number of minor units")
    return int(scaled)


def from_minor(units: int, currency: str) -> Money:
    """`Money` from integer minor units: `from_minor(386, "USD") == Money("3.86", "USD")`."""
    if isinstance(units, bool) or not isinstance(units, int):
        raise TypeError(f"minor units must be int, not {type(units).__name__}")
    return Money(Decimal(units).scaleb(-minor_exponent(currency)), currency)


def divide_rounded(numerator: int, denominator: int, rounding: Rounding = DEFAULT_ROUNDING) -> int:
    """`numerator / denominator` rounded to an integer by the named rule, exactly.

    Integer arithmetic, so there is no intermediate rounding (a Decimal division would round
    to the context precision first). `denominator` must be positive.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        twice = 2 * remainder  # compared with the denominator: below, at or above one half
        round_away = {
            Rounding.UP: True,
            Rounding.DOWN: False,
            Rounding.HALF_UP: twice >= denominator,
            Rounding.HALF_EVEN: twice > denominator or (twice == denominator and quotient % 2 == 1),
        }[Rounding(rounding)]
        quotient += round_away
    return sign * quotient


def parse_amount(text: str) -> Decimal:
    """Parse a strict decimal string such as "10.00" or "-0.5".

    Accepts an optional leading "-", ASCII digits, and optionally "." followed by digits.
    Raises ValueError for anything else: exponents ("1e3"), "NaN", "Infinity", spaces,
    thousands separators, a leading "+", a bare "." or more than 40 characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"amount text must be str, not {type(text).__name__}")
    if len(text) > _MAX_AMOUNT_CHARS or not _AMOUNT_RE.fullmatch(text):
        raise ValueError(f"not a plain decimal amount: {text[:_MAX_AMOUNT_CHARS]!r}")
    return Decimal(text)


def format_amount(d: Decimal | Money) -> str:
    """A plain decimal string: at least 2 decimals, no trailing zeros beyond them, no exponent.

    0.009 → "0.009", 0.070000 → "0.07", 1.5 → "1.50", 0 → "0.00", 12 → "12.00".
    """
    amount: Decimal = d.amount if isinstance(d, Money) else d
    if not isinstance(amount, Decimal):
        raise TypeError(f"format_amount takes Decimal or Money, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"cannot format {amount} as an amount")
    if amount.is_zero():
        amount = Decimal(0)  # no "-0.00"
    with localcontext() as ctx:
        ctx.prec = max(28, len(amount.as_tuple().digits) + 4)  # quantize needs room for 2 places
        cents = amount.quantize(Decimal("0.01"))
        # normalize() drops trailing zeros; it only makes an exponent for whole numbers,
        # which the two-decimal branch covers
        plain = cents if cents == amount else amount.normalize()
    return format(plain, "f")
