"""Ledger commands: ``flask --app wsgi ledger verify | expire-holds | balance CODE``.

Wired by ``create_app`` with ``ledger_cli.register(app)``.
"""

from __future__ import annotations

from typing import cast

import click
from flask import Flask, current_app
from flask.cli import AppGroup

import ledgers
from billing.db import Database
from rating.money import format_amount

ledger_group = AppGroup("ledger", help="The double-entry journal: invariants, hold expiry, balances.")


def register(app: Flask) -> None:
    """Add the ``ledger`` command group to ``app``."""
    app.cli.add_command(ledger_group)


def _db() -> Database:
    return cast(Database, current_app.extensions["billing.db"])


@ledger_group.command("verify")
def verify_command() -> None:
    """Check every ledger invariant; exit 1 if any is broken."""
    with _db().sessions() as session:
        report = ledgers.verify(session)
        session.rollback()
    click.echo("checked:")
    for name, description in report.checks.items():
        click.echo(f"  {name}: {description}")
    click.echo("counted: " + ", ".join(f"{name} {n}" for name, n in report.counts.items()))
    if report.ok:
        click.echo("ledger OK: no problems found")
        return
    click.echo(f"ledger BROKEN: {len(report.problems)} problem(s)", err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    raise click.exceptions.Exit(1)


@ledger_group.command("expire-holds")
@click.option("--limit", default=1000, show_default=True, help="Holds to expire at most.")
def expire_holds_command(limit: int) -> None:
    """Release holds whose timeout has passed (run it every minute or so)."""
    with _db().unit_of_work() as session:
        count = len(ledgers.expire_holds(session, limit=limit))
    click.echo(f"expired {count} hold(s)")


@ledger_group.command("balance")
@click.argument("code")
def balance_command(code: str) -> None:
    """Show the balance of the account CODE (e.g. house:call_revenue:USD)."""
    with _db().sessions() as session:
        try:
            account = ledgers.get_account(session, code)
        except ledgers.UnknownAccount as exc:
            raise click.ClickException(exc.message) from exc
        b = ledgers.balance(session, account)
        click.echo(f"{account.code} ({account.type}, {account.currency})")
        for label, value in (("posted", b.posted), ("available", b.available),
                             ("debits posted", b.debits_posted), ("credits posted", b.credits_posted),
                             ("debits pending", b.debits_pending), ("credits pending", b.credits_pending)):
            click.echo(f"  {label:<16}{format_amount(value):>16}")
        session.rollback()
