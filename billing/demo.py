"""The demo data that ``make run`` loads (demo mode only). Loading twice changes nothing.

Tariffs are effective from 2026-04-06, when the FCC 25-75 caps bind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.apikeys.models import ApiKey
from billing.apikeys.services import create_key, hash_key
from billing.config import Settings
from billing.facilities import services as facilities
from billing.facilities.models import Facility
from rating import Jurisdiction, Tariff

DEMO_KEYS = {
    "call_platform": "demo-call-platform",
    "staff": "demo-staff",
    "legal": "demo-legal",
    "admin": "demo-admin",
}

EFFECTIVE = dt.date(2026, 4, 6)


def _tariffs(domestic: str, international: str) -> list[Tariff]:
    return [
        Tariff(jurisdiction=Jurisdiction.INTRASTATE, per_minute=Decimal(domestic), effective_from=EFFECTIVE),
        Tariff(jurisdiction=Jurisdiction.INTERSTATE, per_minute=Decimal(domestic), effective_from=EFFECTIVE),
        Tariff(jurisdiction=Jurisdiction.INTERNATIONAL, per_minute=Decimal(international), effective_from=EFFECTIVE),
    ]


DEMO_FACILITIES = [
    {
        "code": "IL-PRISON-DEMO", "name": "Illinois State Prison (demo)", "state": "IL",
        "timezone": "America/Chicago", "facility_class": "prison", "average_daily_population": None,
        "tariffs": _tariffs("0.009", "0.11"),
    },
    {
        "code": "IL-JAIL-DEMO", "name": "Illinois County Jail (demo)", "state": "IL",
        "timezone": "America/Chicago", "facility_class": "jail", "average_daily_population": 400,
        "tariffs": _tariffs("0.07", "0.12"),
    },
]


def _ensure_key(session: Session, role: str, key: str) -> None:
    if session.scalar(select(ApiKey.id).where(ApiKey.key_hash == hash_key(key))) is None:
        create_key(session, name=f"demo {role}", role=role, key=key)


def _ensure_facility(session: Session, spec: dict[str, object]) -> Facility:
    code = str(spec["code"])
    existing = session.scalar(select(Facility).where(Facility.code == code))
    if existing is not None:
        return existing
    fields = {k: v for k, v in spec.items() if k != "tariffs"}
    facility = facilities.create_facility(session, **fields)  # type: ignore[arg-type]
    for tariff in spec["tariffs"]:  # type: ignore[attr-defined]
        facilities.add_tariff(session, facility, tariff)
    return facility


def load_demo(session: Session, settings: Settings) -> dict[str, str]:
    """Create the demo data if missing; returns the demo API keys by role."""
    if not settings.demo:
        raise RuntimeError("demo data is only loaded in demo mode")
    for role, key in DEMO_KEYS.items():
        _ensure_key(session, role, key)
    for spec in DEMO_FACILITIES:
        _ensure_facility(session, spec)
    session.flush()
    return dict(DEMO_KEYS)
