"""The rating engine: pure functions over immutable values that price calls from prisons and jails.

- `money`: Decimal/Money helpers with one named rounding rule (`DEFAULT_ROUNDING`, half-up).
- `tariffs`: `Tariff`, `charge`, `billable_seconds`, `max_billable_seconds`, `select_tariff`.
- `jurisdiction`: `normalize_number`, `state_of`, `jurisdiction_for`.
- `caps`: the legal rate caps as data (`CAPS`) and `check_tariff`.
- `speech` and `quote`: the spoken rate quote for the IVR, in English and Spanish.
- `errors`: the one exception tree (`RatingError` and its coded subclasses).

This package imports nothing from billing, ledgers or invoices, and no web or database code.
"""

from rating.caps import (
    CAPS,
    FacilityClass,
    FacilityProfile,
    InternationalRule,
    RateCap,
    applicable_caps,
    cap_limit,
    check_tariff,
)
from rating.errors import InvalidNumber, InvalidTariff, NoTariff, RateCapExceeded, RatingError
from rating.jurisdiction import jurisdiction_for, normalize_number, state_of
from rating.money import (
    DEFAULT_ROUNDING,
    Rounding,
    format_amount,
    from_minor,
    minor_exponent,
    money,
    parse_amount,
    round_money,
    to_minor,
)
from rating.quote import Quote, quote
from rating.speech import say_amount, say_minutes
from rating.tariffs import (
    Jurisdiction,
    Tariff,
    billable_seconds,
    charge,
    max_billable_seconds,
    overlapping,
    select_tariff,
)

__all__ = [
    "CAPS",
    "DEFAULT_ROUNDING",
    "FacilityClass",
    "FacilityProfile",
    "InternationalRule",
    "InvalidNumber",
    "InvalidTariff",
    "Jurisdiction",
    "NoTariff",
    "Quote",
    "RateCap",
    "RateCapExceeded",
    "RatingError",
    "Rounding",
    "Tariff",
    "applicable_caps",
    "billable_seconds",
    "cap_limit",
    "charge",
    "check_tariff",
    "format_amount",
    "from_minor",
    "jurisdiction_for",
    "max_billable_seconds",
    "minor_exponent",
    "money",
    "normalize_number",
    "overlapping",
    "parse_amount",
    "quote",
    "round_money",
    "say_amount",
    "say_minutes",
    "select_tariff",
    "state_of",
    "to_minor",
]
