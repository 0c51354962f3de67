"""Spoken amounts and durations for the IVR, in English and Spanish."""

from decimal import Decimal

import pytest

from rating.speech import cardinal, say_amount, say_increment, say_minimum, say_minutes

D = Decimal

AMOUNTS = [
    ("0.009", "nine tenths of a cent", "nueve décimas de centavo"),
    ("0.001", "one tenth of a cent", "una décima de centavo"),
    ("0.005", "half a cent", "medio centavo"),
    ("0.0005", "five hundredths of a cent", "cinco centésimas de centavo"),
    ("0.00001", "one thousandth of a cent", "una milésima de centavo"),
    ("0.000021", "twenty-one ten-thousandths of a cent", "veintiuna diezmilésimas de centavo"),
    ("0.01", "one cent", "un centavo"),
    ("0.14", "fourteen cents", "catorce centavos"),
    ("0.21", "twenty-one cents", "veintiún centavos"),
    ("0.31", "thirty-one cents", "treinta y un centavos"),
    ("0.125", "twelve and a half cents", "doce centavos y medio"),
    ("0.015", "one and a half cents", "un centavo y medio"),
    ("0.123", "twelve point three cents", "doce coma tres centavos"),
    ("0.1234", "twelve point three four cents", "doce coma treinta y cuatro centavos"),
    ("0.1205", "twelve point zero five cents", "doce coma cero cinco centavos"),
    ("1", "one dollar", "un dólar"),
    ("1.00", "one dollar", "un dólar"),
    ("3.86", "three dollars and eighty-six cents", "tres dólares con ochenta y seis centavos"),
    ("21.01", "twenty-one dollars and one cent", "veintiún dólares con un centavo"),
    ("0", "nothing", "nada"),
    ("0.00", "nothing", "nada"),
    ("1000", "one thousand dollars", "mil dólares"),
    ("121000", "one hundred twenty-one thousand dollars", "ciento veintiún mil dólares"),
    ("200", "two hundred dollars", "doscientos dólares"),
]


@pytest.mark.parametrize(("amount", "english", "spanish"), AMOUNTS)
def test_say_amount(amount: str, english: str, spanish: str) -> None:
    assert say_amount(D(amount), "USD", "en") == english
    assert say_amount(D(amount), "USD", "es") == spanish


def test_other_currencies_fall_back_to_figures() -> None:
    assert say_amount(D("0.14"), "EUR", "en") == "0.14 EUR"
    assert say_amount(D("0.070"), "MXN", "es") == "0.07 MXN"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: say_amount(D("0.14"), "USD", "fr"), ValueError),
        (lambda: say_amount(D("-0.14"), "USD", "en"), ValueError),
        (lambda: say_amount(D("NaN"), "USD", "en"), ValueError),
        (lambda: say_amount(D("1000000"), "USD", "en"), ValueError),
        (lambda: say_amount(D("0.000000001"), "USD", "en"), ValueError),
        (lambda: say_amount(0.14, "USD", "en"), TypeError),  # type: ignore[arg-type]
        (lambda: say_minutes(15, "de"), ValueError),
        (lambda: say_minutes(0, "en"), ValueError),
    ],
)
def test_refusals(call: object, error: type[Exception]) -> None:
    assert callable(call)
    with pytest.raises(error):
        call()


@pytest.mark.parametrize(
    ("minutes", "english", "spanish"),
    [
        (15, "a fifteen-minute call", "una llamada de quince minutos"),
        (1, "a one-minute call", "una llamada de un minuto"),
        (21, "a twenty-one-minute call", "una llamada de veintiún minutos"),
        (8, "an eight-minute call", "una llamada de ocho minutos"),
        (11, "an eleven-minute call", "una llamada de once minutos"),
        (31, "a thirty-one-minute call", "una llamada de treinta y un minutos"),
        (100, "a one-hundred-minute call", "una llamada de cien minutos"),
        (101, "a one-hundred-one-minute call", "una llamada de ciento un minutos"),
    ],
)
def test_say_minutes(minutes: int, english: str, spanish: str) -> None:
    assert say_minutes(minutes, "en") == english
    assert say_minutes(minutes, "es") == spanish


@pytest.mark.parametrize(
    ("n", "english", "spanish"),
    [
        (0, "zero", "cero"),
        (16, "sixteen", "dieciséis"),
        (22, "twenty-two", "veintidós"),
        (45, "forty-five", "cuarenta y cinco"),
        (115, "one hundred fifteen", "ciento quince"),
        (500, "five hundred", "quinientos"),
        (777, "seven hundred seventy-seven", "setecientos setenta y siete"),
        (1001, "one thousand one", "mil uno"),
        (2021, "two thousand twenty-one", "dos mil veintiuno"),
        (21_000, "twenty-one thousand", "veintiún mil"),
        (999_999, "nine hundred ninety-nine thousand nine hundred ninety-nine",
         "novecientos noventa y nueve mil novecientos noventa y nueve"),
    ],
)  # fmt: skip
def test_cardinal(n: int, english: str, spanish: str) -> None:
    assert cardinal(n, "en") == english
    assert cardinal(n, "es") == spanish


def test_spanish_agreement() -> None:
    assert cardinal(21, "es", "m") == "veintiún"
    assert cardinal(21, "es", "f") == "veintiuna"
    assert cardinal(300, "es", "f") == "trescientas"
    assert cardinal(1, "es", "f") == "una"


@pytest.mark.parametrize(
    ("seconds", "english", "spanish"),
    [
        (6, "Billed in six-second increments.", "Se factura en incrementos de seis segundos."),
        (1, "Billed in one-second increments.", "Se factura en incrementos de un segundo."),
        (30, "Billed in thirty-second increments.", "Se factura en incrementos de treinta segundos."),
        (120, "Billed in two-minute increments.", "Se factura en incrementos de dos minutos."),
    ],
)
def test_say_increment(seconds: int, english: str, spanish: str) -> None:
    assert say_increment(seconds, "en") == english
    assert say_increment(seconds, "es") == spanish


def test_say_minimum() -> None:
    assert say_minimum(30, "en") == "Each call is billed for at least thirty seconds."
    assert say_minimum(60, "en") == "Each call is billed for at least one minute."
    assert say_minimum(60, "es") == "Cada llamada se factura por al menos un minuto."
