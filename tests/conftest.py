"""Test fixtures: a fresh, migrated database per test, on SQLite or PostgreSQL.

``TEST_DATABASE_URL`` selects PostgreSQL (e.g. ``postgresql://postgres@127.0.0.1:5432/ci_123``);
without it the suite runs on SQLite files. Each xdist worker migrates one template database once
(``alembic upgrade head``, the real migrations); each test gets a copy of it — a file copy on
SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL (~40 ms) — so tests may commit, race and
use several connections, and still never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from billing import create_app
from billing.cli import upgrade_database
from billing.config import Settings
from billing.db import Database, normalize_url

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


class SqliteFactory:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        db = Database(f"sqlite:///{self.template}")
        upgrade_database(db)
        db.dispose()
        self.counter = itertools.count()

    def create(self) -> str:
        path = self.root / f"test_{next(self.counter)}.db"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresFactory:
    def __init__(self, base_url: str) -> None:
        base = make_url(normalize_url(base_url))
        self.base = base
        self.prefix = f"{base.database}_{_worker()}"
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self.template = f"{self.prefix}_tmpl"
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.template}"')
        db = Database(self._url(self.template))
        upgrade_database(db)
        db.dispose()
        self.counter = itertools.count()

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def _url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteFactory | PostgresFactory]:
    factory: SqliteFactory | PostgresFactory = (
        PostgresFactory(TEST_DATABASE_URL) if ON_POSTGRES else SqliteFactory(tmp_path_factory.mktemp("db"))
    )
    yield factory
    factory.close()


@pytest.fixture
def database_url(database_factory: SqliteFactory | PostgresFactory) -> Iterator[str]:
    """A fresh, migrated, empty database for this test."""
    url = database_factory.create()
    yield url
    database_factory.drop(url)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    # auth_cache_ms=0: every request re-reads its key, so tests see revocations and tariff changes
    # at once; tests of the cache itself turn it on. demo=True: the tests speak with the demo keys,
    # which only a demo-mode service honours.
    values: dict[str, Any] = {"database_url": database_url, "secret_key": "test-secret", "demo": True,
                              "auth_cache_ms": 0}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["billing.db"].dispose()


@pytest.fixture
def db(app: Flask) -> Database:
    """The app's database, for arranging and inspecting state outside requests."""
    database: Database = app.extensions["billing.db"]
    return database


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def demo(app: Flask, db: Database, settings: Settings) -> dict[str, str]:
    """The demo data (facilities, tariffs, people, accounts, one key per role) loaded."""
    from dataclasses import replace

    from billing.demo import load_demo

    with db.unit_of_work() as session:
        return load_demo(session, replace(settings, demo=True))


@pytest.fixture
def api(client: FlaskClient, demo: dict[str, str]) -> Any:
    """The JSON API as the call platform, over the demo data (``api.as_("staff")`` for others)."""
    from tests.support import Api

    return Api(client)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), driven by Playwright; never downloads a browser."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (make test does it when run as root)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()
