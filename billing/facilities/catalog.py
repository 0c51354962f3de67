"""The in-memory rate catalog each worker keeps: facilities and their tariffs as rating values.

Quotes are answered from here without touching the database. The catalog carries the version
it was loaded at; a request learns the current version from the same query that checks its API
key, and the catalog reloads only when the version moved (a facility or tariff changed).
"""

from __future__ import annotations

import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from billing.facilities.models import Facility, RateCatalogVersion
from billing.facilities.services import profile_of, to_tariff
from rating import FacilityProfile, Tariff


@dataclass(frozen=True, slots=True)
class FacilityRates:
    """What a quote needs to know about a facility."""

    id: int
    code: str
    name: str
    state: str
    timezone: zoneinfo.ZoneInfo
    profile: FacilityProfile
    max_call_seconds: int | None
    approved_list_size: int | None
    tariffs: tuple[Tariff, ...]


@dataclass(frozen=True, slots=True)
class Catalog:
    version: int
    facilities: dict[str, FacilityRates]

    def facility(self, code: str) -> FacilityRates | None:
        return self.facilities.get(code)

    def code_of(self, facility_id: int) -> str | None:
        return next((f.code for f in self.facilities.values() if f.id == facility_id), None)


def load_catalog(session: Session) -> Catalog:
    version = session.scalar(select(RateCatalogVersion.version).where(RateCatalogVersion.id == 1)) or 0
    rows = session.scalars(select(Facility).options(selectinload(Facility.tariffs)).order_by(Facility.code))
    facilities = {
        f.code: FacilityRates(
            id=f.id, code=f.code, name=f.name, state=f.state, timezone=zoneinfo.ZoneInfo(f.timezone),
            profile=profile_of(f), max_call_seconds=f.max_call_seconds,
            approved_list_size=f.approved_list_size, tariffs=tuple(to_tariff(t) for t in f.tariffs),
        )
        for f in rows
    }
    return Catalog(version=version, facilities=facilities)


class CatalogCache:
    """A worker's cached catalog, reloaded when the stored version differs from the cached one."""

    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()

    def get(self, session: Callable[[], Session], version: int) -> Catalog:
        """The cached catalog if it is at ``version``; else reload it through ``session()``."""
        catalog = self._catalog
        if catalog is not None and catalog.version == version:
            return catalog
        with self._lock:
            catalog = self._catalog
            if catalog is None or catalog.version != version:
                catalog = load_catalog(session())
                self._catalog = catalog
            return catalog

    def clear(self) -> None:
        self._catalog = None
