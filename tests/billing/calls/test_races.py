"""Races on PostgreSQL: two calls at once must not both spend the same money.

Each racer is a thread with its own test client (so its own connection and transaction),
released together by a barrier, like two phones ringing at the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from moneyed import Money

import ledgers
from billing.accounts.models import CalledPartyAccount
from billing.db import Database
from tests.billing.calls.conftest import MOTHER, NOON_ISH, PERSON, PRISON, Calls, fresh_number
from tests.support import Api

pytestmark = pytest.mark.postgres_only

ROUNDS = 10


def race(app: Flask, *requests: Callable[[Api], Any]) -> list[Any]:
    """Run each request in its own thread and client, all released at once; their results."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(i: int) -> None:
        client = Api(app.test_client())
        try:
            barrier.wait(timeout=30)
            results[i] = requests[i](client)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


def _fund(db: Database, account_id: int, amount: str, key: str) -> None:
    with db.unit_of_work() as session:
        account = session.get(CalledPartyAccount, account_id)
        assert account is not None and account.ledger_account_id is not None
        ledgers.transfer(session, debit=ledgers.house_account(session, "payment_clearing").id,
                         credit=account.ledger_account_id, amount=Money(Decimal(amount), "USD"),
                         idempotency_key=key, purpose="deposit")


def _authorize(call_id: str, person: str, to: str) -> Callable[[Api], Any]:
    body = {"call_id": call_id, "facility": PRISON, "person": person, "to": to, "requested_at": NOON_ISH}

    def request(client: Api) -> Any:
        r = client.post("/v1/calls", body)
        return (r.status_code, r.json)

    return request


def test_two_calls_at_once_on_a_balance_for_one_minute_authorize_exactly_one(
    app: Flask, calls: Calls, db: Database
) -> None:
    sister = calls.person_at(PRISON, "B-RACE")
    for round_ in range(ROUNDS):
        mother, father = fresh_number(), fresh_number()
        calls.approve(mother)
        calls.approve(father, person=sister)
        account = calls.open_account("prepaid", mother, father, line_type="mobile")
        _fund(db, account["id"], "0.01", f"race:{round_}")  # one minute at 0.009

        results = race(app, _authorize(f"r{round_}-a", PERSON, mother),
                       _authorize(f"r{round_}-b", sister, father))

        assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
        codes = sorted(r[1]["code"] for r in results)
        assert codes == ["AUTHORIZED", "INSUFFICIENT_FUNDS"], (round_, results)
        winner = next(r[1] for r in results if r[1]["authorized"])
        assert winner["max_duration_seconds"] == 60
        after = calls.account(mother)
        assert (after["on_hold"], after["available_balance"]) == ("0.01", "0.00"), round_
    calls.assert_ledger_clean()


def test_the_same_call_sent_twice_at_once_is_decided_once(app: Flask, calls: Calls) -> None:
    for round_ in range(5):
        same = _authorize(f"dup-{round_}", PERSON, MOTHER)
        results = race(app, same, same)
        assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
        assert results[0][1] == results[1][1]
        assert results[0][1]["authorized"] is True
        assert calls.account(MOTHER)["on_hold"] == f"{Decimal('0.27') * (round_ + 1):.2f}", round_
    calls.assert_ledger_clean()


def test_the_same_call_sent_twice_at_once_on_a_one_minute_balance_is_authorized_once(
    app: Flask, calls: Calls, db: Database
) -> None:
    """The retry finds the first request's hold (or row) and answers with its decision, rather than
    deciding again on the balance the first request just held."""
    for round_ in range(5):
        number, account = calls.approved_prepaid("0.00")
        _fund(db, account["id"], "0.01", f"dup-tight:{round_}")
        same = _authorize(f"dup-tight-{round_}", PERSON, number)
        results = race(app, same, same)
        assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
        assert results[0][1] == results[1][1], results
        assert (results[0][1]["code"], results[0][1]["max_duration_seconds"]) == ("AUTHORIZED", 60)
        assert calls.account(number)["on_hold"] == "0.01"
    calls.assert_ledger_clean()


def test_calls_racing_a_completion_on_one_account_never_overspend(app: Flask, calls: Calls, db: Database) -> None:
    number, _ = calls.approved_prepaid("0.30")
    first = calls.authorize(number)["call_id"]  # holds 0.27, 0.03 left
    calls.accept(first, "2026-11-25T15:00:00Z")

    def complete(client: Api) -> Any:
        r = client.post(f"/v1/calls/{first}/complete", {"ended_at": "2026-11-25T15:10:00Z", "end_reason": "hangup"})
        return (r.status_code, r.json)

    results = race(app, complete, _authorize("late-1", PERSON, number), _authorize("late-2", PERSON, number))
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    assert results[0][1]["charge"] == "0.09"
    final = calls.account(number)
    held = Decimal(final["on_hold"])
    assert Decimal(final["available_balance"]) >= 0
    assert Decimal(final["available_balance"]) + held == Decimal("0.21")
    calls.assert_ledger_clean()


def test_two_calls_at_once_share_a_balance_the_second_gets_what_the_first_left(
    app: Flask, calls: Calls, db: Database
) -> None:
    """0.30 buys one 30-minute call (0.27) and then 3 minutes (0.03): whichever call wins the
    account's lock, the other is offered exactly what is left — not refused on a stale balance."""
    sister = calls.person_at(PRISON, "B-SHARE")
    for round_ in range(5):
        mother, father = fresh_number(), fresh_number()
        calls.approve(mother)
        calls.approve(father, person=sister)
        account = calls.open_account("prepaid", mother, father, line_type="mobile")
        _fund(db, account["id"], "0.30", f"share:{round_}")
        results = race(app, _authorize(f"s{round_}-a", PERSON, mother), _authorize(f"s{round_}-b", sister, father))
        assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
        assert sorted(r[1]["max_duration_seconds"] for r in results) == [180, 1800], (round_, results)
        assert calls.account(mother)["available_balance"] == "0.00"
    calls.assert_ledger_clean()


def test_numbers_added_at_once_never_push_an_approved_list_past_its_bound(app: Flask, calls: Calls) -> None:
    listed = len(calls.staff.get(f"/v1/persons/{PERSON}").json["approved_numbers"])
    for _ in range(29 - listed):
        calls.approve(fresh_number())

    def add(number: str) -> Callable[[Api], Any]:
        return lambda client: client.as_("staff").post(f"/v1/persons/{PERSON}/numbers", {"number": number}).status_code

    for round_ in range(8):  # each round: the 30th place, wanted by six letters at once
        added = [fresh_number() for _ in range(6)]
        results = race(app, *(add(n) for n in added))
        assert sorted(results) == [201, 409, 409, 409, 409, 409], (round_, results)
        numbers = [n["number"] for n in calls.staff.get(f"/v1/persons/{PERSON}").json["approved_numbers"]]
        assert len(numbers) == 30, round_
        for number in set(added) & set(numbers):
            calls.staff.delete(f"/v1/persons/{PERSON}/numbers/{number}")
