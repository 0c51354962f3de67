"""Holds of calls that never complete are expired by a job, so an abandoned call can't lock a
family's money: the hold times out ``max duration + hold_margin_seconds`` (default 300) after it
was placed, on the server's clock; the balance is whole again and the call shows ``expired``."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from billing.calls import services
from billing.db import Database
from ledgers.base import utcnow
from tests.billing.calls.conftest import BROTHER, MOTHER, Calls, calls_with_settings, local


def _expire(db: Database, now: dt.datetime) -> int:
    with db.unit_of_work() as session:
        return services.expire_abandoned(session, now=now)


def test_an_abandoned_calls_hold_is_released_and_the_call_shows_expired(calls: Calls, db: Database) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    assert calls.account(MOTHER)["available_balance"] == "9.73"
    assert _expire(db, utcnow() + dt.timedelta(days=1)) == 1
    account = calls.account(MOTHER)
    assert (account["available_balance"], account["on_hold"]) == ("10.00", "0.00")
    assert calls.call(call_id)["state"] == "expired"
    calls.assert_ledger_clean()


def test_the_hold_lasts_the_maximum_duration_plus_the_margin_from_when_it_was_placed(
    calls: Calls, db: Database
) -> None:
    before = utcnow()
    decision = calls.authorize(MOTHER)
    after = utcnow()
    timeout = dt.timedelta(seconds=decision["max_duration_seconds"] + 300)
    assert _expire(db, before + timeout - dt.timedelta(seconds=1)) == 0
    assert calls.call(decision["call_id"])["state"] == "authorized"
    assert calls.account(MOTHER)["on_hold"] == "0.27"
    assert _expire(db, after + timeout) == 1
    assert calls.account(MOTHER)["on_hold"] == "0.00"


def test_the_timeout_runs_on_the_servers_clock_not_the_platforms_timestamps(calls: Calls, db: Database) -> None:
    # the platform says the call was requested in 2026's evening; the server's clock decides the expiry
    call_id = calls.authorize(MOTHER, at=local("21:50"))["call_id"]  # 600 s
    assert _expire(db, utcnow() + dt.timedelta(seconds=600 + 300 - 5)) == 0
    assert _expire(db, utcnow() + dt.timedelta(seconds=600 + 300 + 5)) == 1
    assert calls.call(call_id)["state"] == "expired"


def test_the_margin_is_a_setting(database_url: str) -> None:
    with calls_with_settings(database_url, hold_margin_seconds=60) as calls:
        calls.authorize(MOTHER)
        assert _expire(calls.db, utcnow() + dt.timedelta(seconds=1800 + 30)) == 0
        assert _expire(calls.db, utcnow() + dt.timedelta(seconds=1800 + 65)) == 1


def test_an_accepted_call_that_never_completes_is_expired_too(calls: Calls, db: Database) -> None:
    call_id = calls.authorize(BROTHER)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:10Z")
    assert calls.account(BROTHER)["on_hold"] == "0.27"
    assert _expire(db, utcnow() + dt.timedelta(days=1)) == 1
    account = calls.account(BROTHER)
    assert (account["on_hold"], account["credit_available"], account["amount_due"]) == ("0.00", "30.00", "0.00")
    assert calls.call(call_id)["state"] == "expired"


def test_completed_blocked_and_refused_calls_are_left_alone(calls: Calls, db: Database) -> None:
    done = calls.authorize(MOTHER)["call_id"]
    calls.accept(done, "2026-11-25T15:00:00Z")
    calls.complete(done, "2026-11-25T15:15:00Z")
    blocked = calls.authorize(BROTHER)["call_id"]
    calls.api.post(f"/v1/calls/{blocked}/block", {"at": "2026-11-25T15:00:05Z", "scope": "all"})
    refused = calls.authorize(MOTHER, at=local("23:00"))["call_id"]
    assert _expire(db, utcnow() + dt.timedelta(days=1)) == 0
    assert [calls.call(c)["state"] for c in (done, blocked, refused)] == ["completed", "blocked", "rejected"]
    assert calls.account(MOTHER)["available_balance"] == "9.86"


def test_running_the_job_twice_expires_each_call_once(calls: Calls, db: Database) -> None:
    calls.authorize(MOTHER)
    later = utcnow() + dt.timedelta(days=1)
    assert (_expire(db, later), _expire(db, later)) == (1, 0)
    assert calls.account(MOTHER)["available_balance"] == "10.00"
    calls.assert_ledger_clean()


def test_an_expired_call_can_no_longer_be_accepted_or_blocked(calls: Calls, db: Database) -> None:
    call_id = calls.authorize(MOTHER)["call_id"]
    _expire(db, utcnow() + dt.timedelta(days=1))
    assert calls.api.post(f"/v1/calls/{call_id}/accept", {"at": "2026-11-25T15:00:10Z"}).status_code == 409
    r = calls.api.post(f"/v1/calls/{call_id}/block", {"at": "2026-11-25T15:00:10Z", "scope": "all"})
    assert r.status_code == 409
    assert calls.blocks(MOTHER) == []


def test_a_call_reported_after_its_hold_expired_is_charged_at_most_the_balance(calls: Calls, db: Database) -> None:
    number, _ = calls.approved_prepaid("0.05")
    call_id = calls.authorize(number)["call_id"]
    calls.accept(call_id, "2026-11-25T15:00:00Z")
    _expire(db, utcnow() + dt.timedelta(days=1))
    assert calls.account(number)["available_balance"] == "0.05"
    done = calls.complete(call_id, "2026-11-25T15:06:00Z")
    assert (done["charge"], done["available_balance"]) == ("0.05", "0.00")
    assert calls.call(call_id)["state"] == "completed"
    calls.assert_ledger_clean()


def test_an_abandoned_call_shows_expired_even_when_a_late_completion_released_its_hold_first(
    calls: Calls, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = calls.authorize(MOTHER)["call_id"]
    calls.accept(late, "2026-11-25T15:00:00Z")
    abandoned = calls.authorize(BROTHER)["call_id"]
    # an hour passes on the server's clock: both holds are past their timeout
    future = utcnow() + dt.timedelta(hours=1)
    monkeypatch.setattr("ledgers.holds.utcnow", lambda: future)
    calls.complete(late, "2026-11-25T15:10:00Z")  # its post finds the hold expired
    _expire(db, future)
    assert calls.account(BROTHER)["on_hold"] == "0.00"
    assert calls.call(abandoned)["state"] == "expired"


def test_an_abandoned_call_shows_expired_even_when_the_ledgers_own_expiry_command_ran_first(
    app: Flask, calls: Calls, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    abandoned = calls.authorize(MOTHER)["call_id"]
    future = utcnow() + dt.timedelta(hours=1)
    monkeypatch.setattr("ledgers.holds.utcnow", lambda: future)
    result = app.test_cli_runner().invoke(args=["ledger", "expire-holds"])
    assert result.exit_code == 0, result.output
    _expire(db, future)
    assert calls.account(MOTHER)["on_hold"] == "0.00"
    assert calls.call(abandoned)["state"] == "expired"
