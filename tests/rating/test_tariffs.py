"""Tariffs: validation, billable time, the once-per-call rounding, affordability and selection."""

from dataclasses import FrozenInstanceError
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from moneyed import Money

from rating.errors import InvalidNumber, InvalidTariff, NoTariff
from rating.money import Rounding, round_money, to_minor
from rating.tariffs import (
    Jurisdiction,
    Tariff,
    billable_seconds,
    charge,
    max_billable_seconds,
    overlapping,
    select_tariff,
)

D = Decimal
INTRA, INTER, INTL = Jurisdiction.INTRASTATE, Jurisdiction.INTERSTATE, Jurisdiction.INTERNATIONAL
START = date(2026, 4, 6)


def usd(text: str) -> Money:
    return Money(D(text), "USD")


def tariff(per_minute: str = "0.009", **kwargs: Any) -> Tariff:
    fields: dict[str, Any] = {"jurisdiction": INTRA, "per_minute": D(per_minute), "effective_from": START}
    fields.update(kwargs)
    return Tariff(**fields)


rates = st.integers(min_value=0, max_value=250_000).map(lambda micros: D(micros).scaleb(-6))
tariffs = st.builds(
    Tariff,
    jurisdiction=st.just(INTRA),
    per_minute=rates,
    effective_from=st.just(START),
    first_minute=st.none() | rates,
    increment_seconds=st.sampled_from([1, 6, 30, 60]),
    minimum_seconds=st.sampled_from([0, 30, 60]),
    rounding=st.sampled_from(list(Rounding)),
)


