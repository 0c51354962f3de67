"""The journal writer's SQL: the customer-account lock, and the write of a journal row.

Each statement is written once with SQLAlchemy Core and run as a ``ledgers.prepared.Prepared``
(on PostgreSQL with psycopg: compiled once, a server-side prepared statement on the session's own
connection; elsewhere through Core). SQLAlchemy's per-execution work was most of a transfer's
client CPU; skipping it is what lets several clients share a small machine with PostgreSQL.

``write`` is the ``INSERT … ON CONFLICT DO NOTHING RETURNING`` of a journal row and the moves of
the cached balances it changes. On PostgreSQL it is one statement — the moves are a data-modifying
CTE whose UPDATE runs only if the row was inserted — so a transfer costs one round trip; elsewhere
the insert, then each move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, Table, bindparam, column, exists, select, update, values
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledgers import prepared
from ledgers.balances import Sums
from ledgers.models import BALANCE_COLUMNS, LedgerAccount, Transfer
from ledgers.prepared import Prepared

__all__ = ["INSERT_COLUMNS", "lock", "write"]

_accounts: Table = LedgerAccount.metadata.tables["ledger_accounts"]
_transfers: Table = Transfer.metadata.tables["ledger_transfers"]
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


_LOCKS = {1: Prepared(_LOCK_ONE), 2: Prepared(_LOCK_TWO)}
_INSERT = {name: Prepared(statement, column_keys=INSERT_COLUMNS) for name, statement in _INSERTS.items()}
_MOVE_ONE = Prepared(_MOVE)
_MOVE_KEYS = ("account_id", "d_posted", "c_posted", "d_pending", "c_pending")
_SLOTS = ("m1", "m2")
#: The second slot of a one-account move: matches no row.
_NO_MOVE: dict[str, int | None] = {"account_id": None, "d_posted": 0, "c_posted": 0, "d_pending": 0, "c_pending": 0}


def _insert_and_move() -> Prepared:
    inserted = (
        postgresql.insert(_transfers)
        .values({name: bindparam(name, type_=_transfers.c[name].type) for name in INSERT_COLUMNS})
        .on_conflict_do_nothing().returning(*_transfers.c).cte("inserted")
    )
    moves = values(*(column(key, BigInteger) for key in _MOVE_KEYS), name="m").data(
        [tuple(bindparam(f"{slot}_{key}", type_=BigInteger) for key in _MOVE_KEYS) for slot in _SLOTS])
    moved = (
        update(_accounts)
        .where(_accounts.c.id == moves.c.account_id, exists(select(inserted.c.id)))  # only if inserted
        .values(debits_posted=_accounts.c.debits_posted + moves.c.d_posted,
                credits_posted=_accounts.c.credits_posted + moves.c.c_posted,
                debits_pending=_accounts.c.debits_pending + moves.c.d_pending,
                credits_pending=_accounts.c.credits_pending + moves.c.c_pending)
        .cte("moved")
    )
    return Prepared(select(inserted).add_cte(moved))


_INSERT_AND_MOVE = _insert_and_move()


def lock(session: Session, ids: Sequence[int]) -> dict[int, Sums]:
    """Lock the customer accounts ``ids`` (one or two, in id order); their cached balances."""
    params = {"a": ids[0]} if len(ids) == 1 else {"a": ids[0], "b": ids[1]}
    return {row[0]: Sums(*row[1:]) for row in _LOCKS[len(ids)].run(session, params)}


def write(session: Session, params: dict[str, Any], moves: Sequence[dict[str, int]]) -> dict[str, Any] | None:
    """Insert the row; if it was inserted, apply ``moves`` (at most two). The row, or None."""
    connection = session.connection()
    if moves and prepared.fast_path(connection):
        merged: dict[str, Any] = dict(params)
        padded: list[Mapping[str, int | None]] = [*moves, _NO_MOVE]
        for slot, move in zip(_SLOTS, padded, strict=False):
            for key, value in move.items():
                merged[f"{slot}_{key}"] = value
        row = _INSERT_AND_MOVE.first(session, merged)
        return None if row is None else dict(zip(_RETURNED, row, strict=True))
    row = _INSERT[connection.dialect.name].first(session, params)
    if row is None:
        return None
    for move in moves:
        _MOVE_ONE.run(session, move)
    return dict(zip(_RETURNED, row, strict=True))
