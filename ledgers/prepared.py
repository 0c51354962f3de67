"""Statements written once with SQLAlchemy Core and run on the driver's own cursor where it pays.

The live-call path runs a handful of fixed statements per request. Through SQLAlchemy each costs
a cache-key computation, an execution context, result wrapping and type processing — most of the
client's CPU on a small machine. ``Prepared`` compiles its statement once per dialect and, on
PostgreSQL with psycopg, runs the SQL text on the psycopg cursor of the session's own connection
(so inside the same transaction), as a server-side prepared statement. The dialect's own type
conversions are applied to the parameters and result columns that need one (the UTC timestamps;
psycopg's Decimal needs none), so both paths return the same values. Any other driver goes through SQLAlchemy
Core unchanged; the test suite runs on both.

Driver errors are re-raised as SQLAlchemy's wrappers, so callers see one kind of exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

__all__ = ["Prepared", "fast_path"]

Row = Sequence[Any]
_CURSOR = "ledgers.prepared.cursor"
_TUPLES_OK = 2  # libpq's PGRES_TUPLES_OK: the statement returned rows


def fast_path(connection: Connection) -> bool:
    """Whether ``connection`` can run prepared statements on its driver's cursor."""
    return _psycopg(connection.dialect)


def _psycopg(dialect: Dialect) -> bool:
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


class _Compiled:
    """A statement's SQL for one dialect, with the conversions SQLAlchemy would make around it.

    The conversions are the dialect's own (``dialect_impl``): psycopg takes and returns ``Decimal``
    natively, so a ``Numeric`` needs none, while a ``UTCDateTime`` converts both ways. Result
    conversions depend on the column's type code, so they are worked out at the first execution.
    """

    __slots__ = ("binds", "columns", "defaults", "results", "sql")

    def __init__(self, compiled: Compiled, dialect: Dialect, columns: Sequence[Any]) -> None:
        self.sql = str(compiled)
        if "POSTCOMPILE" in self.sql:
            raise ValueError("a prepared statement can't have expanding parameters (IN lists, LIMIT)")
        binds: list[tuple[str, Callable[[Any], Any]]] = []
        #: The statement's own literals (``state = 'authorized'``), which become parameters too.
        self.defaults = {name: bind.effective_value for name, bind in compiled.binds.items()  # type: ignore[attr-defined]
                         if not bind.required}
        for name, bind in compiled.binds.items():  # type: ignore[attr-defined]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds.append((name, processor))
        self.binds = tuple(binds)
        self.columns = tuple(columns)
        self.results: tuple[tuple[int, Callable[[Any], Any]], ...] | None = None

    def result_processors(self, dialect: Dialect, description: Sequence[Any]) -> tuple[
            tuple[int, Callable[[Any], Any]], ...]:
        results: list[tuple[int, Callable[[Any], Any]]] = []
        for index, (column, described) in enumerate(zip(self.columns, description, strict=True)):
            processor = column.type.dialect_impl(dialect).result_processor(dialect, described.type_code)
            if processor is not None:
                results.append((index, processor))
        return tuple(results)


class Prepared:
    """One Core statement, compiled on first use, run through ``run``/``first``/``scalar``.

    ``column_keys`` names the parameters of an INSERT (its VALUES list); other statements take
    theirs from their ``bindparam``s.
    """

    __slots__ = ("_by_dialect", "column_keys", "statement")

    def __init__(self, statement: Executable, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)  # type: ignore[attr-defined]
            columns = list(getattr(self.statement, "exported_columns", ()))
            found = self._by_dialect[dialect.name] = _Compiled(compiled, dialect, columns)
        return found

    def run(self, session: Session, params: Mapping[str, Any]) -> list[Row]:
        """Every row the statement returns (an empty list for DML without RETURNING).

        Pending ORM changes are flushed first, as ``Session.execute`` would (when autoflush is on).
        """
        if session.autoflush:
            session.flush()
        connection = session.connection()
        if not fast_path(connection):
            result = connection.execute(self.statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        return self._run_psycopg(connection.dialect, _cursor(connection), params)

    def run_alone(self, session: Session, params: Mapping[str, Any]) -> list[Row]:
        """``run`` a statement that is a whole transaction by itself, committed at once.

        On the fast path, if ``session`` has not begun a transaction, the statement runs in
        autocommit on a connection of the same pool: one round trip instead of three (BEGIN, the
        statement, COMMIT). Otherwise it joins the session's transaction like ``run``. Use it only
        for a single atomic statement whose effect may stand whatever the request does next.
        """
        if session.autoflush:
            session.flush()  # (pending changes begin the session's transaction, and join it)
        engine = session.get_bind()
        if session.in_transaction() or not _psycopg(engine.dialect):
            return self.run(session, params)
        raw = engine.raw_connection()  # type: ignore[union-attr]
        driver: Any = raw.driver_connection
        try:
            driver.autocommit = True
            with driver.cursor() as cursor:
                return self._run_psycopg(engine.dialect, cursor, params)
        finally:
            _give_back(raw, driver)

    def _run_psycopg(self, dialect: Dialect, cursor: Any, params: Mapping[str, Any]) -> list[Row]:
        compiled = self._compiled(dialect)
        if compiled.defaults:
            params = {**compiled.defaults, **params}
        if compiled.binds:
            params = dict(params)
            for name, process in compiled.binds:
                if name in params:
                    params[name] = process(params[name])
        try:
            cursor.execute(compiled.sql, params, prepare=True)
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                compiled.sql, params, exc, dialect.loaded_dbapi.Error, dialect=dialect
            ) from exc
        result = cursor.pgresult  # (``description`` would build an object per column)
        if result is None or result.status != _TUPLES_OK:
            return []
        if compiled.results is None:  # the first execution: the columns' type codes are known now
            compiled.results = compiled.result_processors(dialect, cursor.description)
        rows: list[Row] = cursor.fetchall()
        if compiled.results and rows:
            converted: list[Row] = []
            for row in rows:
                values = list(row)
                for index, process in compiled.results:
                    values[index] = process(values[index])
                converted.append(values)
            return converted
        return rows

    def first(self, session: Session, params: Mapping[str, Any]) -> Row | None:
        rows = self.run(session, params)
        return rows[0] if rows else None

    def scalar(self, session: Session, params: Mapping[str, Any]) -> Any:
        rows = self.run(session, params)
        return rows[0][0] if rows else None


def _give_back(raw: Any, driver: Any) -> None:
    """Return a connection borrowed in autocommit to the pool as it was, or discard it."""
    try:
        if driver.broken or driver.closed:  # the server went away
            raise ConnectionError
        driver.autocommit = False
    except Exception:
        raw.invalidate()  # never pool a connection that can't be put back as it was
        return
    raw.close()


def _cursor(connection: Connection) -> Any:
    """One psycopg cursor per database connection, kept with the connection for its lifetime."""
    info = connection.info
    cursor = info.get(_CURSOR)
    if cursor is None or cursor.closed:
        cursor = info[_CURSOR] = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    return cursor
