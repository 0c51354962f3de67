"""Prepared statements give what SQLAlchemy gives, on either path, and ``run_alone`` commits alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    Numeric,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

import ledgers
from billing.db import Database
from ledgers.accounts import AccountFacts
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


def test_decimals_go_in_and_come_out_exactly_as_sqlalchemy_would(ledger_db: Database) -> None:
    """psycopg takes and gives Decimal natively: nothing may pass through a float on the way."""
    table = Table("scratch_rates", MetaData(), Column("id", BigInteger().with_variant(Integer, "sqlite"),
                                                       primary_key=True),
                  Column("rate", Numeric(12, 6)), Column("wide", Numeric(30, 10)))
    table.create(ledger_db.engine)
    put = Prepared(insert(table).returning(table.c.id), column_keys=["rate", "wide"])
    get = Prepared(select(table.c.rate, table.c.wide).where(table.c.id == bindparam("id")))
    wide = Decimal("12345678901234567890.1234567891")  # more digits than a float holds
    with ledger_db.sessions() as session:
        row_id = put.scalar(session, {"rate": Decimal("0.009"), "wide": wide})
        session.commit()
        values = get.first(session, {"id": row_id})
        assert values is not None
        assert tuple(values) == tuple(session.execute(get.statement, {"id": row_id}).one())
        if ledger_db.engine.dialect.name == "postgresql":  # SQLite itself keeps only a float's digits
            assert values[1] == wide
        assert values[0] == Decimal("0.009")


def test_a_write_given_account_facts_still_expires_the_loaded_account(session: Session, chart: Chart) -> None:
    ledgers.transfer(session, debit=chart.clearing, credit=chart.family, amount=usd("50.00"),
                     idempotency_key="fund", purpose="deposit")
    session.commit()
    family = session.get(LedgerAccount, chart.family)
    assert family is not None and family.debits_pending == 0
    ledgers.hold(session, debit=AccountFacts.of(family), credit=chart.revenue, amount=usd("3.00"),
                 idempotency_key="h", purpose="call_charge")
    assert family.debits_pending == 300  # re-read, not the stale cached column


def test_pending_orm_changes_are_flushed_before_a_prepared_statement(session: Session, chart: Chart) -> None:
    count = Prepared(select(func.count()).select_from(_accounts).where(_accounts.c.code == bindparam("code")))
    session.add(LedgerAccount(code="family:new", type="liability", currency="USD", keeps_balance=True,
                              created_at=dt.datetime.now(dt.UTC)))
    assert count.scalar(session, {"code": "family:new"}) == 1  # as Session.execute would see it


def test_expanding_parameters_are_refused_on_postgresql(session: Session) -> None:
    listed = Prepared(select(_accounts.c.id).where(_accounts.c.id.in_(bindparam("ids", expanding=True))))
    if not fast_path(session.connection()):
        assert listed.run(session, {"ids": [1, 2]}) is not None  # Core expands them itself
        return
    with pytest.raises(ValueError, match="expanding"):
        listed.run(session, {"ids": [1, 2]})
