"""``flask --app wsgi calls …``: operator commands for calls."""

from __future__ import annotations

from typing import cast

import click
from flask import Flask, current_app

from billing.calls.services import expire_abandoned
from billing.db import Database


def register(app: Flask) -> None:
    @app.cli.group("calls")
    def calls_group() -> None:
        """Calls: hold expiry."""

    @calls_group.command("expire-holds")
    def expire_holds() -> None:
        """Release the holds of calls that never completed (past max duration + margin)."""
        db = cast(Database, current_app.extensions["billing.db"])
        with db.unit_of_work() as session:
            margin = current_app.extensions["billing.settings"].hold_margin_seconds
            count = expire_abandoned(session, margin_seconds=margin)
        click.echo(f"expired {count} abandoned call(s)")
