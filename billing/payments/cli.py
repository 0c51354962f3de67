"""Payment operator commands: ``flask --app wsgi payments janitor | reconcile --from D --to D``.

Wired by ``create_app`` with ``payments_cli.register(app)``.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import click
from flask import Flask, current_app

from billing.db import Database
from billing.payments import inactive, janitor, reconcile
from billing.payments.errors import PaymentsUnavailable
from billing.payments.gateway import Gateway
from billing.payments.wiring import gateway_for
from rating.money import format_amount, from_minor


def _db() -> Database:
    return cast(Database, current_app.extensions["billing.db"])


def _gateway() -> Gateway:
    try:
        return gateway_for(current_app._get_current_object())  # type: ignore[attr-defined]
    except PaymentsUnavailable as exc:
        raise click.ClickException(exc.message) from exc


def _amount(units: int | None, currency: str) -> str:
    return "-" if units is None else format_amount(from_minor(units, currency))


def register(app: Flask) -> None:
    """Add the ``payments`` command group."""

    @app.cli.group("payments")
    def payments_group() -> None:
        """Card payments with Stripe: settle payments in doubt, reconcile with Stripe."""

    @payments_group.command("janitor")
    @click.option("--min-age", default=60, show_default=True, help="Seconds before an attempt is looked at.")
    @click.option("--give-up-after", default=3600, show_default=True,
                  help="Seconds after which a payment Stripe never saw is canceled.")
    def janitor_command(min_age: int, give_up_after: int) -> None:
        """Re-read every payment and refund that is not final from Stripe and settle it (run it often)."""
        gateway = _gateway()
        with _db().sessions() as session:
            report = janitor.run(session, gateway, min_age=dt.timedelta(seconds=min_age),
                                 give_up_after=dt.timedelta(seconds=give_up_after))
        for line in report.lines:
            click.echo(line)
        click.echo(f"janitor: {len(report.lines)} item(s) looked at, {report.errors} error(s)")
        if report.errors:
            raise click.exceptions.Exit(1)

    @payments_group.command("reconcile")
    @click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC).")
    @click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), included.")
    def reconcile_command(start: dt.datetime, end: dt.datetime) -> None:
        """List Stripe's payments and refunds beside their ledger transfers; exit 1 if any is missing."""
        if end < start:
            raise click.BadParameter("--to is before --from")
        gateway = _gateway()
        with _db().sessions() as session:
            result = reconcile.reconcile(session, gateway, start.date(), end.date())
            session.rollback()
        click.echo(f"{'kind':<8}{'stripe':<32}{'amount':>12}  {'transfer':>9}{'ledger':>12}  status  note")
        for line in result.lines:
            click.echo(f"{line.kind:<8}{line.stripe_id or '-':<32}{_amount(line.stripe_amount, line.currency):>12}  "
                       f"{line.transfer_id or '-':>9}{_amount(line.ledger_amount, line.currency):>12}  "
                       f"{line.status}  {line.note}")
        problems = result.problems
        click.echo(f"reconciled {len(result.lines)} item(s) from {result.start} to {result.end}: "
                   + (f"{len(problems)} problem(s)" if problems else "all matched"))
        if problems:
            raise click.exceptions.Exit(1)

    @payments_group.command("refund-inactive")
    @click.option("--days", default=180, show_default=True, type=click.IntRange(min=180),
                  help="Days without a deposit or a charged call (never fewer than 180: 47 CFR 64.6130).")
    def refund_inactive_command(days: int) -> None:
        """Close prepaid accounts unused for DAYS that still hold money, refunding it (cards first, then check)."""
        gateway = _gateway()
        with _db().sessions() as session:
            report = inactive.refund_dormant(session, gateway, inactive_for=dt.timedelta(days=days))
        for line in report.lines:
            click.echo(line)
        click.echo(report.summary())
