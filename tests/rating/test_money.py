"""Money helpers: no floats, named rounding, exact minor units, strict parsing, plain formatting."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moneyed import Money

from rating.money import (
    DEFAULT_ROUNDING,
    Rounding,
    divide_rounded,
    format_amount,
    from_minor,
    minor_exponent,
    money,
    parse_amount,
    round_money,
    to_minor,
)

D = Decimal


def usd(text: str) -> Money:
    return Money(D(text), "USD")


def test_rounding_names_map_to_decimal_constants() -> None:
    assert Rounding.HALF_UP.decimal_mode == ROUND_HALF_UP
    assert Rounding.HALF_EVEN.decimal_mode == ROUND_HALF_EVEN
    assert Rounding.UP.decimal_mode == ROUND_UP
    assert Rounding.DOWN.decimal_mode == ROUND_DOWN
    assert DEFAULT_ROUNDING is Rounding.HALF_UP
    assert Rounding("half_even") is Rounding.HALF_EVEN


class TestMoney:
    def test_accepts_decimal_int_and_strict_strings(self) -> None:
        assert money(D("0.009")) == usd("0.009")
        assert money(3, "EUR") == Money(D(3), "EUR")
        assert money("10.00") == usd("10")

    @pytest.mark.parametrize("bad", [0.1, 0.1 + 0.2, 1.0])
    def test_rejects_float(self, bad: float) -> None:
        with pytest.raises(TypeError, match="float"):
            money(bad)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [True, None, [1]])
    def test_rejects_other_types(self, bad: object) -> None:
        with pytest.raises(TypeError):
            money(bad)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN")])
    def test_rejects_non_finite(self, bad: Decimal) -> None:
        with pytest.raises(ValueError, match="finite"):
            money(bad)

    def test_rejects_unknown_currency_and_loose_strings(self) -> None:
        with pytest.raises(ValueError, match="currency"):
            money(1, "XYZ")
        with pytest.raises(ValueError):
            money("1e3")


def test_minor_exponent_from_currency_data() -> None:
    assert minor_exponent("USD") == 2
    assert minor_exponent("JPY") == 0
    assert minor_exponent("BHD") == 3
    with pytest.raises(ValueError, match="unknown currency"):
        minor_exponent("usd")


class TestRoundMoney:
    def test_half_up_by_default(self) -> None:
        assert round_money(usd("0.135")) == usd("0.14")
        assert round_money(usd("0.125")) == usd("0.13")

    def test_named_rules_differ_where_they_should(self) -> None:
        assert round_money(usd("0.125"), Rounding.HALF_EVEN) == usd("0.12")
        assert round_money(usd("0.121"), Rounding.UP) == usd("0.13")
        assert round_money(usd("0.129"), Rounding.DOWN) == usd("0.12")

    def test_not_money_round_which_is_half_even(self) -> None:
        # the trap this helper exists for
        assert usd("0.125").round(2) == usd("0.12")
        assert round_money(usd("0.125")) == usd("0.13")

    def test_currency_minor_unit(self) -> None:
        assert round_money(Money(D("100.5"), "JPY")) == Money(D(101), "JPY")
        assert round_money(Money(D("1.0005"), "BHD")) == Money(D("1.001"), "BHD")


class TestMinorUnits:
    def test_exact_conversion(self) -> None:
        assert to_minor(usd("3.86")) == 386
        assert to_minor(usd("-0.51")) == -51
        assert to_minor(usd("12")) == 1200
        assert to_minor(Money(D(500), "JPY")) == 500

    def test_refuses_unrounded_amounts(self) -> None:
        with pytest.raises(ValueError, match="minor units"):
            to_minor(usd("19.999"))  # get_amount_in_sub_unit() would say 1999
        with pytest.raises(ValueError):
            to_minor(usd("0.135"))

    def test_from_minor(self) -> None:
        assert from_minor(386, "USD") == usd("3.86")
        assert from_minor(7, "JPY") == Money(D(7), "JPY")
        with pytest.raises(TypeError):
            from_minor(3.86, "USD")  # type: ignore[arg-type]

    @given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["USD", "JPY", "BHD"]))
    def test_round_trip(self, units: int, currency: str) -> None:
        assert to_minor(from_minor(units, currency)) == units


@pytest.mark.parametrize(
    ("numerator", "denominator", "rule", "expected"),
    [
        (5, 2, Rounding.HALF_UP, 3),
        (5, 2, Rounding.HALF_EVEN, 2),
        (7, 2, Rounding.HALF_EVEN, 4),
        (-5, 2, Rounding.HALF_UP, -3),
        (-7, 2, Rounding.HALF_EVEN, -4),
        (11, 10, Rounding.UP, 2),
        (-11, 10, Rounding.UP, -2),
        (19, 10, Rounding.DOWN, 1),
        (-19, 10, Rounding.DOWN, -1),
        (20, 10, Rounding.UP, 2),
    ],
)
def test_divide_rounded_examples(numerator: int, denominator: int, rule: Rounding, expected: int) -> None:
    assert divide_rounded(numerator, denominator, rule) == expected


def test_divide_rounded_needs_a_positive_denominator() -> None:
    with pytest.raises(ValueError, match="positive"):
        divide_rounded(1, 0)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from(list(Rounding)),
)
def test_divide_rounded_matches_decimal_quantize(numerator: int, denominator: int, rule: Rounding) -> None:
    with localcontext() as ctx:
        ctx.prec = 80  # enough for the exact quotient's rounding to be decided correctly
        expected = (D(numerator) / D(denominator)).quantize(D(1), rounding=rule.decimal_mode)
    assert divide_rounded(numerator, denominator, rule) == int(expected)


class TestParseAmount:
    @pytest.mark.parametrize(
        ("text", "value"), [("10.00", D("10.00")), ("0", D(0)), ("-0.5", D("-0.5")), ("0.009", D("0.009"))]
    )
    def test_plain_decimals(self, text: str, value: Decimal) -> None:
        assert parse_amount(text) == value

    @pytest.mark.parametrize(
        "text",
        ["1e3", "1E3", "NaN", "nan", "Infinity", "-Infinity", "1,000", " 1", "1 ", "", "+1", ".5", "1.", "-",
         "١٢", "0x10", "1_000", "1.2.3", "9" * 41],
    )  # fmt: skip
    def test_rejects_everything_else(self, text: str) -> None:
        with pytest.raises(ValueError, match="plain decimal"):
            parse_amount(text)

    def test_rejects_non_text(self) -> None:
        with pytest.raises(TypeError):
            parse_amount(1.5)  # type: ignore[arg-type]


class TestFormatAmount:
    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (D("0.009"), "0.009"),
            (D("0.070000"), "0.07"),
            (D("0.14"), "0.14"),
            (D("1.5"), "1.50"),
            (D(0), "0.00"),
            (D("-0"), "0.00"),
            (D(12), "12.00"),
            (D("1E+3"), "1000.00"),
            (D("1E-7"), "0.0000001"),
            (D("-3.860"), "-3.86"),
        ],
    )
    def test_examples(self, value: Decimal, text: str) -> None:
        assert format_amount(value) == text

    def test_money_and_errors(self) -> None:
        assert format_amount(usd("0.135")) == "0.135"
        with pytest.raises(ValueError):
            format_amount(D("NaN"))
        with pytest.raises(TypeError):
            format_amount(0.5)  # type: ignore[arg-type]

    @settings(max_examples=200, deadline=None)
    @given(st.decimals(allow_nan=False, allow_infinity=False, places=8, min_value=-(10**9), max_value=10**9))
    def test_round_trips_through_parse_without_exponent(self, value: Decimal) -> None:
        text = format_amount(value)
        assert "e" not in text.lower()
        assert parse_amount(text) == value
        assert len(text.split(".")[1]) >= 2
