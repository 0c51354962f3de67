"""Prepaid money is never taken: after 180 days without a deposit or a charged call, the balance goes
back to its owner (47 CFR 64.6130) — to the cards it came from, the rest by check — and the account
is closed, exactly as if the holder had asked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from flask import Flask
from moneyed import Money
from sqlalchemy import select, update

import ledgers
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.audit import AuditEntry
from billing.config import Settings
from billing.db import Database
from billing.payments import inactive
from billing.payments.wiring import gateway_for
from billing.scheduler import JOBS
from ledgers.base import utcnow
from tests.billing.payments.conftest import FakeStripe
from tests.billing.payments.support import Accounts, ledger_account_of, ledger_ok, new_key, refunds_of, settle, spend
from tests.billing.payments.test_refunds import deposit, stripe_refunds


def idle_for(db: Database, account_id: int, days: int) -> None:
    """The account's last deposit or charged call was ``days`` days ago."""
    with db.unit_of_work() as s:
        s.execute(update(CalledPartyAccount).where(CalledPartyAccount.id == account_id)
                  .values(last_activity_at=utcnow() - dt.timedelta(days=days)))


def run(app: Flask) -> inactive.InactiveReport:
    db: Database = app.extensions["billing.db"]
    with db.sessions() as s:
        return inactive.refund_dormant(s, gateway_for(app))


def status(db: Database, account_id: int) -> str:
    with db.sessions() as s:
        return accounts.get_account(s, account_id).status


def test_a_balance_unused_for_180_days_goes_back_to_the_card_and_the_rest_by_check(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    made = deposit(api, accts.prepaid, "20.00")  # beside the demo's 10.00, which came by no card
    settle(app)
    idle_for(db, accts.prepaid, 181)

    report = run(app)

    assert (report.refunded, report.deferred) == (1, 0)
    assert report.lines == [f"account {accts.prepaid}: closed, 30.00 refunded (card 20.00, check 10.00)"]
    assert [(r.method, r.amount, r.status) for r in refunds_of(db, accts.prepaid)] == [
        ("card", 2000, "succeeded"), ("check", 1000, "check_pending")]
    assert stripe_refunds(stripe_fake) == {made["payment_intent"]: 2000}
    assert status(db, accts.prepaid) == "closed"
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "account.close")).one()
        assert (entry.actor, entry.role) == (inactive.ACTOR, "system")
        assert "180 days" in accounts.get_account(s, accts.prepaid).status_reason
    assert run(app).refunded == 0  # nothing twice
    ledger_ok(db)


def test_money_is_not_touched_before_180_days_and_a_deposit_restarts_the_clock(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    idle_for(db, accts.prepaid, 179)
    assert run(app).refunded == 0
    idle_for(db, accts.prepaid, 400)
    deposit(api, accts.prepaid, "5.00")
    settle(app)  # the deposit lands: the clock starts again

    assert run(app).refunded == 0
    assert status(db, accts.prepaid) == "active" and refunds_of(db, accts.prepaid) == []


def test_an_empty_account_and_a_direct_bill_account_are_left_alone(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    spend(db, accts.prepaid, "10.00")  # nothing left to give back
    for account_id in (accts.prepaid, accts.direct):
        idle_for(db, account_id, 365)

    assert run(app).refunded == 0
    assert (status(db, accts.prepaid), status(db, accts.direct)) == ("active", "active")


def test_an_account_with_a_call_in_progress_is_left_for_the_next_run(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    idle_for(db, accts.prepaid, 181)
    with db.unit_of_work() as s:
        held = ledgers.hold(s, debit=ledger_account_of(db, accts.prepaid), credit=ledgers.house_account(
            s, "call_revenue"), amount=Money("2.00", "USD"), idempotency_key=new_key(), purpose="call_charge").id

    first = run(app)

    assert (first.refunded, first.deferred) == (0, 1) and "HOLD_OPEN" in first.lines[0]
    assert status(db, accts.prepaid) == "active"
    with db.unit_of_work() as s:  # the call ended unanswered
        ledgers.void(s, held, idempotency_key=new_key())
    assert run(app).refunded == 1 and status(db, accts.prepaid) == "closed"
    ledger_ok(db)


def test_the_daily_job_and_the_command(api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe,
                                       app: Flask, settings: Settings) -> None:
    job = next(j for j in JOBS if j.name == "refund-inactive-balances")
    assert (job.trigger, job.trigger_args) == ("cron", {"hour": 4, "minute": 30})
    assert job.run(db, replace(settings, stripe_secret_key="")) == "skipped: payments are not configured"
    idle_for(db, accts.prepaid, 200)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["payments", "refund-inactive", "--days", "90"]).exit_code == 2  # never < 180
    assert runner.invoke(args=["payments", "refund-inactive", "--days", "365"]).output.startswith("0 inactive")

    assert job.run(db, settings) == "1 inactive balance(s) refunded, 0 left for the next run"
    assert status(db, accts.prepaid) == "closed"


def test_a_deposit_that_arrives_after_the_run_listed_the_account_keeps_it_open(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    from billing.payments import refunds
    from billing.payments.errors import NotDormant

    idle_for(db, accts.prepaid, 181)
    with db.sessions() as s:
        listed = inactive.dormant_accounts(s, now=utcnow())
    assert accts.prepaid in listed
    deposit(api, accts.prepaid, "50.00")  # the family pays while the run is busy with other accounts
    settle(app)

    with db.sessions() as s:  # what the run does next for that account
        try:
            refunds.close_account(s, gateway_for(app), accts.prepaid, reason=inactive.REASON, actor=inactive.ACTOR,
                                  role="system", only_if_idle_since=utcnow() - inactive.INACTIVE_AFTER)
            raise AssertionError("closed an account that had just been funded")
        except NotDormant:
            s.rollback()

    assert status(db, accts.prepaid) == "active" and refunds_of(db, accts.prepaid) == []


def test_accounts_under_review_or_suspended_wait_for_staff(
        api: Any, db: Database, accts: Accounts, stripe_fake: FakeStripe, app: Flask) -> None:
    idle_for(db, accts.prepaid, 365)
    with db.unit_of_work() as s:
        s.execute(update(CalledPartyAccount).where(CalledPartyAccount.id == accts.prepaid).values(needs_review=True))
    assert run(app).refunded == 0
    with db.unit_of_work() as s:
        s.execute(update(CalledPartyAccount).where(CalledPartyAccount.id == accts.prepaid)
                  .values(needs_review=False, status="suspended", status_reason="Stripe dispute dp_1"))
    assert run(app).refunded == 0
    assert status(db, accts.prepaid) == "suspended" and refunds_of(db, accts.prepaid) == []
