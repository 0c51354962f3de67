"""Alembic environment: the schema is ``billing.models.metadata``; the URL is DATABASE_URL.

``billing.cli`` passes an open connection in ``config.attributes["connection"]`` so migrations run
on the app's own engine; plain ``alembic`` commands build one from the environment.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from billing.config import Settings
from billing.db import make_engine
from billing.models import metadata
from ledgers.base import UTCDateTime

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(type_: str, obj: Any, _autogen_context: Any) -> str | bool:
    # Migrations stay free of project imports: a UTC timestamp is a plain DateTime column.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=_render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env(demo=True).database_url
    engine = make_engine(url, pool=False)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
