"""The legal rate caps, as data with windows and sources, and the check of a tariff against them.

Each `RateCap` row is one cap amount for one facility tier, in force over an inclusive range of
days, with its citation and a note where the window or amount is unconfirmed. Changing a cap is
a data change here, not a code change. All caps are per minute, in USD, for audio calls.

FCC caps cover a jail by its size: the average daily population (ADP) of the prior calendar
year, recomputed every year. `FacilityProfile.average_daily_population` is the ADP in force for
the period being checked; re-check a jail's tariffs when its ADP is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rating.errors import InvalidTariff, RateCapExceeded
from rating.jurisdiction import US_STATES, US_TERRITORIES
from rating.money import format_amount
from rating.tariffs import Jurisdiction, Tariff

__all__ = [
    "CAPS",
    "CAP_CURRENCY",
    "FacilityClass",
    "FacilityProfile",
    "InternationalRule",
    "RateCap",
    "applicable_caps",
    "cap_limit",
    "check_tariff",
]

CAP_CURRENCY = "USD"


class FacilityClass(StrEnum):
    """Prisons (state/federal) and jails (local, sized by average daily population)."""

    PRISON = "prison"
    JAIL = "jail"


class InternationalRule(StrEnum):
    """How a cap limits international calls."""

    DOMESTIC_PLUS_TERMINATION = "domestic_plus_termination"  # FCC: + the tariff's allowance
    FLAT = "flat"  # a fixed per-minute amount (Illinois 0.23)
    NONE = "none"  # the cap does not cover international calls


@dataclass(frozen=True, slots=True)
class FacilityProfile:
    """What the caps need to know about a facility.

    `state` is the two-letter code of the state (or DC, or a territory) the facility is in;
    `average_daily_population` is required for jails (it picks the FCC tier) and optional for
    prisons. Raises ValueError for an unknown state or a missing/negative jail ADP.
    """

    state: str
    facility_class: FacilityClass
    average_daily_population: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "facility_class", FacilityClass(self.facility_class))
        if self.state not in US_STATES and self.state not in US_TERRITORIES:
            raise ValueError(f"unknown state {self.state!r} (use the two-letter code)")
        adp = self.average_daily_population
        if adp is None:
            if self.facility_class is FacilityClass.JAIL:
                raise ValueError("a jail needs its average daily population to find its rate cap")
            return
        if isinstance(adp, bool) or not isinstance(adp, int) or adp < 0:
            raise ValueError(f"average_daily_population must be a non-negative int, got {adp!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RateCap:
    """One legal per-minute ceiling for one facility tier over an inclusive range of days.

    `jurisdictions` lists the domestic jurisdictions covered; international calls are covered
    according to `international` (see `cap_limit`). `facility_class=None` covers every class;
    `adp_min`/`adp_max` (inclusive, None = unbounded) select a jail tier; `state=None` is federal.
    `additive` is added to the domestic amount (FCC 25-75's interim facility-cost additive and
    inflation factor; 0 until confirmed).
    """

    name: str
    source: str
    effective_from: date
    effective_to: date | None
    jurisdictions: frozenset[Jurisdiction]
    facility_class: FacilityClass | None
    per_minute: Decimal
    adp_min: int | None = None
    adp_max: int | None = None
    state: str | None = None
    international: InternationalRule = InternationalRule.NONE
    international_per_minute: Decimal | None = None
    additive: Decimal = Decimal(0)
    note: str = ""

    def __post_init__(self) -> None:
        if Jurisdiction.INTERNATIONAL in self.jurisdictions:
            raise ValueError(f"{self.name}: international coverage is set by `international`")
        if (self.international is InternationalRule.FLAT) != (self.international_per_minute is not None):
            raise ValueError(f"{self.name}: international_per_minute goes with the flat rule only")
        tiered = self.adp_min is not None or self.adp_max is not None
        if tiered and self.facility_class is not FacilityClass.JAIL:
            raise ValueError(f"{self.name}: ADP tiers apply to jails only")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(f"{self.name}: window ends before it starts")

    def covers(self, profile: FacilityProfile, jurisdiction: Jurisdiction) -> bool:
        """True if this cap applies to calls of `jurisdiction` from that facility."""
        if self.state is not None and self.state != profile.state:
            return False
        if self.facility_class is not None and self.facility_class is not profile.facility_class:
            return False
        if self.adp_min is not None or self.adp_max is not None:
            adp = profile.average_daily_population
            if adp is None or adp < (self.adp_min or 0):
                return False
            if self.adp_max is not None and adp > self.adp_max:
                return False
        if jurisdiction is Jurisdiction.INTERNATIONAL:
            return self.international is not InternationalRule.NONE
        return jurisdiction in self.jurisdictions

    def in_force_between(self, start: date, end: date | None) -> bool:
        """True if the cap's window shares a day with [start, end] (end None = open-ended)."""
        starts_in_time = end is None or self.effective_from <= end
        ends_in_time = self.effective_to is None or start <= self.effective_to
        return starts_in_time and ends_in_time

    def describe_window(self) -> str:
        """'from 2026-04-06' or 'from 2021-10-26 to 2026-04-05'."""
        window = f"from {self.effective_from.isoformat()}"
        return window if self.effective_to is None else f"{window} to {self.effective_to.isoformat()}"

    def describe_tier(self) -> str:
        """' for prisons', ' for jails with ADP 350-999', or '' for a state law's single tier."""
        if self.state is not None or self.facility_class is None:
            return ""
        if self.facility_class is FacilityClass.PRISON:
            return " for prisons"
        if self.adp_max is None:
            return f" for jails with ADP {self.adp_min or 0} or more"
        if not self.adp_min:
            return f" for jails with ADP under {self.adp_max + 1}"
        return f" for jails with ADP {self.adp_min}-{self.adp_max}"


