"""Amounts and durations as words an IVR can speak, in English and Spanish.

No external dependency: a small cardinal speller (0..999,999) for each language. Spanish
numerals agree with the noun: "un centavo", "veintiún minutos", "una décima", "doscientas".
Supported languages are "en" and "es"; any other raises ValueError.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from rating.money import format_amount

__all__ = [
    "LANGUAGES",
    "cardinal",
    "say_amount",
    "say_increment",
    "say_minimum",
    "say_minutes",
]

LANGUAGES = ("en", "es")

Gender = Literal["m", "f", "n"]
"""Spanish agreement: "m" before a masculine noun ("un"), "f" feminine ("una"), "n" alone ("uno")."""

_MAX_CARDINAL = 999_999
_HALF = Decimal("0.5")

# fmt: off
_EN_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)
_EN_TENS = (
    "_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)
_EN_FRACTIONS = ("tenth", "hundredth", "thousandth", "ten-thousandth", "hundred-thousandth", "millionth")

_ES_ONES = (
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete",
    "ocho", "nueve", "diez", "once", "doce", "trece", "catorce", "quince",
    "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós", "veintitrés",
    "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve",
)
_ES_TENS = (
    "_", "_", "_", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa",
)
_ES_HUNDREDS = (
    "_", "ciento", "doscientos", "trescientos", "cuatrocientos",
    "quinientos", "seiscientos", "setecientos", "ochocientos", "novecientos",
)
# fmt: on
_ES_FRACTIONS = ("décima", "centésima", "milésima", "diezmilésima", "cienmilésima", "millonésima")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")


def _check_count(n: int, low: int = 0) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, not {type(n).__name__}")
    if not low <= n <= _MAX_CARDINAL:
        raise ValueError(f"{n} is outside {low}..{_MAX_CARDINAL}")


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{_EN_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else ""))
    elif rest:
        words.append(_EN_ONES[rest])
    return " ".join(words)


def _en_cardinal(n: int) -> str:
    if n == 0:
        return _EN_ONES[0]
    thousands, rest = divmod(n, 1000)
    words = [f"{_en_below_1000(thousands)} thousand"] if thousands else []
    if rest:
        words.append(_en_below_1000(rest))
    return " ".join(words)


def _es_below_100(n: int, gender: Gender) -> str:
    if n < 30:
        word = _ES_ONES[n]
    else:
        tens, ones = divmod(n, 10)
        word = _ES_TENS[tens] + (f" y {_ES_ONES[ones]}" if ones else "")
    if word.endswith("uno") and gender != "n":
        # apocope before a masculine noun ("veintiún minutos"), agreement with a feminine one
        if gender == "f":
            return word[:-1] + "a"
        return "veintiún" if n == 21 else word[:-1]
    return word


def _es_below_1000(n: int, gender: Gender) -> str:
    if n == 100:
        return "cien"
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        word = _ES_HUNDREDS[hundreds]
        words.append(word.replace("ientos", "ientas") if gender == "f" else word)
    if rest:
        words.append(_es_below_100(rest, gender))
    return " ".join(words)


def _es_cardinal(n: int, gender: Gender) -> str:
    if n == 0:
        return _ES_ONES[0]
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands == 1:
        words.append("mil")
    elif thousands:
        # "mil" takes the apocopated form ("veintiún mil") unless the noun is feminine
        words.append(f"{_es_below_1000(thousands, 'f' if gender == 'f' else 'm')} mil")
    if rest:
        words.append(_es_below_1000(rest, gender))
    return " ".join(words)


def cardinal(n: int, lang: str, gender: Gender = "n") -> str:
    """`n` (0..999,999) in words: cardinal(21, "en") == "twenty-one".

    `gender` matters for Spanish only: cardinal(21, "es", "m") == "veintiún" (before a
    masculine noun), "f" gives "veintiuna", "n" (standalone) gives "veintiuno".
    """
    _check_lang(lang)
    _check_count(n)
    return _en_cardinal(n) if lang == "en" else _es_cardinal(n, gender)


def _fraction_of_cent(cents: Decimal, lang: str) -> str:
    """Less than one cent: "nine tenths of a cent", "medio centavo"."""
    if cents == _HALF:
        return "half a cent" if lang == "en" else "medio centavo"
    exponent = cents.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if not 1 <= places <= len(_EN_FRACTIONS):
        raise ValueError(f"{cents} of a cent is too precise to speak")
    count = int(cents.scaleb(places))
    plural = "s" if count != 1 else ""
    if lang == "en":
        return f"{_en_cardinal(count)} {_EN_FRACTIONS[places - 1]}{plural} of a cent"
    return f"{_es_cardinal(count, 'f')} {_ES_FRACTIONS[places - 1]}{plural} de centavo"


def _fraction_digits(fraction: Decimal, lang: str) -> str:
    """The digits after the point: en one by one ("three four"), es as a number ("treinta y cuatro")."""
    digits = format(fraction.normalize(), "f").split(".")[1]
    if lang == "en":
        return " ".join(_EN_ONES[int(d)] for d in digits)
    significant = digits.lstrip("0")
    zeros = ["cero"] * (len(digits) - len(significant))
    return " ".join([*zeros, _es_cardinal(int(significant), "n")])


def _cents(cents: Decimal, lang: str) -> str:
    """A positive number of cents below 100, possibly fractional."""
    whole = int(cents)
    fraction = cents - whole
    if whole == 0:
        return _fraction_of_cent(fraction, lang)
    return _en_cents(whole, fraction) if lang == "en" else _es_cents(whole, fraction)


def _en_cents(whole: int, fraction: Decimal) -> str:
    if not fraction:
        return f"{_en_cardinal(whole)} cent{'s' if whole != 1 else ''}"
    if fraction == _HALF:
        return f"{_en_cardinal(whole)} and a half cents"
    return f"{_en_cardinal(whole)} point {_fraction_digits(fraction, 'en')} cents"


def _es_cents(whole: int, fraction: Decimal) -> str:
    unit = "centavo" if whole == 1 else "centavos"
    if not fraction:
        return f"{_es_cardinal(whole, 'm')} {unit}"
    if fraction == _HALF:
        return f"{_es_cardinal(whole, 'm')} {unit} y medio"
    return f"{_es_cardinal(whole, 'n')} coma {_fraction_digits(fraction, 'es')} centavos"


def _dollars(dollars: int, lang: str) -> str:
    if lang == "en":
        return f"{_en_cardinal(dollars)} dollar{'s' if dollars != 1 else ''}"
    return f"{_es_cardinal(dollars, 'm')} {'dólar' if dollars == 1 else 'dólares'}"


def say_amount(amount: Decimal, currency: str, lang: str) -> str:
    """`amount` of `currency` in words, for speech.

    USD: 0.009 → "nine tenths of a cent" / "nueve décimas de centavo"; 0.005 → "half a cent" /
    "medio centavo"; 0.125 → "twelve and a half cents" / "doce centavos y medio"; 3.86 →
    "three dollars and eighty-six cents" / "tres dólares con ochenta y seis centavos";
    0 → "nothing" / "nada". Other currencies fall back to "0.14 EUR".
    Raises TypeError for floats, ValueError for an unsupported language, a negative amount,
    more than 999,999 dollars, or sub-cent precision beyond millionths of a cent.
    """
    _check_lang(lang)
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal, not {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"cannot speak the amount {amount}")
    if currency != "USD":
        return f"{format_amount(amount)} {currency}"
    if amount == 0:
        return "nothing" if lang == "en" else "nada"
    dollars = int(amount)
    _check_count(dollars)
    cents = (amount - dollars).scaleb(2)
    if not dollars:
        return _cents(cents, lang)
    if not cents:
        return _dollars(dollars, lang)
    joiner = " and " if lang == "en" else " con "
    return _dollars(dollars, lang) + joiner + _cents(cents, lang)


def say_minutes(n: int, lang: str) -> str:
    """A call of `n` minutes as a noun phrase: "a fifteen-minute call" / "una llamada de quince minutos".

    English agrees the article ("an eight-minute call"); Spanish apocopates ("de veintiún minutos").
    """
    _check_lang(lang)
    _check_count(n, low=1)
    if lang == "en":
        number = _en_cardinal(n).replace(" ", "-")
        article = "an" if number.startswith("e") else "a"  # eight, eleven, eighteen, eighty
        return f"{article} {number}-minute call"
    return f"una llamada de {_es_cardinal(n, 'm')} minuto{'s' if n != 1 else ''}"


def _duration(seconds: int, lang: str) -> tuple[str, str]:
    """(number in words, unit) with whole minutes said as minutes; Spanish numbers apocopated."""
    count, unit = (seconds // 60, "minute") if seconds % 60 == 0 else (seconds, "second")
    if lang == "en":
        return _en_cardinal(count), unit
    return _es_cardinal(count, "m"), "minuto" if unit == "minute" else "segundo"


def say_increment(seconds: int, lang: str) -> str:
    """The billing increment as a sentence: "Billed in six-second increments."."""
    _check_lang(lang)
    _check_count(seconds, low=1)
    number, unit = _duration(seconds, lang)
    if lang == "en":
        return f"Billed in {number.replace(' ', '-')}-{unit} increments."
    plural = "s" if number != "un" else ""
    return f"Se factura en incrementos de {number} {unit}{plural}."


def say_minimum(seconds: int, lang: str) -> str:
    """The minimum billed time as a sentence: "Each call is billed for at least thirty seconds."."""
    _check_lang(lang)
    _check_count(seconds, low=1)
    number, unit = _duration(seconds, lang)
    if lang == "en":
        plural = "s" if number != "one" else ""
        return f"Each call is billed for at least {number} {unit}{plural}."
    plural = "s" if number != "un" else ""
    return f"Cada llamada se factura por al menos {number} {unit}{plural}."
