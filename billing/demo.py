"""The demo data that ``make run`` loads (demo mode only). Loading twice changes nothing.

Tariffs are effective from 2026-04-06, when the FCC 25-75 caps bind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from moneyed import Money
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledgers
from billing.accounts import services as accounts
from billing.apikeys.models import ApiKey
from billing.apikeys.services import create_key, hash_key
from billing.blocks import services as blocks
from billing.config import Settings
from billing.facilities import services as facilities
from billing.facilities.models import Facility
from billing.people import services as people
from billing.people.models import Person
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


DEMO_FACILITIES: list[dict[str, Any]] = [
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


def _ensure_facility(session: Session, spec: dict[str, Any]) -> Facility:
    code = str(spec["code"])
    existing = session.scalar(select(Facility).where(Facility.code == code))
    if existing is not None:
        return existing
    fields = {k: v for k, v in spec.items() if k != "tariffs"}
    facility = facilities.create_facility(session, **fields)
    for tariff in spec["tariffs"]:
        facilities.add_tariff(session, facility, tariff)
    return facility


DEMO_PERSON = "A12345"
PREPAID_MOBILE = "+13125550101"
DIRECT_BILL_LANDLINE = "+12175550102"
ATTORNEY = "+13125550103"
OTHER_COMPANY = "+17735550104"
BLOCKED = "+16305550105"
OTHER_PROVIDER_CODE = "otherco"


def _ensure_people(session: Session, facility: Facility) -> Person:
    person = session.scalar(select(Person).where(Person.id_number == DEMO_PERSON))
    if person is not None:
        return person
    unit = people.create_unit(session, facility, code="A-WING", name="A Wing",
                              windows=people.parse_schedule([{"days": "daily", "start": "07:00", "end": "22:00"}]))
    person = people.create_person(session, facility, unit, id_number=DEMO_PERSON, name="Demo Person")
    for number, name in ((PREPAID_MOBILE, "Mother (prepaid cell)"), (DIRECT_BILL_LANDLINE, "Brother (landline)"),
                         (ATTORNEY, "Attorney J. Rivera"), (OTHER_COMPANY, "Cousin (account elsewhere)"),
                         (BLOCKED, "Former friend (blocked)")):
        people.add_number(session, person, number, contact_name=name, actor="demo", list_size=30)
    people.set_privileged(session, person, ATTORNEY, actor="demo legal", privileged=True,
                          reason="Counsel of record; unmonitored calls approved by legal staff (demo)")
    return person


def _ensure_accounts(session: Session, settings: Settings) -> None:
    if accounts.account_for_number(session, PREPAID_MOBILE) is not None:
        return
    ours = settings.provider_code
    prepaid = accounts.open_account(
        session, plan="prepaid", provider=ours, our_provider=ours, holder_name="Maria Demo",
        holder_email="maria@example.org", holder_address="100 Main St, Chicago, IL 60601",
        numbers=[accounts.NumberSpec(PREPAID_MOBILE, "mobile")])
    ledgers.ensure_house_accounts(session, "USD")
    assert prepaid.ledger_account_id is not None
    ledgers.transfer(session, debit=ledgers.house_account(session, "payment_clearing").id,
                     credit=prepaid.ledger_account_id, amount=Money(Decimal("10.00"), "USD"),
                     idempotency_key="demo:deposit:A12345:mother", purpose="deposit", reference="demo deposit")
    accounts.open_account(
        session, plan="direct_bill", provider=ours, our_provider=ours, holder_name="Daniel Demo",
        holder_address="200 Oak Ave, Springfield, IL 62701", credit_limit=Decimal("30.00"),
        numbers=[accounts.NumberSpec(DIRECT_BILL_LANDLINE, "landline")])
    accounts.open_account(
        session, plan="direct_bill", provider=ours, our_provider=ours, holder_name="Rivera Law Office",
        numbers=[accounts.NumberSpec(ATTORNEY, "landline")], credit_limit=Decimal("100.00"))
    accounts.open_account(
        session, plan="prepaid", provider=OTHER_PROVIDER_CODE, our_provider=ours, holder_name="Cousin Demo",
        numbers=[accounts.NumberSpec(OTHER_COMPANY, "mobile")])
    accounts.open_account(
        session, plan="prepaid", provider=ours, our_provider=ours, holder_name="Former Friend",
        numbers=[accounts.NumberSpec(BLOCKED, "landline")])
    blocks.place_block(session, number=BLOCKED, scope="all", facility_id=None, source="called_party",
                       reason="the called party asked not to receive these calls (demo)", actor="demo")


def load_demo(session: Session, settings: Settings) -> dict[str, str]:
    """Create the demo data if missing; returns the demo API keys by role."""
    if not settings.demo:
        raise RuntimeError("demo data is only loaded in demo mode")
    for role, key in DEMO_KEYS.items():
        _ensure_key(session, role, key)
    prison = None
    for spec in DEMO_FACILITIES:
        facility = _ensure_facility(session, spec)
        prison = prison or facility
    assert prison is not None
    _ensure_people(session, prison)
    _ensure_accounts(session, settings)
    session.flush()
    return dict(DEMO_KEYS)