def _tiers(
    *,
    name: str,
    source: str,
    effective_to: date | None,
    jurisdictions: frozenset[Jurisdiction],
    rows: tuple[tuple[FacilityClass, int | None, int | None, str, date], ...],
    note: str,
) -> tuple[RateCap, ...]:
    """One FCC order's rows: (class, adp_min, adp_max, per minute, effective from) each."""
    return tuple(
        RateCap(
            name=name,
            source=source,
            effective_from=start,
            effective_to=effective_to,
            jurisdictions=jurisdictions,
            facility_class=facility_class,
            adp_min=adp_min,
            adp_max=adp_max,
            per_minute=Decimal(amount),
            international=InternationalRule.DOMESTIC_PLUS_TERMINATION,
            note=note,
        )
        for facility_class, adp_min, adp_max, amount, start in rows
    )


_PRISON, _JAIL = FacilityClass.PRISON, FacilityClass.JAIL
_INTERSTATE = frozenset({Jurisdiction.INTERSTATE})
_DOMESTIC = frozenset({Jurisdiction.INTRASTATE, Jurisdiction.INTERSTATE})
_2021_START, _2024_START, _2024_SMALL_JAILS, _2025_START = (
    date(2021, 10, 26),
    date(2025, 1, 1),
    date(2025, 4, 1),
    date(2026, 4, 6),
)

FCC_2021_CAPS = _tiers(
    name="FCC 21-60",
    source="FCC 21-60, Third Report and Order (2021), 47 CFR 64.6030 (interstate), 64.6010",
    effective_to=date(2026, 4, 5),
    jurisdictions=_INTERSTATE,
    rows=(
        (_PRISON, None, None, "0.14", _2021_START),
        (_JAIL, 1000, None, "0.16", _2021_START),
        (_JAIL, 0, 999, "0.21", _2021_START),
    ),
    note="Interstate caps; the figures include the permitted site-commission pass-through. "
    "Binding until FCC 25-75's compliance date.",
)

FCC_2024_CAPS = _tiers(
    name="FCC 24-75",
    source="FCC 24-75, Report and Order (2024), 47 CFR 64.6010",
    effective_to=date(2025, 6, 30),
    jurisdictions=_DOMESTIC,
    rows=(
        (_PRISON, None, None, "0.06", _2024_START),
        (_JAIL, 1000, None, "0.06", _2024_START),
        (_JAIL, 350, 999, "0.07", _2024_SMALL_JAILS),
        (_JAIL, 100, 349, "0.09", _2024_SMALL_JAILS),
        (_JAIL, 50, 99, "0.12", _2024_SMALL_JAILS),
        (_JAIL, 0, 49, "0.12", _2024_SMALL_JAILS),
    ),
    note="Window unconfirmed: compliance was waived (to 2027) and the caps were replaced by "
    "FCC 25-75; the end date 2025-06-30 stands for the waiver.",
)

FCC_2025_CAPS = _tiers(
    name="FCC 25-75",
    source="FCC 25-75, 47 CFR 64.6010; 90 FR (2025-12-05) doc 2025-22125",
    effective_to=None,
    jurisdictions=_DOMESTIC,
    rows=(
        (_PRISON, None, None, "0.11", _2025_START),
        (_JAIL, 1000, None, "0.10", _2025_START),
        (_JAIL, 350, 999, "0.12", _2025_START),
        (_JAIL, 100, 349, "0.13", _2025_START),
        (_JAIL, 50, 99, "0.15", _2025_START),
        (_JAIL, 0, 49, "0.19", _2025_START),
    ),
    note="Compliance date 2026-04-06. The interim facility-cost additive (about 0.02/min) and "
    "the inflation factor (about 0.01/min) are unconfirmed: `additive` stays 0 until they are.",
)