class TestValidation:
    def test_defaults(self) -> None:
        t = tariff()
        assert (t.currency, t.rounding) == ("USD", Rounding.HALF_UP)
        assert (t.increment_seconds, t.minimum_seconds) == (60, 0)
        assert t.effective_first_minute == D("0.009")
        assert t.effective_to is None and t.first_minute is None

    def test_is_immutable_and_hashable(self) -> None:
        t = tariff()
        with pytest.raises(FrozenInstanceError):
            t.per_minute = D(1)  # type: ignore[misc]
        assert len({t, tariff()}) == 1

    def test_stored_strings_become_enums(self) -> None:
        t = tariff(jurisdiction="interstate", rounding="half_even")
        assert t.jurisdiction is INTER and t.rounding is Rounding.HALF_EVEN

    @pytest.mark.parametrize("field", ["per_minute", "first_minute", "termination_allowance"])
    def test_rejects_float_rates(self, field: str) -> None:
        fields: dict[str, object] = {"jurisdiction": INTL, field: 0.07}
        if field != "per_minute":
            fields["per_minute"] = D("0.07")
        with pytest.raises(TypeError, match="Decimal"):
            Tariff(effective_from=START, **fields)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"per_minute": D("-0.01")}, "between 0"),
            ({"per_minute": D("0.0000001")}, "6 decimal places"),
            ({"first_minute": D("NaN")}, "between 0"),
            ({"increment_seconds": 0}, "increment_seconds"),
            ({"increment_seconds": 3601}, "increment_seconds"),
            ({"minimum_seconds": -1}, "minimum_seconds"),
            ({"minimum_seconds": 3601}, "minimum_seconds"),
            ({"effective_to": date(2026, 4, 5)}, "before effective_from"),
            ({"destination_prefix": "52"}, "only international"),
            ({"termination_allowance": D("0.01")}, "only international"),
            ({"jurisdiction": "domestic"}, "domestic"),
            ({"currency": "XYZ"}, "currency"),
            ({"rounding": "banker"}, "banker"),
        ],
    )
    def test_rejects_inconsistent_values(self, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(InvalidTariff, match=message):
            tariff(**kwargs)

    @pytest.mark.parametrize("prefix", ["+52", "5 2", "x", "١٢", "1234567890123456"])
    def test_rejects_bad_prefixes(self, prefix: str) -> None:
        with pytest.raises(InvalidTariff, match="destination_prefix"):
            tariff(jurisdiction=INTL, destination_prefix=prefix)

    def test_trailing_zeros_beyond_six_places_are_fine(self) -> None:
        assert tariff("0.0090000000").per_minute == D("0.009")

    def test_rejects_wrong_types(self) -> None:
        with pytest.raises(TypeError):
            tariff(effective_from=datetime(2026, 4, 6))  # noqa: DTZ001 — the naive datetime is the point
        with pytest.raises(TypeError):
            tariff(increment_seconds=True)
        with pytest.raises(TypeError):
            Tariff(INTRA, 9, START)  # type: ignore[arg-type]

    def test_effective_days_are_inclusive(self) -> None:
        t = tariff(effective_to=date(2026, 12, 31))
        assert not t.is_effective_on(date(2026, 4, 5))
        assert t.is_effective_on(START) and t.is_effective_on(date(2026, 12, 31))
        assert not t.is_effective_on(date(2027, 1, 1))
        assert tariff().is_effective_on(date(2099, 1, 1))

    def test_no_fee_fields_exist(self) -> None:
        # fees are banned (FCC 24-75, Illinois): the model cannot even express one
        names = set(Tariff.__dataclass_fields__)
        assert not {n for n in names if "fee" in n or "connection" in n or "deposit" in n}


class TestBillableSeconds:
    @pytest.mark.parametrize(
        ("increment", "minimum", "seconds", "billed"),
        [
            (60, 0, 0, 0),
            (60, 0, 1, 60),
            (60, 0, 60, 60),
            (60, 0, 61, 120),
            (6, 0, 61, 66),
            (1, 0, 61, 61),
            (6, 30, 1, 30),
            (6, 30, 31, 36),
            (60, 30, 1, 60),
            (1, 60, 0, 0),
        ],
    )
    def test_examples(self, increment: int, minimum: int, seconds: int, billed: int) -> None:
        t = tariff(increment_seconds=increment, minimum_seconds=minimum)
        assert billable_seconds(t, seconds) == billed

    def test_negative_seconds(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            billable_seconds(tariff(), -1)


class TestCharge:
    def test_rounds_once_per_call_not_per_minute(self) -> None:
        # 15 × 0.009 = 0.135 → half-up → 0.14; rounding each minute first would give 0.15
        assert charge(tariff("0.009"), 900) == usd("0.14")

    def test_half_even_differs_from_half_up(self) -> None:
        # 25 × 0.009 = 0.225
        assert charge(tariff("0.009"), 1500) == usd("0.23")
        assert charge(tariff("0.009", rounding=Rounding.HALF_EVEN), 1500) == usd("0.22")
        assert charge(tariff("0.009", rounding=Rounding.HALF_EVEN), 900) == usd("0.14")  # 0.135: odd → up
        assert charge(tariff("0.009", rounding=Rounding.DOWN), 1500) == usd("0.22")
        assert charge(tariff("0.009", rounding=Rounding.UP), 60) == usd("0.01")

    def test_first_minute_then_each_further_minute(self) -> None:
        county = tariff("0.51", first_minute=D("3.86"))
        assert charge(county, 300) == usd("5.90")  # 3.86 + 4 × 0.51
        assert charge(county, 1) == usd("3.86")
        assert charge(county, 61) == usd("4.37")

    def test_first_minute_with_short_increments_is_pro_rata(self) -> None:
        county = tariff("0.51", first_minute=D("3.86"), increment_seconds=6)
        assert charge(county, 30) == usd("1.93")  # half of the first minute's rate
        assert charge(county, 66) == usd("3.91")  # 3.86 + 0.051

    def test_flat_twelve_and_a_half_cents(self) -> None:
        assert charge(tariff("0.125"), 60) == usd("0.13")
        assert charge(tariff("0.125"), 120) == usd("0.25")

    def test_minimum_and_increment(self) -> None:
        t = tariff("0.06", increment_seconds=6, minimum_seconds=30)
        assert charge(t, 1) == usd("0.03")
        assert charge(t, 31) == usd("0.04")  # 36 s → 0.036

    def test_other_currency_minor_unit(self) -> None:
        assert charge(tariff("10.5", currency="JPY"), 60) == Money(D(11), "JPY")

    @settings(max_examples=150, deadline=None)
    @given(tariffs, st.integers(min_value=0, max_value=20_000), st.integers(min_value=0, max_value=3_000))
    def test_never_decreases_as_duration_grows(self, t: Tariff, seconds: int, extra: int) -> None:
        assert charge(t, seconds) <= charge(t, seconds + extra)

    @settings(max_examples=100, deadline=None)
    @given(tariffs, st.integers(min_value=0, max_value=86_400))
    def test_is_whole_minor_units_rounded_once(self, t: Tariff, seconds: int) -> None:
        amount = charge(t, seconds)
        to_minor(amount)  # raises if not whole cents
        billed = D(billable_seconds(t, seconds))
        first = min(billed, D(60))
        exact = t.effective_first_minute * first / 60 + t.per_minute * (billed - first) / 60
        assert amount == round_money(Money(exact, "USD"), t.rounding)

    @given(tariffs)
    def test_zero_seconds_cost_zero(self, t: Tariff) -> None:
        assert charge(t, 0) == usd("0")


class TestMaxBillableSeconds:
    def test_rounding_aware_not_naive_division(self) -> None:
        # 0.14 / 0.009 = 15.5 minutes, but 16 minutes cost 0.144 → 0.14
        assert max_billable_seconds(tariff("0.009"), usd("0.14")) == 960
        assert charge(tariff("0.009"), 1020) == usd("0.15")

    def test_end_of_last_affordable_increment(self) -> None:
        t = tariff("0.06", increment_seconds=6, minimum_seconds=30)
        assert max_billable_seconds(t, usd("0.02")) == 0  # the 30-second minimum costs 0.03
        assert max_billable_seconds(t, usd("0.03")) == 30
        # 1002 s cost 1.002 → 1.00 (affordable); the next increment, 1008 s, costs 1.01
        assert max_billable_seconds(t, usd("1.00")) == 1002

    def test_first_minute_unaffordable(self) -> None:
        county = tariff("0.51", first_minute=D("3.86"))
        assert max_billable_seconds(county, usd("3.85")) == 0
        assert max_billable_seconds(county, usd("10.00")) == 780  # 3.86 + 12 × 0.51 = 9.98

    def test_limits_free_tariffs_and_negative_balances(self) -> None:
        assert max_billable_seconds(tariff("0"), usd("0")) == 86_400
        assert max_billable_seconds(tariff("0"), usd("0"), limit=900) == 900
        assert max_billable_seconds(tariff("0.009"), usd("100"), limit=901) == 901
        assert max_billable_seconds(tariff("0.009"), usd("-1.00")) == 0
        assert max_billable_seconds(tariff("0"), usd("-1.00"), limit=600) == 600  # free calls stay free

    def test_rejects_currency_mismatch_and_bad_limits(self) -> None:
        with pytest.raises(ValueError, match="EUR"):
            max_billable_seconds(tariff(), Money(D(1), "EUR"))
        with pytest.raises(ValueError, match="limit"):
            max_billable_seconds(tariff(), usd("1"), limit=-1)

    @settings(max_examples=200, deadline=None)
    @given(
        tariffs,
        st.integers(min_value=0, max_value=10_000).map(lambda cents: usd(str(D(cents).scaleb(-2)))),
        st.integers(min_value=0, max_value=86_400),
    )
    def test_is_the_longest_affordable_duration(self, t: Tariff, available: Money, limit: int) -> None:
        longest = max_billable_seconds(t, available, limit)
        assert 0 <= longest <= limit
        assert charge(t, longest) <= available
        if longest + t.increment_seconds <= limit:
            assert available < charge(t, longest + t.increment_seconds)
        if longest < limit:
            assert available < charge(t, longest + 1)

    @settings(max_examples=50, deadline=None)
    @given(tariffs, st.integers(min_value=0, max_value=10_000))
    def test_default_limit_is_a_day(self, t: Tariff, cents: int) -> None:
        assume(not t.is_free)
        available = usd(str(D(cents).scaleb(-2)))
        assert max_billable_seconds(t, available) <= 86_400


class TestSelectTariff:
    mexico = tariff("0.11", jurisdiction=INTL, destination_prefix="52")
    everywhere = tariff("0.23", jurisdiction=INTL)
    domestic = tariff("0.009")
    old = tariff("0.05", effective_from=date(2020, 1, 1), effective_to=date(2026, 4, 5))

    def test_longest_prefix_wins(self) -> None:
        book = [self.everywhere, self.mexico, self.domestic]
        assert select_tariff(book, INTL, "+524421234567", START) is self.mexico
        assert select_tariff(book, INTL, "+442071234567", START) is self.everywhere

    def test_longer_prefix_beats_shorter(self) -> None:
        mobile = tariff("0.20", jurisdiction=INTL, destination_prefix="521")
        book = [self.mexico, mobile]
        assert select_tariff(book, INTL, "+5215512345678", START) is mobile
        assert select_tariff(book, INTL, "+524421234567", START) is self.mexico

    def test_by_jurisdiction_and_day(self) -> None:
        book = [self.old, self.domestic, self.everywhere]
        assert select_tariff(book, INTRA, "+13125550101", START) is self.domestic
        assert select_tariff(book, INTRA, "+13125550101", date(2026, 4, 5)) is self.old

    def test_no_tariff(self) -> None:
        with pytest.raises(NoTariff, match="interstate") as raised:
            select_tariff([self.domestic, self.mexico], INTER, "+12025550123", START)
        assert raised.value.code == "NO_TARIFF"
        with pytest.raises(NoTariff):
            select_tariff([self.mexico], INTL, "+442071234567", START)
        with pytest.raises(NoTariff):
            select_tariff([self.domestic], INTRA, "+13125550101", date(2026, 1, 1))

    def test_destination_must_be_e164_digits(self) -> None:
        with pytest.raises(InvalidNumber):
            select_tariff([self.domestic], INTRA, "+1 312 555", START)


class TestOverlapping:
    def test_periods(self) -> None:
        jan = tariff(effective_from=date(2026, 1, 1), effective_to=date(2026, 1, 31))
        feb = tariff(effective_from=date(2026, 2, 1), effective_to=date(2026, 2, 28))
        last_day_of_jan = tariff(effective_from=date(2026, 1, 31))
        assert not overlapping(jan, feb)
        assert overlapping(jan, last_day_of_jan) and overlapping(last_day_of_jan, jan)
        assert overlapping(feb, last_day_of_jan)
        assert overlapping(tariff(), tariff(effective_from=date(2030, 1, 1)))

    def test_jurisdiction_and_prefix_must_match(self) -> None:
        assert not overlapping(tariff(), tariff(jurisdiction=INTER))
        mexico = tariff(jurisdiction=INTL, destination_prefix="52")
        assert not overlapping(mexico, tariff(jurisdiction=INTL))
        assert overlapping(mexico, tariff("0.2", jurisdiction=INTL, destination_prefix="52"))
