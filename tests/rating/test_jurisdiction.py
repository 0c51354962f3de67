"""Dialled numbers → E.164, US state, and the call's jurisdiction from a facility."""

import pytest

from rating.errors import InvalidNumber
from rating.jurisdiction import jurisdiction_for, normalize_number, state_of
from rating.tariffs import Jurisdiction

INTRA, INTER, INTL = Jurisdiction.INTRASTATE, Jurisdiction.INTERSTATE, Jurisdiction.INTERNATIONAL


class TestNormalizeNumber:
    @pytest.mark.parametrize(
        "dialled",
        ["+13125550101", "+1 312 555 0101", "3125550101", "13125550101", "(312) 555-0101", "312-555-0101",
         "312.555.0101", "  312 555 0101  ", "1 (312) 555-0101"],
    )  # fmt: skip
    def test_us_forms(self, dialled: str) -> None:
        assert normalize_number(dialled) == "+13125550101"  # a fictional 555-01xx number, still valid

    def test_international_and_other_regions(self) -> None:
        assert normalize_number("+52 442 123 4567") == "+524421234567"
        assert normalize_number("020 7123 4567", default_region="GB") == "+442071234567"

    @pytest.mark.parametrize(
        ("dialled", "message"),
        [
            ("", "no phone number"),
            ("   ", "no phone number"),
            ("abc", "only digits"),
            ("1-800-FLOWERS", "only digits"),  # vanity letters are not silently turned into digits
            ("312 555 0101 ext 5", "only digits"),
            ("123", "not a valid"),
            ("+1 312 555", "not a valid"),
            ("+999 1234567", "not"),
            ("+" + "1" * 40, "at most 32"),
            ("3125550101+", "only digits"),
        ],
    )
    def test_rejects_with_a_readable_message(self, dialled: str, message: str) -> None:
        with pytest.raises(InvalidNumber, match=message) as raised:
            normalize_number(dialled)
        assert raised.value.code == "INVALID_NUMBER"

    def test_rejects_non_text(self) -> None:
        with pytest.raises(InvalidNumber):
            normalize_number(3125550101)  # type: ignore[arg-type]


class TestStateOf:
    @pytest.mark.parametrize(
        ("e164", "state"),
        [
            ("+13125550101", "IL"),  # "Chicago, IL"
            ("+12025550123", "DC"),  # "Washington D.C."
            ("+19075550123", "AK"),  # "Alaska"
            ("+12065550123", "WA"),  # "Washington State"
            ("+14045550123", "GA"),  # "Georgia" (the state, in region US)
            ("+12125550123", "NY"),
        ],
    )
    def test_geographic_numbers(self, e164: str, state: str) -> None:
        assert state_of(e164) == state

    @pytest.mark.parametrize("e164", ["+18005551234", "+17875551234", "+14165551234", "+442071234567"])
    def test_none_without_a_us_state(self, e164: str) -> None:
        assert state_of(e164) is None  # toll-free, Puerto Rico, Canada, UK

    def test_is_cached(self) -> None:
        state_of("+13125550101")
        hits = state_of.cache_info().hits
        state_of("+13125550101")
        assert state_of.cache_info().hits == hits + 1

    def test_requires_e164(self) -> None:
        with pytest.raises(InvalidNumber):
            state_of("3125550101")


class TestJurisdictionFor:
    @pytest.mark.parametrize(
        ("facility", "e164", "expected"),
        [
            ("IL", "+13125550101", INTRA),
            ("TX", "+13125550101", INTER),
            ("IL", "+12025550123", INTER),  # DC
            ("DC", "+12025550123", INTRA),
            ("IL", "+17875551234", INTER),  # Puerto Rico: a territory, interstate for the FCC
            ("PR", "+17875551234", INTRA),
            ("IL", "+13405550123", INTER),  # US Virgin Islands
            ("IL", "+16715550123", INTER),  # Guam
            ("IL", "+14165551234", INTL),  # Canada shares +1 but is international
            ("IL", "+18765550123", INTL),  # Jamaica
            ("IL", "+524421234567", INTL),
            ("IL", "+442071234567", INTL),
            ("IL", "+18005551234", INTER),  # toll-free: no state, cannot be placed in Illinois
        ],
    )
    def test_jurisdictions(self, facility: str, e164: str, expected: Jurisdiction) -> None:
        assert jurisdiction_for(facility, e164) is expected

    def test_unknown_facility_state(self) -> None:
        with pytest.raises(ValueError, match="facility state"):
            jurisdiction_for("Illinois", "+13125550101")

    def test_from_what_a_family_dials(self) -> None:
        assert jurisdiction_for("IL", normalize_number("(312) 555-0101")) is INTRA
