"""Prepared statements give what SQLAlchemy gives, on either path, and ``run_alone`` commits alone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, literal_column, select, text, update
from sqlalchemy.orm import Session

import ledgers
from billing.db import Database
from ledgers.journal import transfer_from_row
from ledgers.models import LedgerAccount, Transfer
from ledgers.prepared import Prepared, fast_path
from tests.ledgers.helpers import Chart, usd

_transfers = Transfer.metadata.tables["ledger_transfers"]
_accounts = LedgerAccount.metadata.tables["ledger_accounts"]

_HOLDS_OF = Prepared(  # a literal ('pending') and a UTC timestamp on both sides of the statement
    select(_transfers.c.id, _transfers.c.timeout_at, _transfers.c.amount)
    .where(_transfers.c.kind == "pending", _transfers.c.debit_account_id == bindparam("account"),
           _transfers.c.timeout_at > bindparam("after", type_=_transfers.c.timeout_at.type))
    .order_by(_transfers.c.id)
)


def test_rows_match_what_sqlalchemy_reads_timestamps_included(session: Session, chart: Chart) -> None:
    ledgers.transfer(session, debit=chart.clearing, credit=chart.family, amount=usd("50.00"),
                     idempotency_key="fund", purpose="deposit")
    ledgers.hold(session, debit=chart.family, credit=chart.revenue, amount=usd("3.00"), idempotency_key="h1",
                 purpose="call_charge", timeout=dt.timedelta(minutes=40))
    ledgers.hold(session, debit=chart.family, credit=chart.revenue, amount=usd("4.00"), idempotency_key="h2",
                 purpose="call_charge", timeout=dt.timedelta(minutes=10))
    session.commit()

    in_half_an_hour = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    rows = _HOLDS_OF.run(session, {"account": chart.family, "after": in_half_an_hour})
    expected = session.execute(_HOLDS_OF.statement, {"account": chart.family, "after": in_half_an_hour}).all()

    assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
    assert len(rows) == 1 and rows[0][2] == 300  # only the 40-minute hold lapses after half an hour
    assert rows[0][1].tzinfo == dt.UTC  # read back aware, as the model's type reads it
    assert _HOLDS_OF.first(session, {"account": chart.family, "after": in_half_an_hour + dt.timedelta(hours=1)}) \
        is None


def test_a_row_read_by_the_caller_is_a_transfer_the_ledger_takes_without_reading_it(
    session: Session, chart: Chart
) -> None:
    ledgers.transfer(session, debit=chart.clearing, credit=chart.family, amount=usd("50.00"),
                     idempotency_key="fund", purpose="deposit")
    held = ledgers.hold(session, debit=chart.family, credit=chart.revenue, amount=usd("5.00"),
                        idempotency_key="h", purpose="call_charge")
    session.commit()
    row = session.execute(select(_transfers).where(_transfers.c.id == held.id)).one()
    copy = transfer_from_row(dict(row._mapping))

    assert ledgers.get_transfer(session, copy) is copy
    ledgers.post(session, copy, amount=usd("2.00"), idempotency_key="p")
    session.commit()
    assert ledgers.balance(session, chart.family).available == usd("48.00")


_RENAME_FREE = Prepared(  # an UPDATE … RETURNING of a row nothing else touches
    update(_accounts).where(_accounts.c.id == bindparam("b_id"))
    .values(debits_posted=_accounts.c.debits_posted).returning(_accounts.c.id)
)


def test_run_alone_joins_a_begun_transaction(ledger_db: Database, chart: Chart) -> None:
    with ledger_db.sessions() as session:
        ledgers.balance(session, chart.family)  # the session's transaction has begun
        assert session.in_transaction()
        assert _RENAME_FREE.run_alone(session, {"b_id": chart.family})[0][0] == chart.family
        assert session.in_transaction()
        session.rollback()


def test_run_alone_on_postgresql_commits_by_itself(ledger_db: Database, chart: Chart) -> None:
    """One atomic statement in autocommit: others see it at once, and it stands if the request rolls back."""
    with ledger_db.engine.connect() as probe:
        if not fast_path(probe):
            pytest.skip("needs PostgreSQL with psycopg (elsewhere run_alone is run)")
    touch = Prepared(  # writes a new version of the row (its xmin changes) without changing a value
        update(_accounts).where(_accounts.c.id == bindparam("b_id"))
        .values(debits_posted=_accounts.c.debits_posted).returning(literal_column("xmin::text"))
    )
    version = text("SELECT xmin::text FROM ledger_accounts WHERE id = :id")
    with ledger_db.sessions() as session:
        written = touch.run_alone(session, {"b_id": chart.family})[0][0]
        assert not session.in_transaction()  # it took no transaction of the session's
        with ledger_db.engine.connect() as other:
            assert other.execute(version, {"id": chart.family}).scalar() == written  # committed already
        session.rollback()
    with ledger_db.engine.connect() as other:
        assert other.execute(version, {"id": chart.family}).scalar() == written
        idle = other.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction'").scalar()
    assert idle == 0  # the pooled connection it used went back with no transaction open
