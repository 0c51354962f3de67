"""The rating engine's one exception tree.

Every error a caller can act on is a `RatingError` with a stable `code` (the API puts it in the
problem body) and a `message` a person can read. Programming errors (wrong types, impossible
arguments) stay `TypeError` / `ValueError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from rating.caps import RateCap


class RatingError(Exception):
    """Base of every rating error; `code` is stable, `message` is for people."""

    code: ClassVar[str] = "RATING_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidNumber(RatingError):
    """A dialled number that is empty, malformed, too long or not a valid telephone number."""

    code: ClassVar[str] = "INVALID_NUMBER"


class InvalidTariff(RatingError):
    """A tariff whose fields are inconsistent (bad types, negative rates, bad dates or prefix)."""

    code: ClassVar[str] = "INVALID_TARIFF"


class RateCapExceeded(RatingError):
    """A tariff rate above a legal cap in force on some day the tariff is effective.

    `cap` is the violated cap (the strictest one when several are violated); the message names
    it, its source, the cap amount and the tariff's amount.
    """

    code: ClassVar[str] = "RATE_CAP_EXCEEDED"

    def __init__(self, message: str, *, cap: RateCap) -> None:
        super().__init__(message)
        self.cap = cap


class NoTariff(RatingError):
    """No tariff covers the call's jurisdiction, destination and date."""

    code: ClassVar[str] = "NO_TARIFF"
