"""Races on PostgreSQL: many threads, each with its own connection, against one account.

The guard must hold (never a negative prepaid balance), a key must make one transfer, and no
deadlock or serialization error may reach the caller.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

import ledgers
from billing.db import Database, make_engine
from ledgers import Transfer
from rating.money import from_minor
from tests.ledgers.helpers import Chart, deposit, usd

pytestmark = pytest.mark.postgres_only

THREADS = 50
Racer = Callable[[int, Session], Any]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions with a connection each (no pool); races run one at a time across xdist workers,
    so that 50 connections per race stay well below max_connections."""
    with (Path(tempfile.gettempdir()) / "icbilling-ledger-races.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        engine = make_engine(database_url, pool=False)
        yield sessionmaker(engine, expire_on_commit=False)
        engine.dispose()


def race(sessions: sessionmaker[Session], racer: Racer, n: int = THREADS) -> list[Any]:
    """Run ``racer(i, session)`` in ``n`` threads released at once; results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        with sessions() as s:
            s.execute(text("SELECT 1"))  # connected, in a transaction: the race is the ledger's
            barrier.wait()
            try:
                results[i] = racer(i, s)
            except Exception as exc:  # every outcome is collected and checked
                s.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return results


def outcome(result: Any) -> str:
    if isinstance(result, ledgers.LedgerError):
        return result.code
    if isinstance(result, Exception):
        return f"{type(result).__name__}: {result}"  # never expected: shows up in the assertion
    return "ok"


def check_verify(db: Database) -> None:
    with db.sessions() as s:
        report = ledgers.verify(s)
    assert report.ok, report.problems


def test_fifty_holds_race_for_ten_dollars(ledger_db: Database, chart: Chart, sessions: sessionmaker[Session]) -> None:
    deposit(ledger_db, chart, "10.00", "d")

    def place(i: int, s: Session) -> Transfer:
        t = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key=f"call:{i}", purpose="call_charge")
        s.commit()
        return t

    results = race(sessions, place)
    assert Counter(map(outcome, results)) == {"ok": 10, "INSUFFICIENT_FUNDS": 40}
    with ledger_db.sessions() as s:
        b = ledgers.balance(s, chart.family)
        assert (b.available, b.debits_pending) == (usd("0.00"), usd("10.00"))
        assert ledgers.balance(s, chart.revenue).credits_pending == usd("10.00")
    check_verify(ledger_db)


def test_holds_race_while_others_post_and_void(ledger_db: Database, chart: Chart,
                                               sessions: sessionmaker[Session]) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    lock = threading.Lock()
    posted, kept = [0], [0]

    def call(i: int, s: Session) -> list[str]:
        outcomes = []
        for n in range(4):  # four calls per thread: hold, then post, void or keep
            try:
                t = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                                 idempotency_key=f"call:{i}:{n}", purpose="call_charge")
                s.commit()
            except ledgers.InsufficientFunds:
                s.rollback()
                outcomes.append("INSUFFICIENT_FUNDS")
                continue
            choice = (i + n) % 3
            if choice == 0:
                cents = 25 * (1 + (i + n) % 4)
                ledgers.post(s, t, amount=from_minor(cents, "USD"), idempotency_key=f"done:{i}:{n}")
                with lock:
                    posted[0] += cents
            elif choice == 1:
                ledgers.void(s, t, idempotency_key=f"void:{i}:{n}")
            else:
                with lock:
                    kept[0] += 1
            s.commit()
            outcomes.append("ok")
        return outcomes

    results = race(sessions, call)
    flat = Counter(o for r in results for o in (r if isinstance(r, list) else [outcome(r)]))
    assert set(flat) <= {"ok", "INSUFFICIENT_FUNDS"}, flat
    assert flat["ok"] >= 10
    with ledger_db.sessions() as s:
        b = ledgers.balance(s, chart.family)
        assert b.debits_posted.amount * 100 == posted[0]
        assert b.debits_pending.amount == kept[0]
        assert b.available.amount >= 0
        assert b.available == usd("10.00") - b.debits_posted - b.debits_pending
    check_verify(ledger_db)


def test_one_key_makes_one_transfer(ledger_db: Database, chart: Chart, sessions: sessionmaker[Session]) -> None:
    deposit(ledger_db, chart, "10.00", "d")

    def place(i: int, s: Session) -> int:
        t = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key="call:same", purpose="call_charge")
        s.commit()
        return t.id

    results = race(sessions, place)
    assert len(set(results)) == 1 and isinstance(results[0], int), Counter(map(outcome, results))
    with ledger_db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 2  # the deposit and one hold
        assert ledgers.balance(s, chart.family).available == usd("9.00")
    check_verify(ledger_db)


def test_one_key_with_different_contents(ledger_db: Database, chart: Chart,
                                         sessions: sessionmaker[Session]) -> None:
    deposit(ledger_db, chart, "10.00", "d")

    def charge(i: int, s: Session) -> Transfer:
        t = ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd(f"{1 + i % 2}.00"),
                             idempotency_key="call:same", purpose="call_charge")
        s.commit()
        return t

    results = race(sessions, charge)
    winners = {r.id for r in results if isinstance(r, Transfer)}
    assert len(winners) == 1
    won = next(r for r in results if isinstance(r, Transfer))
    for i, r in enumerate(results):
        same = (1 + i % 2) * 100 == won.amount
        assert (isinstance(r, Transfer) and r.id == won.id) if same else isinstance(r, ledgers.IdempotencyConflict)
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).available.amount == 10 - won.amount // 100
    check_verify(ledger_db)


def test_transfers_both_ways_between_customers_never_deadlock(
    ledger_db: Database, chart: Chart, sessions: sessionmaker[Session]
) -> None:
    with ledger_db.unit_of_work() as s:
        other = ledgers.open_customer_account(s, code="family:2", kind="prepaid", currency="USD").id
    deposit(ledger_db, chart, "100.00", "d1")
    with ledger_db.unit_of_work() as s:
        ledgers.transfer(s, debit=chart.clearing, credit=other, amount=usd("100.00"), idempotency_key="d2",
                         purpose="deposit")

    def move(i: int, s: Session) -> None:
        a, b = (chart.family, other) if i % 2 else (other, chart.family)
        for n in range(5):
            ledgers.transfer(s, debit=a, credit=b, amount=usd("1.00"), idempotency_key=f"m:{i}:{n}",
                             purpose="transfer")
        s.commit()

    assert Counter(map(outcome, race(sessions, move))) == {"ok": THREADS}
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).available == usd("100.00")
        assert ledgers.balance(s, other).available == usd("100.00")
    check_verify(ledger_db)


@pytest.mark.parametrize("path", ["default", "core"])
def test_a_deadlock_made_by_the_caller_surfaces_as_ledger_busy(
    ledger_db: Database, chart: Chart, sessions: sessionmaker[Session], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two units of work that lock two accounts in opposite orders, one transfer at a time.

    The cycle involves locks taken before the ledger was called, so no retry inside the caller's
    transaction can break it: after its retries the ledger raises ``LedgerBusy`` (a typed error
    telling the caller to retry the whole unit of work), never a raw deadlock error. Both ways of
    running the writer's statements (psycopg's cursor, SQLAlchemy Core) are checked.
    """
    if path == "core":
        from ledgers import prepared

        monkeypatch.setattr(prepared, "fast_path", lambda connection: False)
    with ledger_db.unit_of_work() as s:
        other = ledgers.open_customer_account(s, code="family:2", kind="prepaid", currency="USD").id
    deposit(ledger_db, chart, "10.00", "d1")
    with ledger_db.unit_of_work() as s:
        ledgers.transfer(s, debit=chart.clearing, credit=other, amount=usd("10.00"), idempotency_key="d2",
                         purpose="deposit")
    halfway = threading.Barrier(2)

    def cross(i: int, s: Session) -> str:
        s.execute(text("SET deadlock_timeout = '50ms'"))
        first, second = (chart.family, other) if i == 0 else (other, chart.family)
        ledgers.transfer(s, debit=first, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key=f"a:{i}", purpose="call_charge")
        halfway.wait()
        ledgers.transfer(s, debit=second, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key=f"b:{i}", purpose="call_charge")
        s.commit()
        return "ok"

    assert sorted(map(outcome, race(sessions, cross, n=2))) == ["LEDGER_BUSY", "ok"]
    check_verify(ledger_db)
