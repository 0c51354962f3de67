"""Statement commands: ``flask --app wsgi statements run [--period YYYY-MM] | show NUMBER | dunning``."""

from __future__ import annotations

import json
from typing import cast

import click
from flask import Flask, current_app

import invoices
from billing.config import Settings
from billing.db import Database
from billing.errors import NotFound
from billing.statements import dunning, services


def register(app: Flask) -> None:
    """Add the ``statements`` command group."""

    @app.cli.group("statements")
    def statements_group() -> None:
        """Monthly statements: issue a period's, show one."""

    @statements_group.command("run")
    @click.option("--period", default=None, help="YYYY-MM (default: last month in STATEMENT_TIMEZONE).")
    def run_command(period: str | None) -> None:
        """Issue the period's statement of every account that had activity or a balance (idempotent)."""
        db = cast(Database, current_app.extensions["billing.db"])
        settings = cast(Settings, current_app.extensions["billing.settings"])
        try:
            chosen = invoices.Period.parse(period) if period else services.previous_period(settings)
            report = services.run_period(db, settings, chosen)
        except (invoices.InvalidPeriod, invoices.PeriodNotOver) as exc:
            raise click.UsageError(str(exc)) from exc
        for number in report.issued:
            click.echo(f"issued {number}")
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        click.echo(report.summary())
        if report.errors:
            raise click.exceptions.Exit(1)

    @statements_group.command("show")
    @click.argument("number")
    def show_command(number: str) -> None:
        """Print a statement as JSON."""
        db = cast(Database, current_app.extensions["billing.db"])
        with db.sessions() as session:
            try:
                click.echo(json.dumps(services.statement_json(services.get_statement(session, number)), indent=2))
            except NotFound as exc:
                raise click.ClickException(exc.message) from exc

    @statements_group.command("dunning")
    def dunning_command() -> None:
        """Suspend the direct-bill accounts whose statement is past due and unpaid (each statement once)."""
        report = dunning.run(cast(Database, current_app.extensions["billing.db"]))
        for line in report.lines:
            click.echo(line)
        click.echo(report.summary())
        if report.errors:
            raise click.exceptions.Exit(1)
