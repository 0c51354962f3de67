"""Rate quotes: what a call costs, as values and as a sentence the IVR speaks (47 CFR 64.710).

Quoting never touches an account; it only prices a hypothetical call under one tariff.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from moneyed import Money

from rating.speech import LANGUAGES, say_amount, say_increment, say_minimum, say_minutes
from rating.tariffs import Jurisdiction, Tariff, billable_seconds, charge

__all__ = ["MAX_QUOTE_MINUTES", "Quote", "quote"]

MAX_QUOTE_MINUTES = 1440  # one day


@dataclass(frozen=True, slots=True)
class Quote:
    """The price of a call of `minutes` minutes under one tariff, with its spoken form.

    `first_minute` is the effective first-minute rate (equal to `per_minute` when the tariff
    has no separate one); `charge` is rounded by the tariff's rule; `text` is what the IVR says.
    """

    jurisdiction: Jurisdiction
    currency: str
    per_minute: Decimal
    first_minute: Decimal
    billing_increment_seconds: int
    minutes: int
    charge: Money
    text: str


def _rates_clause(tariff: Tariff, lang: str) -> str:
    currency = tariff.currency
    per_minute = say_amount(tariff.per_minute, currency, lang)
    if tariff.effective_first_minute == tariff.per_minute:
        if lang == "en":
            return f"This call costs {per_minute} per minute"
        return f"Esta llamada cuesta {per_minute} por minuto"
    first = say_amount(tariff.effective_first_minute, currency, lang)
    if lang == "en":
        return f"This call costs {first} for the first minute and {per_minute} for each additional minute"
    return f"Esta llamada cuesta {first} el primer minuto y {per_minute} cada minuto adicional"


def _quote_text(tariff: Tariff, minutes: int, total: Money, lang: str) -> str:
    if tariff.is_free:
        return "This call is free." if lang == "en" else "Esta llamada es gratuita."
    verb = "costs" if lang == "en" else "cuesta"
    example = f"{say_minutes(minutes, lang)} {verb} {say_amount(total.amount, tariff.currency, lang)}"
    sentences = [f"{_rates_clause(tariff, lang)}; {example}."]
    if tariff.increment_seconds != 60:
        sentences.append(say_increment(tariff.increment_seconds, lang))
    shortest = billable_seconds(tariff, 1)
    if shortest > tariff.increment_seconds:
        # a minimum longer than one increment changes what a short call costs: disclose it
        sentences.append(say_minimum(shortest, lang))
    return " ".join(sentences)


def quote(tariff: Tariff, minutes: int, lang: str = "en") -> Quote:
    """Quote a call of `minutes` whole minutes (1..1440) under `tariff`, spoken in `lang`.

    The charge is `charge(tariff, minutes * 60)`. The text is one sentence, e.g. "This call
    costs nine tenths of a cent per minute; a fifteen-minute call costs fourteen cents.", plus
    a short sentence for an increment other than 60 s ("Billed in six-second increments.") or
    a minimum longer than one increment; a free tariff says "This call is free.".
    Raises ValueError for minutes outside 1..1440 or an unsupported language.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_QUOTE_MINUTES:
        raise ValueError(f"minutes must be a whole number from 1 to {MAX_QUOTE_MINUTES}, got {minutes!r}")
    total = charge(tariff, minutes * 60)
    return Quote(
        jurisdiction=tariff.jurisdiction,
        currency=tariff.currency,
        per_minute=tariff.per_minute,
        first_minute=tariff.effective_first_minute,
        billing_increment_seconds=tariff.increment_seconds,
        minutes=minutes,
        charge=total,
        text=_quote_text(tariff, minutes, total, lang),
    )
