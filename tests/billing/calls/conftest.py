"""Helpers for the Calls acceptance tests: the demo's people and numbers, times in the calling
window, accounts opened and funded, and the ledger's verdict.

Times: the demo unit may call 07:00–22:00 America/Chicago (CST, UTC−6, in late November 2026);
tariffs are effective from 2026-04-06 (IL-PRISON-DEMO 0.009/min domestic, 0.11 international;
IL-JAIL-DEMO 0.07 / 0.12).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from moneyed import Money
from sqlalchemy import text
from sqlalchemy.engine import make_url

import ledgers
from billing.accounts.models import CalledPartyAccount
from billing.db import Database
from billing.demo import (
    ATTORNEY,
    BLOCKED,
    DEMO_KEYS,
    DEMO_PERSON,
    DIRECT_BILL_LANDLINE,
    OTHER_COMPANY,
    PREPAID_MOBILE,
    load_demo,
)
from tests import support
from tests.conftest import PostgresFactory, SqliteFactory, make_settings
from tests.support import Api

PRISON, JAIL = "IL-PRISON-DEMO", "IL-JAIL-DEMO"
PERSON = DEMO_PERSON
MOTHER = PREPAID_MOBILE  # prepaid cell phone, 10.00 on the account
BROTHER = DIRECT_BILL_LANDLINE  # direct-bill landline, credit limit 30.00
LAWYER = ATTORNEY  # direct-bill landline, privileged (unmonitored) on A12345's list
COUSIN = OTHER_COMPANY  # an account with another company
FORMER_FRIEND = BLOCKED  # blocked by the called party

#: 09:00 in Chicago on a Wednesday, inside every demo window.
NOON_ISH = "2026-11-25T15:00:00Z"
CALLER_ID = "+18667184777"

__all__ = [
    "BROTHER", "CALLER_ID", "COUSIN", "FORMER_FRIEND", "JAIL", "LAWYER", "MOTHER", "NOON_ISH", "PERSON",
    "PRISON", "Calls", "calls_with_settings", "fresh_number", "local",
]

# One counter per process, kept in a plain module: pytest may load this conftest twice (as a plugin
# and when a test imports from it), and two counters would hand out the same number.
_numbers = support.NUMBERS


def fresh_number(area: str = "312") -> str:
    """A Chicago (or ``area``) number no demo row uses."""
    return f"+1{area}555{next(_numbers):04d}"


def local(clock: str, day: int = 25) -> str:
    """A Chicago wall-clock time on 2026-11-``day`` (CST, UTC−6) as the platform's UTC timestamp."""
    hours, minutes, *rest = (int(p) for p in clock.split(":"))
    seconds = rest[0] if rest else 0
    utc_hour = hours + 6
    day += utc_hour // 24
    return f"2026-11-{day:02d}T{utc_hour % 24:02d}:{minutes:02d}:{seconds:02d}Z"


# --- a fresh database per test, with the demo data already in it -----------------------------------
#
# Every test here starts from the demo data; loading it costs more than copying a database, so
# each worker loads it once into a template and each test gets a copy of that (a file copy on
# SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL). The ``demo`` fixture then finds the demo data
# there and adds nothing.

_copies = itertools.count()


@pytest.fixture(scope="session")
def demo_template(database_factory: SqliteFactory | PostgresFactory) -> Iterator[str]:
    url = database_factory.create()
    db = Database(url)
    with db.unit_of_work() as session:
        load_demo(session, replace(make_settings(url), demo=True))
    db.dispose()
    yield url
    database_factory.drop(url)


@contextmanager
def _fresh_database(factory: SqliteFactory | PostgresFactory, template: str) -> Iterator[str]:
    source = make_url(template)
    if isinstance(factory, PostgresFactory):
        name = f"{factory.prefix}_calls_{next(_copies)}"
        with factory.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
        url = source.set(database=name).render_as_string(hide_password=False)
    else:
        path = factory.root / f"calls_{next(_copies)}.db"
        shutil.copyfile(Path(source.database or ""), path)
        url = f"sqlite:///{path}"
    try:
        yield url
    finally:
        factory.drop(url)


@pytest.fixture
def database_url(database_factory: SqliteFactory | PostgresFactory, demo_template: str) -> Iterator[str]:
    """A fresh database holding the demo data, for this test only."""
    with _fresh_database(database_factory, demo_template) as url:
        yield url


