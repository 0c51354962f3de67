"""Dialled numbers: normalization to E.164, US state lookup, and the call's jurisdiction.

Uses the offline metadata of `phonenumbers` (validity, region, geocoder); no network.
Lookups are cached because every quote and every call authorization needs them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder

from rating.errors import InvalidNumber
from rating.tariffs import Jurisdiction

__all__ = ["US_STATES", "US_TERRITORIES", "jurisdiction_for", "normalize_number", "state_of"]

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
}  # fmt: skip
"""The 50 states and DC: two-letter code → name."""

US_TERRITORIES: frozenset[str] = frozenset({"PR", "VI", "GU", "AS", "MP"})
"""Territories in the North American plan: calls to them are interstate for the FCC, not international."""

_STATE_BY_NAME: dict[str, str] = {name: code for code, name in US_STATES.items()} | {
    # forms the geocoder uses besides the plain state name
    "Washington D.C.": "DC",
    "Washington, D.C.": "DC",
    "Washington DC": "DC",
    "Washington State": "WA",
}

_MAX_INPUT_CHARS = 32
# what people type: digits, a leading "+", spaces and the usual punctuation; no letters (the
# library would turn vanity letters like 1-800-FLOWERS into digits, silently)
_DIALLED_RE = re.compile(r"\+?[0-9 ().\-]+", re.ASCII)


def normalize_number(text: str, default_region: str = "US") -> str:
    """The E.164 form ("+13125550101") of a number typed as E.164 or dialled in `default_region`.

    Accepts "+1 312 555 0101", "3125550101", "13125550101", "(312) 555-0101", "312-555-0101".
    Raises `InvalidNumber` with a readable message for empty input, letters, more than 32
    characters, or a number that is not valid (fictional 555-01xx numbers are valid).
    """
    if not isinstance(text, str):
        raise InvalidNumber("a phone number must be text")
    return _normalize(text, default_region)


@lru_cache(maxsize=65_536)
def _normalize(text: str, default_region: str) -> str:
    """``normalize_number`` for text (cached: the call platform sends the same numbers all day)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidNumber("no phone number was given")
    if len(stripped) > _MAX_INPUT_CHARS:
        raise InvalidNumber(f"a phone number has at most {_MAX_INPUT_CHARS} characters")
    if not _DIALLED_RE.fullmatch(stripped):
        raise InvalidNumber("a phone number may contain only digits, spaces, '+', '-', '.' and brackets")
    try:
        parsed = phonenumbers.parse(stripped, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{stripped!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(f"{stripped!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    if not (isinstance(e164, str) and e164.startswith("+")):
        raise InvalidNumber(f"{e164!r} is not an E.164 number")
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        raise InvalidNumber(f"{e164!r} is not an E.164 number") from None


def _state_from_description(description: str) -> str | None:
    # "Chicago, IL" | "Illinois" | "Washington D.C." | "" (toll-free, non-geographic)
    if description in _STATE_BY_NAME:
        return _STATE_BY_NAME[description]
    _, comma, last = description.rpartition(",")
    code = last.strip()
    if comma and code in US_STATES:
        return code
    return None


@lru_cache(maxsize=65_536)
def state_of(e164: str) -> str | None:
    """The two-letter state (or "DC") of a US geographic number; None otherwise.

    None for toll-free and other non-geographic numbers, numbers the geocoder cannot place,
    and numbers outside the US (territories included). Raises `InvalidNumber` for non-E.164 input.
    """
    parsed = _parse_e164(e164)
    if phonenumbers.region_code_for_number(parsed) != "US":
        return None
    return _state_from_description(geocoder.description_for_number(parsed, "en"))


@lru_cache(maxsize=65_536)
def jurisdiction_for(facility_state: str, e164: str) -> Jurisdiction:
    """The jurisdiction of a call from a facility in `facility_state` to `e164`.

    - a number outside the US and its territories → INTERNATIONAL (Canada, +1 416…, is too);
    - a number in the facility's state → INTRASTATE (a territory counts as its own "state",
      so a call within Puerto Rico from a Puerto Rico facility is intrastate);
    - any other US or territory number → INTERSTATE, including US numbers with no geographic
      state (toll-free 800…): they cannot be placed in the facility's state, and treating them
      as interstate applies the federal caps, which bind either way since FCC 24-75.
    Raises ValueError for an unknown facility state, `InvalidNumber` for non-E.164 input.
    """
    if facility_state not in US_STATES and facility_state not in US_TERRITORIES:
        raise ValueError(f"unknown facility state {facility_state!r}")
    region = phonenumbers.region_code_for_number(_parse_e164(e164))
    if region in US_TERRITORIES:
        return Jurisdiction.INTRASTATE if region == facility_state else Jurisdiction.INTERSTATE
    if region != "US":
        return Jurisdiction.INTERNATIONAL
    return Jurisdiction.INTRASTATE if state_of(e164) == facility_state else Jurisdiction.INTERSTATE
