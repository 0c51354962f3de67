"""Managing facilities and tariffs. Every change is checked against the legal rate caps first.

A tariff is refused when it exceeds a cap in force on any day it is effective, or when it overlaps
another tariff of the same facility, jurisdiction and destination; a facility's population change
is refused when it would push an existing tariff over its new cap tier.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from billing.errors import AlreadyExists, InvalidParameter, NotFound, UnknownFacility
from billing.facilities.models import Facility, RateCatalogVersion, TariffRecord
from ledgers.base import utcnow
from rating import (
    FacilityClass,
    FacilityProfile,
    InvalidTariff,
    Jurisdiction,
    Rounding,
    Tariff,
    check_tariff,
    overlapping,
)
from rating.jurisdiction import US_STATES, US_TERRITORIES

#: ``session.info`` flag: this transaction changed the rate catalog (the web layer clears its caches).
CATALOG_CHANGED = "billing.catalog_changed"


def bump_catalog_version(session: Session) -> None:
    """Tell every worker's rate cache that facilities or tariffs changed (same transaction)."""
    session.info[CATALOG_CHANGED] = True
    session.execute(update(RateCatalogVersion).where(RateCatalogVersion.id == 1)
                    .values(version=RateCatalogVersion.version + 1))


def profile_of(facility: Facility) -> FacilityProfile:
    return FacilityProfile(
        state=facility.state,
        facility_class=FacilityClass(facility.facility_class),
        average_daily_population=facility.average_daily_population,
    )


def to_tariff(record: TariffRecord) -> Tariff:
    """The immutable rating value of a stored tariff."""
    return Tariff(
        jurisdiction=Jurisdiction(record.jurisdiction),
        per_minute=Decimal(record.per_minute),
        first_minute=None if record.first_minute is None else Decimal(record.first_minute),
        increment_seconds=record.increment_seconds,
        minimum_seconds=record.minimum_seconds,
        rounding=Rounding(record.rounding),
        currency=record.currency,
        destination_prefix=record.destination_prefix,
        termination_allowance=Decimal(record.termination_allowance),
        effective_from=record.effective_from,
        effective_to=record.effective_to,
    )


def get_facility(session: Session, code: str) -> Facility:
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise UnknownFacility(f"No facility has the code {code!r}.")
    return facility


def list_facilities(session: Session) -> list[Facility]:
    return list(session.scalars(select(Facility).order_by(Facility.code)))


def _validate_facility_fields(state: str, timezone: str, facility_class: str, adp: int | None) -> None:
    if state not in US_STATES and state not in US_TERRITORIES:
        raise InvalidParameter(f"'state' must be a two-letter US state code, not {state!r}.",
                               details={"field": "state"})
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidParameter(f"'timezone' is not an IANA time zone: {timezone!r}.",
                               details={"field": "timezone"}) from exc
    if facility_class not in ("prison", "jail"):
        raise InvalidParameter("'facility_class' must be 'prison' or 'jail'.", details={"field": "facility_class"})
    if facility_class == "jail" and adp is None:
        raise InvalidParameter("A jail needs its 'average_daily_population' (it sets the rate-cap tier).",
                               details={"field": "average_daily_population"})
    if adp is not None and adp < 0:
        raise InvalidParameter("'average_daily_population' must not be negative.",
                               details={"field": "average_daily_population"})


def create_facility(
    session: Session, *, code: str, name: str, state: str, timezone: str, facility_class: str,
    average_daily_population: int | None = None, max_call_seconds: int | None = None,
    approved_list_size: int | None = None,
) -> Facility:
    _validate_facility_fields(state, timezone, facility_class, average_daily_population)
    if session.scalar(select(Facility.id).where(Facility.code == code)) is not None:
        raise AlreadyExists(f"A facility with the code {code!r} already exists.")
    facility = Facility(
        code=code, name=name, state=state, timezone=timezone, facility_class=facility_class,
        average_daily_population=average_daily_population, max_call_seconds=max_call_seconds,
        approved_list_size=approved_list_size, created_at=utcnow(),
    )
    session.add(facility)
    session.flush()
    bump_catalog_version(session)
    return facility


