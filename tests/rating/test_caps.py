"""Legal rate caps: the data, which caps apply to which facility and period, and the tariff check."""

from datetime import date
from decimal import Decimal

import pytest

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
from rating.errors import InvalidTariff, RateCapExceeded
from rating.tariffs import Jurisdiction, Tariff

D = Decimal
INTRA, INTER, INTL = Jurisdiction.INTRASTATE, Jurisdiction.INTERSTATE, Jurisdiction.INTERNATIONAL
FCC_25_75_START = date(2026, 4, 6)

IL_PRISON = FacilityProfile("IL", FacilityClass.PRISON, None)
IL_JAIL_400 = FacilityProfile("IL", FacilityClass.JAIL, 400)
TX_JAIL_400 = FacilityProfile("TX", FacilityClass.JAIL, 400)
TX_PRISON = FacilityProfile("TX", FacilityClass.PRISON, None)


def tariff(jurisdiction: Jurisdiction, rate: str, start: date = FCC_25_75_START, **kwargs: object) -> Tariff:
    return Tariff(jurisdiction, D(rate), start, **kwargs)  # type: ignore[arg-type]


def refusal(profile: FacilityProfile, t: Tariff) -> RateCapExceeded:
    with pytest.raises(RateCapExceeded) as raised:
        check_tariff(profile, t)
    assert raised.value.code == "RATE_CAP_EXCEEDED"
    return raised.value


class TestData:
    def test_every_row_has_a_source_and_a_sane_window(self) -> None:
        for cap in CAPS:
            assert cap.name and cap.source
            assert cap.effective_to is None or cap.effective_to >= cap.effective_from
            assert D(0) < cap.per_minute < D(1)

    def test_unconfirmed_windows_and_amounts_are_noted(self) -> None:
        for cap in CAPS:
            if cap.name in {"FCC 24-75", "FCC 25-75", "Illinois statute"}:
                assert "unconfirmed" in cap.note.lower()

    def test_fcc_25_75_additive_defaults_to_zero(self) -> None:
        assert all(cap.additive == 0 for cap in CAPS)

    def test_windows(self) -> None:
        by_name = {(cap.name, cap.effective_from, cap.effective_to) for cap in CAPS}
        assert ("FCC 21-60", date(2021, 10, 26), date(2026, 4, 5)) in by_name
        assert ("FCC 24-75", date(2025, 1, 1), date(2025, 6, 30)) in by_name
        assert ("FCC 24-75", date(2025, 4, 1), date(2025, 6, 30)) in by_name
        assert ("FCC 25-75", FCC_25_75_START, None) in by_name
        assert ("Illinois statute", date(2017, 1, 1), None) in by_name

    def test_rate_cap_rejects_inconsistent_rows(self) -> None:
        with pytest.raises(ValueError, match="flat"):
            RateCap(
                name="x", source="y", effective_from=date(2026, 1, 1), effective_to=None,
                jurisdictions=frozenset({INTRA}), facility_class=None, per_minute=D("0.1"),
                international=InternationalRule.FLAT,
            )  # fmt: skip


class TestFacilityProfile:
    def test_jails_need_their_population(self) -> None:
        with pytest.raises(ValueError, match="average daily population"):
            FacilityProfile("TX", FacilityClass.JAIL, None)
        with pytest.raises(ValueError, match="non-negative"):
            FacilityProfile("TX", FacilityClass.JAIL, -1)

    def test_state_code(self) -> None:
        with pytest.raises(ValueError, match="state"):
            FacilityProfile("Illinois", FacilityClass.PRISON)
        assert FacilityProfile("IL", "prison").facility_class is FacilityClass.PRISON  # type: ignore[arg-type]


class TestApplicableCaps:
    def names(
        self, profile: FacilityProfile, jurisdiction: Jurisdiction, start: date, end: date | None
    ) -> list[tuple[str, Decimal]]:
        return [(c.name, c.per_minute) for c in applicable_caps(profile, jurisdiction, start, end)]

    def test_illinois_prison_after_fcc_25_75(self) -> None:
        assert self.names(IL_PRISON, INTRA, FCC_25_75_START, None) == [
            ("FCC 25-75", D("0.11")),
            ("Illinois statute", D("0.07")),
        ]

    def test_county_jails_are_not_under_the_illinois_statute(self) -> None:
        assert self.names(IL_JAIL_400, INTRA, FCC_25_75_START, None) == [("FCC 25-75", D("0.12"))]

    def test_jail_tiers_by_population(self) -> None:
        def cap_for(adp: int) -> Decimal:
            jail = FacilityProfile("TX", FacilityClass.JAIL, adp)
            [cap] = applicable_caps(jail, INTER, FCC_25_75_START, None)
            return cap.per_minute

        expected = {0: "0.19", 49: "0.19", 50: "0.15", 99: "0.15", 100: "0.13", 349: "0.13", 350: "0.12",
                    999: "0.12", 1000: "0.10", 25_000: "0.10"}  # fmt: skip
        assert {adp: cap_for(adp) for adp in expected} == {adp: D(v) for adp, v in expected.items()}

    def test_2021_caps_were_interstate_only(self) -> None:
        day = date(2024, 6, 1)
        assert self.names(TX_PRISON, INTRA, day, day) == []
        assert self.names(TX_PRISON, INTER, day, day) == [("FCC 21-60", D("0.14"))]
        assert self.names(TX_PRISON, INTL, day, day) == [("FCC 21-60", D("0.14"))]

    def test_fcc_24_75_started_later_for_small_jails(self) -> None:
        small = FacilityProfile("TX", FacilityClass.JAIL, 40)
        big = FacilityProfile("TX", FacilityClass.JAIL, 1500)
        march = date(2025, 3, 15)
        assert self.names(small, INTER, march, march) == [("FCC 21-60", D("0.21"))]
        assert self.names(big, INTER, march, march) == [("FCC 21-60", D("0.16")), ("FCC 24-75", D("0.06"))]

    def test_window_overlap_with_open_ended_periods(self) -> None:
        names = {c.name for c in applicable_caps(TX_PRISON, INTER, date(2025, 1, 1), None)}
        assert names == {"FCC 21-60", "FCC 24-75", "FCC 25-75"}
        assert applicable_caps(TX_PRISON, INTER, date(2020, 1, 1), date(2021, 10, 25)) == []


