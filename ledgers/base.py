"""The one SQLAlchemy ``MetaData`` shared by every model in the project.

It lives in the lowest package that has models, so that ``billing`` and ``invoices`` models can
point foreign keys at ledger accounts and Alembic sees one schema. The naming convention gives
every constraint a stable name, which migrations and ``alembic check`` rely on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The server's clock, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime.

    SQLite has no time zones; PostgreSQL's ``timestamp without time zone`` is the same on both,
    so comparisons behave identically. Naive datetimes are refused: they are a bug waiting to
    happen in a system whose call platforms sit in several time zones.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - SQLite returns str only for raw SQL
            value = dt.datetime.fromisoformat(value)
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every model; carries the shared metadata."""

    metadata = metadata


M = TypeVar("M", bound=Base)


def loaded_detached(model: type[M], values: Mapping[str, Any]) -> M:
    """A row the caller's own statement read (every column, by key) as a detached, loaded ``model``.

    No query and no session bookkeeping; adding it to a session later makes it persistent there
    without an INSERT.
    """
    instance: M = manager_of_class(model).new_instance()
    instance.__dict__.update(values)  # loaded state, as a query would set it
    make_transient_to_detached(instance)
    return instance


#: A 64-bit surrogate key that is still SQLite's auto-incrementing ``INTEGER PRIMARY KEY``.
BigIntKey = BigInteger().with_variant(Integer, "sqlite")