def update_facility(session: Session, facility: Facility, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply ``changes``; a new population (cap tier) must keep every tariff under its caps.

    Returns the previous values of what changed, for the audit trail.
    """
    allowed = {"name", "timezone", "average_daily_population", "max_call_seconds", "approved_list_size"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidParameter(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    _validate_facility_fields(
        facility.state, str(changes.get("timezone", facility.timezone)), facility.facility_class,
        changes.get("average_daily_population", facility.average_daily_population),
    )
    before = {name: getattr(facility, name) for name in changes}
    for name, value in changes.items():
        setattr(facility, name, value)
    profile = profile_of(facility)
    for record in facility.tariffs:
        check_tariff(profile, to_tariff(record))
    bump_catalog_version(session)
    return before


def tariff_from_fields(fields: dict[str, Any]) -> Tariff:
    """Build (and so validate) a rating ``Tariff`` from parsed fields."""
    try:
        return Tariff(**fields)
    except (TypeError, ValueError) as exc:
        raise InvalidTariff(str(exc)) from exc


def _check_against_others(facility: Facility, tariff: Tariff, skip_id: int | None) -> None:
    for record in facility.tariffs:
        if record.id != skip_id and overlapping(tariff, to_tariff(record)):
            raise InvalidTariff(
                f"The tariff overlaps tariff {record.id} ({record.jurisdiction}"
                f"{' ' + record.destination_prefix if record.destination_prefix else ''}, effective "
                f"{record.effective_from}–{record.effective_to or 'open'}); end that one first."
            )


def _apply(record: TariffRecord, tariff: Tariff) -> None:
    record.jurisdiction = tariff.jurisdiction.value
    record.destination_prefix = tariff.destination_prefix
    record.currency = tariff.currency
    record.per_minute = tariff.per_minute
    record.first_minute = tariff.first_minute
    record.increment_seconds = tariff.increment_seconds
    record.minimum_seconds = tariff.minimum_seconds
    record.rounding = tariff.rounding.value
    record.termination_allowance = tariff.termination_allowance
    record.effective_from = tariff.effective_from
    record.effective_to = tariff.effective_to
    record.updated_at = utcnow()


def add_tariff(session: Session, facility: Facility, tariff: Tariff) -> TariffRecord:
    """Store a tariff after the cap and overlap checks (``RateCapExceeded`` names the cap)."""
    check_tariff(profile_of(facility), tariff)
    _check_against_others(facility, tariff, skip_id=None)
    record = TariffRecord(facility=facility, created_at=utcnow())
    _apply(record, tariff)
    session.add(record)
    session.flush()
    bump_catalog_version(session)
    return record


def get_tariff(session: Session, tariff_id: int) -> TariffRecord:
    record = session.get(TariffRecord, tariff_id)
    if record is None:
        raise NotFound(f"No tariff has the id {tariff_id}.")
    return record


def change_tariff(session: Session, record: TariffRecord, changes: dict[str, Any]) -> Tariff:
    """Change a stored tariff (the same checks as adding one). Returns the previous value.

    Past calls keep the rate snapshot that priced them, so a change never alters them.
    """
    before = to_tariff(record)
    try:
        updated = replace(before, **changes) if changes else before
    except (TypeError, ValueError) as exc:
        raise InvalidTariff(str(exc)) from exc
    check_tariff(profile_of(record.facility), updated)
    _check_against_others(record.facility, updated, skip_id=record.id)
    _apply(record, updated)
    bump_catalog_version(session)
    return before


def local_today(facility_timezone: str, now: dt.datetime | None = None) -> dt.date:
    moment = now or utcnow()
    return moment.astimezone(zoneinfo.ZoneInfo(facility_timezone)).date()