class TestCheckTariff:
    @pytest.mark.parametrize(
        ("profile", "t"),
        [
            (IL_PRISON, tariff(INTRA, "0.009")),
            (IL_PRISON, tariff(INTER, "0.009")),
            (IL_PRISON, tariff(INTL, "0.11")),
            (IL_JAIL_400, tariff(INTRA, "0.07")),
            (IL_JAIL_400, tariff(INTER, "0.07")),
            (IL_JAIL_400, tariff(INTL, "0.12")),
        ],
    )
    def test_demo_tariffs_pass(self, profile: FacilityProfile, t: Tariff) -> None:
        check_tariff(profile, t)

    def test_illinois_prison_above_the_statute(self) -> None:
        error = refusal(IL_PRISON, tariff(INTRA, "0.08"))
        assert error.cap.name == "Illinois statute"
        assert str(error) == error.message
        assert error.message.startswith(
            "intrastate rate 0.08 USD/min exceeds the Illinois statute cap of 0.07 USD/min "
            "(730 ILCS 5/3-4-1(a-5)"
        )
        assert error.message.endswith("in force from 2017-01-01")

    def test_jail_above_fcc_25_75(self) -> None:
        error = refusal(TX_JAIL_400, tariff(INTER, "0.13"))
        assert error.cap.name == "FCC 25-75"
        assert "0.13 USD/min" in error.message and "0.12 USD/min" in error.message
        assert "FCC 25-75, 47 CFR 64.6010" in error.message
        check_tariff(TX_JAIL_400, tariff(INTER, "0.12"))

    def test_names_the_strictest_of_several_violated_caps(self) -> None:
        # from 2025-01-01 and open-ended: FCC 21-60 (0.14), FCC 24-75 (0.06), FCC 25-75 (0.11) all apply
        error = refusal(TX_PRISON, tariff(INTER, "0.15", date(2025, 1, 1)))
        assert error.cap.name == "FCC 24-75"
        assert "0.06 USD/min" in error.message and "from 2025-01-01 to 2025-06-30" in error.message

    def test_a_tariff_starting_before_a_window_is_checked_against_the_later_cap(self) -> None:
        # 0.12 is under the 2021 cap it starts under, but the open-ended tariff reaches FCC 25-75
        error = refusal(TX_PRISON, tariff(INTER, "0.12", date(2025, 7, 1)))
        assert error.cap.name == "FCC 25-75"
        check_tariff(TX_PRISON, tariff(INTER, "0.12", date(2025, 7, 1), effective_to=date(2026, 4, 5)))

    def test_first_minute_is_checked_too(self) -> None:
        county = tariff(INTRA, "0.07", first_minute=D("3.86"))
        error = refusal(IL_JAIL_400, county)
        assert "first-minute rate 3.86 USD/min" in error.message

    def test_termination_allowance_raises_the_fcc_ceiling(self) -> None:
        t = tariff(INTL, "0.30", termination_allowance=D("0.25"))
        check_tariff(TX_PRISON, t)  # 0.11 + 0.25
        assert refusal(TX_PRISON, tariff(INTL, "0.30")).cap.name == "FCC 25-75"
        error = refusal(TX_PRISON, tariff(INTL, "0.37", termination_allowance=D("0.25")))
        assert "0.36 USD/min" in error.message and "termination allowance 0.25" in error.message

    def test_termination_allowance_does_not_raise_the_illinois_flat_cap(self) -> None:
        error = refusal(IL_PRISON, tariff(INTL, "0.30", termination_allowance=D("0.25")))
        assert error.cap.name == "Illinois statute"
        assert "0.23 USD/min" in error.message
        check_tariff(IL_PRISON, tariff(INTL, "0.23", termination_allowance=D("0.25")))

    def test_cap_limit(self) -> None:
        fcc = next(c for c in CAPS if c.name == "FCC 25-75" and c.facility_class is FacilityClass.PRISON)
        illinois = next(c for c in CAPS if c.name == "Illinois statute")
        mexico = tariff(INTL, "0.1", destination_prefix="52", termination_allowance=D("0.045"))
        assert cap_limit(fcc, mexico) == D("0.155")
        assert cap_limit(illinois, mexico) == D("0.23")
        assert cap_limit(fcc, tariff(INTRA, "0.1")) == D("0.11")
        fcc_2021 = next(c for c in CAPS if c.name == "FCC 21-60")
        with pytest.raises(ValueError, match="intrastate"):
            cap_limit(fcc_2021, tariff(INTRA, "0.1"))

    def test_caps_are_usd(self) -> None:
        with pytest.raises(InvalidTariff, match="USD"):
            check_tariff(TX_PRISON, tariff(INTER, "0.05", currency="EUR"))

    def test_no_cap_before_2021_or_for_uncovered_calls(self) -> None:
        check_tariff(TX_PRISON, tariff(INTRA, "0.50", date(2019, 1, 1), effective_to=date(2021, 10, 25)))
