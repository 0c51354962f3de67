"""Rate quotes: the numbers and the one sentence the IVR speaks."""

from datetime import date
from decimal import Decimal

import pytest
from moneyed import Money

from rating.quote import Quote, quote
from rating.tariffs import Jurisdiction, Tariff

D = Decimal
START = date(2026, 4, 6)
IL_PRISON = Tariff(Jurisdiction.INTRASTATE, D("0.009"), START)
COUNTY_JAIL = Tariff(Jurisdiction.INTRASTATE, D("0.51"), START, first_minute=D("3.86"))


def test_quote_values() -> None:
    q = quote(IL_PRISON, 15)
    assert q == Quote(
        jurisdiction=Jurisdiction.INTRASTATE,
        currency="USD",
        per_minute=D("0.009"),
        first_minute=D("0.009"),
        billing_increment_seconds=60,
        minutes=15,
        charge=Money(D("0.14"), "USD"),
        text="This call costs nine tenths of a cent per minute; a fifteen-minute call costs fourteen cents.",
    )


def test_spanish() -> None:
    assert quote(IL_PRISON, 15, "es").text == (
        "Esta llamada cuesta nueve décimas de centavo por minuto; "
        "una llamada de quince minutos cuesta catorce centavos."
    )


def test_first_minute() -> None:
    q = quote(COUNTY_JAIL, 5)
    assert q.charge == Money(D("5.90"), "USD") and q.first_minute == D("3.86")
    assert q.text == (
        "This call costs three dollars and eighty-six cents for the first minute and fifty-one cents "
        "for each additional minute; a five-minute call costs five dollars and ninety cents."
    )
    assert quote(COUNTY_JAIL, 1, "es").text == (
        "Esta llamada cuesta tres dólares con ochenta y seis centavos el primer minuto y cincuenta y un "
        "centavos cada minuto adicional; una llamada de un minuto cuesta tres dólares con ochenta y seis "
        "centavos."
    )


def test_increment_sentence() -> None:
    six_seconds = Tariff(Jurisdiction.INTERSTATE, D("0.125"), START, increment_seconds=6)
    assert quote(six_seconds, 2).text == (
        "This call costs twelve and a half cents per minute; a two-minute call costs twenty-five cents. "
        "Billed in six-second increments."
    )
    assert quote(six_seconds, 2, "es").text.endswith(
        "una llamada de dos minutos cuesta veinticinco centavos. Se factura en incrementos de seis segundos."
    )


def test_minimum_longer_than_an_increment_is_disclosed() -> None:
    t = Tariff(Jurisdiction.INTERSTATE, D("0.06"), START, increment_seconds=6, minimum_seconds=30)
    assert quote(t, 1).text.endswith(
        "Billed in six-second increments. Each call is billed for at least thirty seconds."
    )
    # a 30-second minimum inside a 60-second increment changes nothing
    half_minute = Tariff(Jurisdiction.INTERSTATE, D("0.06"), START, minimum_seconds=30)
    assert "at least" not in quote(half_minute, 1).text


def test_free() -> None:
    free = Tariff(Jurisdiction.INTERSTATE, D(0), START, increment_seconds=6)
    assert quote(free, 15).text == "This call is free."
    assert quote(free, 15, "es").text == "Esta llamada es gratuita."
    assert quote(free, 15).charge == Money(D(0), "USD")


@pytest.mark.parametrize("minutes", [0, -1, 1441])
def test_minutes_range(minutes: int) -> None:
    with pytest.raises(ValueError, match="minutes"):
        quote(IL_PRISON, minutes)


def test_unsupported_language() -> None:
    with pytest.raises(ValueError, match="language"):
        quote(IL_PRISON, 15, "fr")


def test_full_day() -> None:
    assert quote(IL_PRISON, 1440).charge == Money(D("12.96"), "USD")
