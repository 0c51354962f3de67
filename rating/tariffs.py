"""Tariffs and the pricing of one call: billable time, charge, longest affordable call, selection.

A tariff prices one jurisdiction (and, for international calls, one destination prefix) over an
inclusive range of days. The charge of a call is rounded once, to the currency's minor unit,
by the tariff's named rounding rule — never per minute or per increment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from moneyed import Money

from rating.errors import InvalidNumber, InvalidTariff, NoTariff
from rating.money import DEFAULT_ROUNDING, Rounding, divide_rounded, from_minor, minor_exponent

__all__ = [
    "Jurisdiction",
    "Tariff",
    "billable_seconds",
    "charge",
    "max_billable_seconds",
    "overlapping",
    "select_tariff",
]

RATE_PLACES = 6
"""Rates may carry sub-cent precision, up to this many decimal places (0.009 USD/min is real)."""

_RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)
_MAX_RATE = Decimal(1000)  # per minute: a guard against typos, far above any lawful rate
_MAX_PREFIX_DIGITS = 15  # E.164 numbers have at most 15 digits
_MINUTE = 60


class Jurisdiction(StrEnum):
    """Where a call goes relative to the facility; caps and tariffs differ for each."""

    INTRASTATE = "intrastate"
    INTERSTATE = "interstate"
    INTERNATIONAL = "international"


def _check_rate(name: str, value: object) -> None:
    if isinstance(value, float) or not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite() or value < 0 or value > _MAX_RATE:
        raise InvalidTariff(f"{name} must be between 0 and {_MAX_RATE} per minute, got {value}")
    if value != value.quantize(_RATE_QUANTUM):
        raise InvalidTariff(f"{name} has more than {RATE_PLACES} decimal places: {value}")


def _check_seconds(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise InvalidTariff(f"{name} must be between {low} and {high} seconds, got {value}")


def _check_day(name: str, value: object) -> None:
    # a datetime is a date subclass but compares unequal to dates and raises on ordering
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Tariff:
    """The price of calls of one jurisdiction (and destination prefix) over a range of days.

    - `per_minute`: Decimal rate per minute, 0 or more, at most 6 decimal places.
    - `first_minute`: a different rate for the first minute (None = `per_minute`).
    - `effective_from` .. `effective_to`: inclusive days; `effective_to=None` is open-ended.
    - `increment_seconds` (1..3600) and `minimum_seconds` (0..3600): see `billable_seconds`.
    - `rounding`: the named rule that rounds each call's charge once (default half-up).
    - `destination_prefix`: international only, E.164 digits without "+" ("52" = Mexico);
      "" matches every destination. The longest matching prefix wins (`select_tariff`).
    - `termination_allowance`: international only, the provider's disclosed average cost per
      minute to terminate a call in that destination; 47 CFR 64.6030 lets the FCC cap add it.

    There is deliberately no field for any separate fee (connection, deposit, account,
    statement, refund, single-call…): FCC 24-75 bans every ancillary charge and Illinois law
    (730 ILCS 5/3-4-1(a-5)) bans fees of any kind, so a tariff can only price minutes.

    Raises `InvalidTariff` for inconsistent values and `TypeError` for wrong types (floats).
    """

    jurisdiction: Jurisdiction
    per_minute: Decimal
    effective_from: date
    effective_to: date | None = None
    currency: str = "USD"
    first_minute: Decimal | None = None
    increment_seconds: int = 60
    minimum_seconds: int = 0
    rounding: Rounding = DEFAULT_ROUNDING
    destination_prefix: str = ""
    termination_allowance: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        try:
            # accept the stored string forms, keep the enums
            object.__setattr__(self, "jurisdiction", Jurisdiction(self.jurisdiction))
            object.__setattr__(self, "rounding", Rounding(self.rounding))
        except ValueError as exc:
            raise InvalidTariff(f"tariff: {exc}") from None
        _check_rate("per_minute", self.per_minute)
        if self.first_minute is not None:
            _check_rate("first_minute", self.first_minute)
        _check_rate("termination_allowance", self.termination_allowance)
        _check_seconds("increment_seconds", self.increment_seconds, 1, 3600)
        _check_seconds("minimum_seconds", self.minimum_seconds, 0, 3600)
        self._check_period()
        self._check_destination()
        try:
            minor_exponent(self.currency)
        except ValueError:
            raise InvalidTariff(f"unknown currency {self.currency!r}") from None

    def _check_period(self) -> None:
        _check_day("effective_from", self.effective_from)
        if self.effective_to is not None:
            _check_day("effective_to", self.effective_to)
            if self.effective_to < self.effective_from:
                raise InvalidTariff(
                    f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
                )

    def _check_destination(self) -> None:
        prefix = self.destination_prefix
        if not isinstance(prefix, str):
            raise TypeError("destination_prefix must be a str")
        if prefix and not (prefix.isascii() and prefix.isdigit() and len(prefix) <= _MAX_PREFIX_DIGITS):
            raise InvalidTariff(f"destination_prefix must be up to 15 digits without '+', got {prefix!r}")
        international = self.jurisdiction is Jurisdiction.INTERNATIONAL
        if prefix and not international:
            raise InvalidTariff("only international tariffs have a destination_prefix")
        if self.termination_allowance and not international:
            raise InvalidTariff("only international tariffs have a termination_allowance")

    @property
    def effective_first_minute(self) -> Decimal:
        """The rate of the first minute: `first_minute`, or `per_minute` when it is None."""
        return self.per_minute if self.first_minute is None else self.first_minute

    @property
    def is_free(self) -> bool:
        """True when every call costs nothing."""
        return self.per_minute == 0 and self.effective_first_minute == 0

    def is_effective_on(self, d: date) -> bool:
        """True if `d` is within `effective_from` .. `effective_to` (inclusive)."""
        return self.effective_from <= d and (self.effective_to is None or d <= self.effective_to)


def billable_seconds(tariff: Tariff, seconds: int) -> int:
    """Seconds billed for a call that lasted `seconds`.

    0 for 0 seconds (an unconnected call is never billed); otherwise the larger of `seconds`
    and `minimum_seconds`, rounded up to a whole number of `increment_seconds`.
    Raises ValueError for negative seconds.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise TypeError(f"seconds must be an int, not {type(seconds).__name__}")
    if seconds < 0:
        raise ValueError(f"seconds must not be negative, got {seconds}")
    if seconds == 0:
        return 0
    increments = -(-max(seconds, tariff.minimum_seconds) // tariff.increment_seconds)
    return increments * tariff.increment_seconds


def _micros(rate: Decimal) -> int:
    # exact: rates are validated to at most 6 decimal places and bounded
    return int(rate.scaleb(RATE_PLACES))


def charge(tariff: Tariff, seconds: int) -> Money:
    """The charge of a call lasting `seconds`, rounded ONCE to the currency's minor unit.

    With b = `billable_seconds(tariff, seconds)`, the unrounded charge is
    `first_minute × min(b, 60)/60 + per_minute × max(b − 60, 0)/60`: the first 60 billable
    seconds at the first-minute rate, the rest pro rata at the per-minute rate (without a
    separate first-minute rate this is `per_minute × b/60`). That exact value is then rounded
    once by the tariff's rule. Zero seconds cost zero.

    Example: 0.009/min for 15 minutes = 0.135 → half-up → 0.14 USD.
    """
    billed = billable_seconds(tariff, seconds)
    first = min(billed, _MINUTE)
    rate_seconds = _micros(tariff.effective_first_minute) * first + _micros(tariff.per_minute) * (
        billed - first
    )
    exponent = minor_exponent(tariff.currency)
    # integer arithmetic: the pro-rata division is exact until the one named rounding
    units = divide_rounded(rate_seconds * 10**exponent, _MINUTE * 10**RATE_PLACES, tariff.rounding)
    return from_minor(units, tariff.currency)


def max_billable_seconds(tariff: Tariff, available: Money, limit: int = 86_400) -> int:
    """The longest call, in whole seconds up to `limit`, whose charge does not exceed `available`.

    Exact under the tariff's rounding: the result r satisfies `charge(tariff, r) <= available`
    and, when r + increment_seconds <= limit, `available < charge(tariff, r + increment_seconds)`.
    Because the charge is a step function constant within an increment, r is the end of the
    last affordable increment (or `limit`). 0 when even the minimum charge is unaffordable or
    `available` is negative; `limit` for a free tariff.
    Raises ValueError if `available` is not in the tariff's currency or `limit` is negative.
    """
    if available.currency.code != tariff.currency:
        raise ValueError(f"available is in {available.currency.code}, the tariff in {tariff.currency}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a non-negative int, got {limit!r}")
    if tariff.is_free:
        return limit
    if available.amount < 0:
        return 0
    # the charge never decreases with duration, so a binary search over seconds is exact
    # (at most 17 evaluations for a day); no division-based estimate can misjudge rounding
    low, high = 0, limit  # invariant: charge(low) <= available, and the answer is in [low, high]
    while low < high:
        mid = (low + high + 1) // 2
        if charge(tariff, mid) <= available:
            low = mid
        else:
            high = mid - 1
    return low


def select_tariff(
    tariffs: Iterable[Tariff], jurisdiction: Jurisdiction, destination_e164: str, on: date
) -> Tariff:
    """The tariff pricing a call of `jurisdiction` to `destination_e164` on day `on`.

    Among tariffs of that jurisdiction effective on `on`, the one whose `destination_prefix`
    is the longest prefix of the destination's digits ("" matches every number). Should two
    candidates tie (the storage layer refuses overlaps) the later `effective_from` wins.
    Raises `NoTariff` if none applies, `InvalidNumber` if the destination is not "+digits".
    """
    digits = destination_e164.removeprefix("+")
    if not (digits.isascii() and digits.isdigit()):
        raise InvalidNumber(f"{destination_e164!r} is not an E.164 number")
    candidates = [
        t
        for t in tariffs
        if t.jurisdiction == jurisdiction
        and t.is_effective_on(on)
        and digits.startswith(t.destination_prefix)
    ]
    if not candidates:
        raise NoTariff(f"no {Jurisdiction(jurisdiction)} tariff for {destination_e164} on {on.isoformat()}")
    return max(candidates, key=lambda t: (len(t.destination_prefix), t.effective_from))


def overlapping(a: Tariff, b: Tariff) -> bool:
    """True if `a` and `b` price the same jurisdiction and prefix on at least one common day."""
    if a.jurisdiction != b.jurisdiction or a.destination_prefix != b.destination_prefix:
        return False
    a_ends_after_b_starts = a.effective_to is None or b.effective_from <= a.effective_to
    b_ends_after_a_starts = b.effective_to is None or a.effective_from <= b.effective_to
    return a_ends_after_b_starts and b_ends_after_a_starts
