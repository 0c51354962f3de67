"""The journal writer's SQL: defined once with SQLAlchemy Core, executed two ways.

- ``CoreStatements`` runs the statements through SQLAlchemy (any dialect; SQLite uses it).
- ``PsycopgStatements`` compiles them once for PostgreSQL and runs them on the psycopg cursor
  under the session's own connection and transaction. SQLAlchemy's per-execution work (cache
  lookup, execution context, result wrapping, type processing) was most of a transfer's client
  CPU; skipping it halves that, which is what lets several clients share a small machine with
  PostgreSQL. The only conversion needed by hand is the two timestamps (stored as naive UTC).
  Driver errors are re-raised as SQLAlchemy's wrappers, so callers see one kind of exception.

Both give the same two operations: the customer-account lock (cached balances returned), and the
write — the ``INSERT … ON CONFLICT DO NOTHING RETURNING`` of a journal row and the moves of the
cached balances it changes. On PostgreSQL the write is one statement (the moves are a
data-modifying CTE that runs only if the row was inserted): one round trip per transfer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from ledgers.balances import Sums
from ledgers.models import BALANCE_COLUMNS, LedgerAccount, Transfer

__all__ = ["INSERT_COLUMNS", "Statements", "statements_for"]

_accounts: Table = LedgerAccount.metadata.tables["ledger_accounts"]
_transfers: Table = Transfer.metadata.tables["ledger_transfers"]
_TIMESTAMPS = ("timeout_at", "created_at")
#: The parameters of an insert: every column but the id.
INSERT_COLUMNS = tuple(c.name for c in _transfers.c if c.name != "id")
_RETURNED = tuple(c.name for c in _transfers.c)

_balances = (_accounts.c.id, *(_accounts.c[name] for name in BALANCE_COLUMNS))
_LOCK_ONE = select(*_balances).where(_accounts.c.id == bindparam("a")).with_for_update(key_share=True)
_LOCK_TWO = (  # ORDER BY: PostgreSQL locks the rows in the order it returns them
    select(*_balances)
    .where(_accounts.c.id.in_([bindparam("a"), bindparam("b")]))
    .order_by(_accounts.c.id)
    .with_for_update(key_share=True)
)
_MOVE = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(
        debits_posted=_accounts.c.debits_posted + bindparam("d_posted"),
        credits_posted=_accounts.c.credits_posted + bindparam("c_posted"),
        debits_pending=_accounts.c.debits_pending + bindparam("d_pending"),
        credits_pending=_accounts.c.credits_pending + bindparam("c_pending"),
    )
)
_INSERTS = {
    name: dialect_insert(_transfers).on_conflict_do_nothing().returning(*_transfers.c)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_PSYCOPG_SQL: dict[str, str] = {}  # compiled on first use; the same for every psycopg connection


class Statements(Protocol):
    def lock(self, ids: Sequence[int]) -> dict[int, Sums]: ...

    def write(self, params: dict[str, Any], moves: Sequence[dict[str, int]]) -> dict[str, Any] | None:
        """Insert the row; if it was inserted, apply ``moves`` (at most two). The row, or None."""
        ...


def statements_for(connection: Connection) -> Statements:
    """The fastest executor for ``connection``'s driver."""
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        return PsycopgStatements(connection)
    return CoreStatements(connection)


def _lock_params(ids: Sequence[int]) -> tuple[Any, dict[str, int]]:
    if len(ids) == 1:
        return _LOCK_ONE, {"a": ids[0]}
    return _LOCK_TWO, {"a": ids[0], "b": ids[1]}


class CoreStatements:
    """Through SQLAlchemy Core (the UTC timestamp type converts the timestamps)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def lock(self, ids: Sequence[int]) -> dict[int, Sums]:
        statement, params = _lock_params(ids)
        return {row[0]: Sums(*row[1:]) for row in self.connection.execute(statement, params)}

    def write(self, params: dict[str, Any], moves: Sequence[dict[str, int]]) -> dict[str, Any] | None:
        row = self.connection.execute(_INSERTS[self.connection.dialect.name], params).first()
        if row is None:
            return None
        for move in moves:
            self.connection.execute(_MOVE, move)
        return dict(row._mapping)


class PsycopgStatements:
    """The same statements, compiled once, on the psycopg cursor of the session's connection."""

    def __init__(self, connection: Connection) -> None:
        self.dialect = connection.dialect
        self.cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if not _PSYCOPG_SQL:
            _PSYCOPG_SQL.update(_compile_all(self.dialect))

    def _run(self, name: str, params: dict[str, Any] | None = None) -> None:
        sql = _PSYCOPG_SQL[name]
        try:
            self.cursor.execute(sql, params)
        except self.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                sql, params, exc, self.dialect.loaded_dbapi.Error, dialect=self.dialect
            ) from exc

    def lock(self, ids: Sequence[int]) -> dict[int, Sums]:
        self._run("lock_one" if len(ids) == 1 else "lock_two", _lock_params(ids)[1])
        return {row[0]: Sums(*row[1:]) for row in self.cursor.fetchall()}

    def write(self, params: dict[str, Any], moves: Sequence[dict[str, int]]) -> dict[str, Any] | None:
        naive = {**params, **{k: _naive_utc(params[k]) for k in _TIMESTAMPS}}
        if not moves:
            self._run("insert", naive)
        else:
            padded: list[Mapping[str, int | None]] = [*moves, _NO_MOVE]
            for slot, move in zip(("m1", "m2"), padded, strict=False):
                for key, value in move.items():
                    naive[f"{slot}_{key}"] = value
            self._run("insert_and_move", naive)
        row = self.cursor.fetchone()
        if row is None:
            return None
        values = dict(zip(_RETURNED, row, strict=True))
        for name in _TIMESTAMPS:
            if values[name] is not None:
                values[name] = values[name].replace(tzinfo=dt.UTC)
        return values



def _naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(dt.UTC).replace(tzinfo=None)


#: The second slot of a one-account move: matches no row.
_NO_MOVE: dict[str, int | None] = {"account_id": None, "d_posted": 0, "c_posted": 0, "d_pending": 0, "c_pending": 0}
_MOVE_KEYS = ("account_id", "d_posted", "c_posted", "d_pending", "c_pending")


def _compile_all(dialect: Dialect) -> dict[str, str]:
    insert = str(_INSERTS["postgresql"].compile(dialect=dialect, column_keys=list(INSERT_COLUMNS)))
    values = ", ".join(
        "(" + ", ".join(f"%({slot}_{key})s::bigint" for key in _MOVE_KEYS) + ")" for slot in ("m1", "m2"))
    # The moves run only if the row was inserted (a replayed key inserts nothing and moves nothing).
    insert_and_move = (
        f"WITH inserted AS ({insert}), moved AS ("  # noqa: S608 (constant SQL: no input in it)
        "UPDATE ledger_accounts SET "
        "debits_posted = ledger_accounts.debits_posted + m.d_posted, "
        "credits_posted = ledger_accounts.credits_posted + m.c_posted, "
        "debits_pending = ledger_accounts.debits_pending + m.d_pending, "
        "credits_pending = ledger_accounts.credits_pending + m.c_pending "
        f"FROM (VALUES {values}) AS m(id, d_posted, c_posted, d_pending, c_pending) "
        "WHERE ledger_accounts.id = m.id AND EXISTS (SELECT FROM inserted)) "
        "SELECT * FROM inserted"
    )
    return {
        "lock_one": str(_LOCK_ONE.compile(dialect=dialect)),
        "lock_two": str(_LOCK_TWO.compile(dialect=dialect)),
        "insert": insert,
        "insert_and_move": insert_and_move,
    }
