"""Dunning: a direct-bill statement still unpaid after its due date suspends the account until the
amount due is paid; calls billed to it are refused meanwhile (the family may move the number to a
prepaid account). Each past-due statement is acted on once.

The demo's direct-bill landline is charged in October 2026 (journal rows written at ``clock``); its
October statement is dated 2026-11-01 and due 2026-11-21 (America/Chicago).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from billing.accounts import services as accounts
from billing.audit import AuditEntry
from billing.config import Settings
from billing.db import Database
from billing.demo import DEMO_PERSON, DIRECT_BILL_LANDLINE
from billing.scheduler import JOBS
from billing.statements import dunning
from billing.statements.services import run_period
from invoices import Period
from tests.billing.payments.support import Accounts, new_key, settle, spend
from tests.billing.payments.test_balance_payments import pay


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    now = {"at": at("2026-10-10T18:00")}
    monkeypatch.setattr("ledgers.journal.utcnow", lambda: now["at"])
    return now


@pytest.fixture
def october_statement(db: Database, accts: Accounts, settings: Settings, clock: dict[str, dt.datetime]) -> str:
    spend(db, accts.direct, "12.00")
    run_period(db, settings, Period(2026, 10), now=at("2026-11-01T09:15"))  # 03:15 in Chicago
    summary = accounts_statements(db, accts.direct)
    assert summary == [("2026-10", 1200, dt.date(2026, 11, 21))]
    return "S-202610-"


def accounts_statements(db: Database, account_id: int) -> list[tuple[str, int, dt.date | None]]:
    from invoices import Statement

    with db.sessions() as s:
        return [(f"{x.period_start:%Y-%m}", x.amount_due, x.due_on)
                for x in s.scalars(select(Statement).where(Statement.account_id == account_id))]


def account(db: Database, account_id: int) -> tuple[str, str]:
    with db.sessions() as s:
        found = accounts.get_account(s, account_id)
        return found.status, found.status_reason


def decision(api: Any) -> str:
    r = api.post("/v1/calls", {"call_id": new_key(), "facility": "IL-PRISON-DEMO", "person": DEMO_PERSON,
                               "to": DIRECT_BILL_LANDLINE, "requested_at": "2026-11-25T15:00:00Z"})
    assert r.status_code == 200, r.json
    return str(r.json["code"])


def test_an_unpaid_statement_suspends_the_account_after_its_due_date_until_it_is_paid(
        api: Any, db: Database, accts: Accounts, october_statement: str, clock: dict[str, dt.datetime],
        app: Flask) -> None:
    assert dunning.run(db, now=at("2026-11-22T05:59")).lines == []  # 23:59 on the due date in Chicago

    report = dunning.run(db, now=at("2026-11-22T06:00"))

    assert report.suspended == 1
    assert report.lines == [f"statement {october_statement}{accts.direct:06d} (account {accts.direct}): 12.00 "
                            "unpaid after 2026-11-21; account suspended"]
    status, reason = account(db, accts.direct)
    assert status == "suspended" and reason.startswith(f"Past due: statement {october_statement}")
    assert decision(api) == "ACCOUNT_SUSPENDED"
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.suspend")).one()
        assert (entry.actor, entry.role) == (dunning.ACTOR, "system")
    assert dunning.run(db, now=at("2026-11-23T06:00")).lines == []  # once per statement
    [listed] = api.as_("staff").get(f"/v1/accounts/{accts.direct}/statements").json["statements"]
    assert {k: listed["past_due"][k] for k in ("unpaid", "action")} == {"unpaid": "12.00", "action": "suspended"}

    clock["at"] = at("2026-11-23T18:00")
    assert pay(api, accts.direct, "12.00").status_code == 201
    settle(app)

    assert account(db, accts.direct)[0] == "active"
    assert decision(api) == "AUTHORIZED"
    assert dunning.run(db, now=at("2026-11-24T06:00")).lines == []


def test_a_statement_paid_by_its_due_date_or_by_credits_since_is_not_past_due(
        api: Any, db: Database, accts: Accounts, october_statement: str, clock: dict[str, dt.datetime],
        app: Flask) -> None:
    clock["at"] = at("2026-11-05T18:00")
    spend(db, accts.direct, "5.00")  # November's call: on the next statement, not this one
    assert pay(api, accts.direct, "12.00").status_code == 201
    settle(app)

    assert dunning.run(db, now=at("2026-11-30T06:00")).lines == []
    assert account(db, accts.direct)[0] == "active"


def test_a_partly_paid_statement_is_past_due_for_the_rest(
        api: Any, db: Database, accts: Accounts, october_statement: str, clock: dict[str, dt.datetime],
        app: Flask) -> None:
    clock["at"] = at("2026-11-05T18:00")
    assert pay(api, accts.direct, "10.00").status_code == 201
    settle(app)

    report = dunning.run(db, now=at("2026-11-22T06:00"))

    assert report.suspended == 1 and "2.00 unpaid after 2026-11-21" in report.lines[0]


def test_an_account_already_suspended_is_left_as_it_is_and_the_job_is_daily(
        db: Database, accts: Accounts, october_statement: str, settings: Settings, app: Flask) -> None:
    with db.unit_of_work() as s:
        accounts.set_status(s, accounts.get_account(s, accts.direct), "suspended", "staff: fraud check")

    report = dunning.run(db, now=at("2026-11-22T06:00"))

    assert report.suspended == 0 and report.lines[0].endswith("account already suspended")
    assert account(db, accts.direct) == ("suspended", "staff: fraud check")
    job = next(j for j in JOBS if j.name == "dunning")
    assert (job.trigger, job.trigger_args) == ("cron", {"hour": 5, "minute": 0})
    assert job.run(db, settings) == "0 past-due statement(s), 0 account(s) suspended, 0 error(s)"  # acted on
    result = app.test_cli_runner().invoke(args=["statements", "dunning"])
    assert result.exit_code == 0 and "0 past-due statement(s)" in result.output


def test_paying_what_the_past_due_statement_asks_lifts_the_suspension_though_later_calls_are_unpaid(
        api: Any, db: Database, accts: Accounts, october_statement: str, clock: dict[str, dt.datetime],
        app: Flask) -> None:
    clock["at"] = at("2026-11-05T18:00")
    spend(db, accts.direct, "5.00")  # November's calls: next statement's business
    assert dunning.run(db, now=at("2026-11-22T06:00")).suspended == 1

    clock["at"] = at("2026-11-23T18:00")
    assert pay(api, accts.direct, "12.00").status_code == 201  # what the suspension reason asks for
    settle(app)

    assert account(db, accts.direct)[0] == "active"
    assert decision(api) == "AUTHORIZED"


def test_a_payment_credited_while_the_run_is_under_way_is_counted(
        api: Any, db: Database, accts: Accounts, october_statement: str, clock: dict[str, dt.datetime],
        app: Flask) -> None:
    from invoices import past_due

    with db.sessions() as s:
        [item] = past_due(s, now=at("2026-11-22T06:00"))  # the run's list, read first
    clock["at"] = at("2026-11-22T06:00")
    assert pay(api, accts.direct, "12.00").status_code == 201
    settle(app)  # paid before the run reaches this account

    assert dunning._act(db, item) == ("none", f"statement {item.number}: paid meanwhile")
    assert account(db, accts.direct)[0] == "active"