class Calls:
    """The call platform, staff, legal and admin speaking to the API, plus direct ledger access."""

    def __init__(self, api: Api, db: Database) -> None:
        self.api = api
        self.staff = api.as_("staff")
        self.legal = api.as_("legal")
        self.admin = api.as_("admin")
        self.db = db
        self._ids = itertools.count(1)

    # --- the call platform ----------------------------------------------------------------

    def new_id(self) -> str:
        return f"call-{next(self._ids)}"

    def authorize(self, to: str, *, at: str = NOON_ISH, person: str = PERSON, facility: str = PRISON,
                  call_id: str | None = None) -> dict[str, Any]:
        body = {"call_id": call_id or self.new_id(), "facility": facility, "person": person, "to": to,
                "requested_at": at}
        r = self.api.post("/v1/calls", body)
        assert r.status_code == 200, r.json
        return dict(r.json)

    def code(self, to: str, **kwargs: Any) -> str:
        return str(self.authorize(to, **kwargs)["code"])

    def accept(self, call_id: str, at: str) -> dict[str, Any]:
        r = self.api.post(f"/v1/calls/{call_id}/accept", {"at": at})
        assert r.status_code == 200, r.json
        return dict(r.json)

    def complete(self, call_id: str, ended_at: str, end_reason: str = "hangup") -> dict[str, Any]:
        r = self.api.post(f"/v1/calls/{call_id}/complete", {"ended_at": ended_at, "end_reason": end_reason})
        assert r.status_code == 200, r.json
        return dict(r.json)

    def call(self, call_id: str) -> dict[str, Any]:
        r = self.api.get(f"/v1/calls/{call_id}")
        assert r.status_code == 200, r.json
        return dict(r.json)

    # --- staff ----------------------------------------------------------------------------

    def account(self, number: str) -> dict[str, Any]:
        r = self.staff.get("/v1/accounts", number=number)
        assert r.status_code == 200, r.json
        return dict(r.json)

    def open_account(self, plan: str, *numbers: str, line_type: str = "landline", fund: str | None = None,
                     credit_limit: str | None = None, provider: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"plan": plan, "holder": {"name": "A Family"},
                                "numbers": [{"number": n, "line_type": line_type} for n in numbers]}
        if credit_limit is not None:
            body["credit_limit"] = credit_limit
        if provider is not None:
            body["provider"] = provider
        r = self.staff.post("/v1/accounts", body)
        assert r.status_code == 201, r.json
        if fund is not None and Decimal(fund) > 0:
            self.deposit(r.json["id"], fund)
        return dict(r.json)

    def deposit(self, account_id: int, amount: str) -> None:
        """A family's payment, booked straight in the ledger (payments are another capability)."""
        with self.db.unit_of_work() as session:
            account = session.get(CalledPartyAccount, account_id)
            assert account is not None and account.ledger_account_id is not None
            ledgers.transfer(session, debit=ledgers.house_account(session, "payment_clearing").id,
                             credit=account.ledger_account_id, amount=Money(Decimal(amount), "USD"),
                             idempotency_key=f"test:deposit:{account_id}:{next(self._ids)}", purpose="deposit")

    def approve(self, number: str, person: str = PERSON) -> None:
        r = self.staff.post(f"/v1/persons/{person}/numbers", {"number": number})
        assert r.status_code == 201, r.json

    def approved_prepaid(self, fund: str = "10.00", *, line_type: str = "mobile",
                         person: str = PERSON) -> tuple[str, dict[str, Any]]:
        """A new number on ``person``'s list, covered by a prepaid account holding ``fund``."""
        number = fresh_number()
        self.approve(number, person)
        return number, self.open_account("prepaid", number, line_type=line_type, fund=fund)

    def approved_direct_bill(self, credit_limit: str = "30.00", *, person: str = PERSON) -> tuple[str, dict[str, Any]]:
        number = fresh_number("217")
        self.approve(number, person)
        return number, self.open_account("direct_bill", number, credit_limit=credit_limit)

    def person_at(self, facility: str, id_number: str, *, start: str = "07:00", end: str = "22:00") -> str:
        """Register a person in a new living unit of ``facility`` that may call from start to end."""
        unit = f"U-{id_number}"
        r = self.staff.post(f"/v1/facilities/{facility}/units",
                            {"code": unit, "schedule": [{"days": "daily", "start": start, "end": end}]})
        assert r.status_code == 201, r.json
        r = self.staff.post("/v1/persons", {"id_number": id_number, "facility": facility, "unit": unit})
        assert r.status_code == 201, r.json
        return id_number

    def put(self, role: str, path: str, json: Any = None) -> Any:
        """PUT as ``role`` (the shared ``Api`` helper has no ``put``)."""
        return self.api.client.put(path, json=json, headers={"Authorization": f"Bearer {DEMO_KEYS[role]}"})

    def privilege(self, number: str, reason: str = "Counsel of record", *, role: str = "legal",
                  person: str = PERSON) -> Any:
        return self.put(role, f"/v1/persons/{person}/numbers/{number}/privileged", {"reason": reason})

    def set_person_status(self, person: str, status: str) -> None:
        r = self.staff.patch(f"/v1/persons/{person}", {"status": status})
        assert r.status_code == 200, r.json

    def blocks(self, number: str) -> list[dict[str, Any]]:
        r = self.staff.get("/v1/blocks", number=number)
        assert r.status_code == 200, r.json
        return list(r.json["blocks"])

    def tariff_id(self, facility: str, jurisdiction: str = "intrastate") -> int:
        tariffs = self.admin.get(f"/v1/facilities/{facility}/tariffs").json["tariffs"]
        return int(next(t["id"] for t in tariffs if t["jurisdiction"] == jurisdiction))

    # --- the ledger -----------------------------------------------------------------------

    def assert_ledger_clean(self) -> None:
        with self.db.sessions() as session:
            report = ledgers.verify(session)
        assert report.ok, report.problems


@pytest.fixture
def calls(api: Api, db: Database) -> Calls:
    return Calls(api, db)


@contextmanager
def calls_with_settings(database_url: str, **overrides: Any) -> Iterator[Calls]:
    """The API over ``database_url`` (demo data loaded) served by an app with other settings."""
    from billing import create_app

    settings = make_settings(database_url, **overrides)
    app = create_app(settings)
    app.config["TESTING"] = True
    db: Database = app.extensions["billing.db"]
    with db.unit_of_work() as session:
        load_demo(session, replace(settings, demo=True))  # already there: adds nothing
    try:
        yield Calls(Api(app.test_client()), db)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def shared(database_factory: SqliteFactory | PostgresFactory, demo_template: str) -> Iterator[Calls]:
    """One app and demo database for the tests of a module that change nothing anyone else reads:
    each uses its own numbers and call ids, or makes only requests that must change nothing."""
    from billing import create_app

    with _fresh_database(database_factory, demo_template) as url:
        app = create_app(make_settings(url))
        app.config["TESTING"] = True
        db: Database = app.extensions["billing.db"]
        yield Calls(Api(app.test_client()), db)
        db.dispose()