ILLINOIS_CAP = RateCap(
    name="Illinois statute",
    source="730 ILCS 5/3-4-1(a-5), Public Act 99-0878",
    effective_from=date(2017, 1, 1),
    effective_to=None,
    jurisdictions=_DOMESTIC,
    facility_class=_PRISON,
    state="IL",
    per_minute=Decimal("0.07"),
    international=InternationalRule.FLAT,
    international_per_minute=Decimal("0.23"),
    note="Start date unconfirmed (the Act's effective date is used). Governs the Department of "
    "Corrections' contracts, so prisons only: county jails are run by sheriffs and are not "
    "covered. The statute also bans every surcharge, set-up, statement, maintenance or refund "
    "fee; the tariff model has no fee fields at all.",
)

CAPS: tuple[RateCap, ...] = (*FCC_2021_CAPS, *FCC_2024_CAPS, *FCC_2025_CAPS, ILLINOIS_CAP)
"""Every cap the engine knows, federal then state, each with its window and source."""


def applicable_caps(
    profile: FacilityProfile,
    jurisdiction: Jurisdiction,
    start: date,
    end: date | None,
    caps: tuple[RateCap, ...] = CAPS,
) -> list[RateCap]:
    """The caps in force on some day of [start, end] (end None = open-ended) that cover calls
    of `jurisdiction` from that facility (its class, ADP tier and state), in `caps` order."""
    jurisdiction = Jurisdiction(jurisdiction)
    return [cap for cap in caps if cap.in_force_between(start, end) and cap.covers(profile, jurisdiction)]


def cap_limit(cap: RateCap, tariff: Tariff) -> Decimal:
    """The per-minute ceiling `cap` sets for `tariff`.

    Domestic: `per_minute + additive`. International: the domestic amount plus the tariff's
    `termination_allowance` (FCC, 47 CFR 64.6030) or the flat international amount (Illinois,
    which no allowance raises). Raises ValueError if the cap does not cover the tariff's calls.
    """
    domestic = cap.per_minute + cap.additive
    if tariff.jurisdiction is not Jurisdiction.INTERNATIONAL:
        if tariff.jurisdiction not in cap.jurisdictions:
            raise ValueError(f"{cap.name} does not cover {tariff.jurisdiction} calls")
        return domestic
    if cap.international is InternationalRule.DOMESTIC_PLUS_TERMINATION:
        return domestic + tariff.termination_allowance
    if cap.international is InternationalRule.FLAT and cap.international_per_minute is not None:
        return cap.international_per_minute
    raise ValueError(f"{cap.name} does not cover international calls")


def _violation_message(cap: RateCap, tariff: Tariff, rate_name: str, rate: Decimal, limit: Decimal) -> str:
    currency = tariff.currency
    basis = ""
    if tariff.termination_allowance and cap.international is InternationalRule.DOMESTIC_PLUS_TERMINATION:
        domestic = format_amount(cap.per_minute + cap.additive)
        basis = f"{domestic} plus the termination allowance {format_amount(tariff.termination_allowance)}; "
    return (
        f"{tariff.jurisdiction} {rate_name} {format_amount(rate)} {currency}/min exceeds the "
        f"{cap.name} cap{cap.describe_tier()} of {format_amount(limit)} {currency}/min "
        f"({basis}{cap.source}) in force {cap.describe_window()}"
    )


def check_tariff(profile: FacilityProfile, tariff: Tariff, caps: tuple[RateCap, ...] = CAPS) -> None:
    """Refuse a tariff whose rate exceeds any cap in force on any day the tariff is effective.

    Both `per_minute` and `effective_first_minute` are checked. Raises `RateCapExceeded`
    naming the strictest violated cap (lowest ceiling; the earliest row on a tie), and
    `InvalidTariff` if caps apply but the tariff is not in USD (the caps' currency).
    Caps are per minute; increment and minimum settings are not judged here.
    """
    applicable = applicable_caps(
        profile, tariff.jurisdiction, tariff.effective_from, tariff.effective_to, caps
    )
    if not applicable:
        return
    if tariff.currency != CAP_CURRENCY:
        raise InvalidTariff(f"rate caps are in {CAP_CURRENCY}; a {tariff.currency} tariff cannot be checked")
    rates = [("rate", tariff.per_minute)]
    if tariff.first_minute is not None:
        rates.append(("first-minute rate", tariff.first_minute))
    strictest: tuple[Decimal, RateCap, str, Decimal] | None = None
    for cap in applicable:
        limit = cap_limit(cap, tariff)
        for rate_name, rate in rates:
            if rate > limit and (strictest is None or limit < strictest[0]):
                strictest = (limit, cap, rate_name, rate)
    if strictest is not None:
        limit, cap, rate_name, rate = strictest
        raise RateCapExceeded(_violation_message(cap, tariff, rate_name, rate, limit), cap=cap)
