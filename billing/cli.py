"""Operator commands: ``flask --app wsgi <group> <command>``.

db upgrade | db check — apply / verify migrations
keys create|list|revoke — API keys (the plaintext is printed once)
demo load — the demo data (demo mode only)
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app

from billing.apikeys.services import create_key, list_keys, revoke_key
from billing.config import Settings
from billing.db import Database
from billing.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent


def _db() -> Database:
    return cast(Database, current_app.extensions["billing.db"])


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["billing.settings"])


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade_database(db: Database, revision: str = "head") -> None:
    """Apply migrations on ``db`` (creating an SQLite file's folder first)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def register(app: Flask) -> None:
    @app.cli.group("db")
    def db_group() -> None:
        """Database schema (Alembic migrations)."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply migrations up to REVISION (default: head)."""
        upgrade_database(_db(), revision)
        click.echo(f"database at {revision}")

    @db_group.command("check")
    def db_check() -> None:
        """Fail if the models and the migrations disagree (alembic check)."""
        cfg = alembic_config()
        with _db().engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.check(cfg)

    @app.cli.group("keys")
    def keys_group() -> None:
        """API keys for the call platform, staff, legal and admins."""

    @keys_group.command("create")
    @click.option("--name", required=True, help="Who or what uses the key.")
    @click.option("--role", required=True, type=click.Choice(["call_platform", "staff", "legal", "admin"]))
    def keys_create(name: str, role: str) -> None:
        """Create a key and print it (it is stored hashed and cannot be shown again)."""
        with _db().unit_of_work() as session:
            plaintext, row = create_key(session, name=name, role=role)
            key_id = row.id
        click.echo(f"key {key_id} ({role}): {plaintext}")

    @keys_group.command("list")
    def keys_list() -> None:
        """List keys (prefix, role, state); never the keys themselves."""
        with _db().unit_of_work() as session:
            for k in list_keys(session):
                state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
                click.echo(f"{k.id}\t{k.prefix}…\t{k.role}\t{k.name}\t{state}")

    @keys_group.command("revoke")
    @click.argument("key_id", type=int)
    def keys_revoke(key_id: int) -> None:
        """Revoke a key at once."""
        with _db().unit_of_work() as session:
            revoke_key(session, key_id)
        click.echo(f"key {key_id} revoked")

    @app.cli.group("demo")
    def demo_group() -> None:
        """Demo data (DEMO=1 only)."""

    @demo_group.command("load")
    def demo_load() -> None:
        """Load the demo facilities, tariffs, people, accounts and keys (idempotent)."""
        if not _settings().demo:
            raise click.ClickException("demo data is only loaded in demo mode (DEMO=1)")
        with _db().unit_of_work() as session:
            keys = load_demo(session, _settings())
        click.echo("demo data loaded; demo API keys (demo mode only):")
        for role, key in keys.items():
            click.echo(f"  {role:<14} Authorization: Bearer {key}")
