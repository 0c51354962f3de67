"""The scheduler process: ``flask --app wsgi scheduler``.

Runs the service's periodic jobs in ONE process (never inside the web workers): hold expiry for
abandoned calls every minute, the payments janitor every 5 minutes, prepaid balances unused for
180 days refunded daily (47 CFR 64.6130), last month's statements early on the 1st (repeated
each morning of the first week, to catch up after a missed run), and dunning daily. On
PostgreSQL a session-level advisory lock makes a second scheduler wait instead of running the
jobs twice; the jobs are idempotent anyway, so a crash and restart repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from sqlalchemy import text

from billing.calls.services import expire_abandoned
from billing.config import Settings
from billing.db import Database
from billing.payments import inactive, janitor
from billing.statements import dunning
from billing.statements import services as statements

log = logging.getLogger(__name__)

#: Arbitrary 64-bit key of the scheduler's advisory lock.
ADVISORY_LOCK_KEY = 727_001


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: Callable[[Database, Settings], object]
    trigger: str
    trigger_args: dict[str, object]


def _expire_calls(db: Database, settings: Settings) -> object:
    with db.unit_of_work() as session:
        return expire_abandoned(session, margin_seconds=settings.hold_margin_seconds)


def _statements(db: Database, settings: Settings) -> object:
    """Last month's statements (idempotent: after a crash or a missed run, it issues what is missing)."""
    return statements.run_period(db, settings, statements.previous_period(settings)).summary()


JOBS: list[Job] = [
    Job("expire-abandoned-calls", _expire_calls, "interval", {"seconds": 60}),
    Job("payments-janitor", janitor.scheduled, "interval", {"minutes": 5}),
    # Prepaid balances unused for 180 days go back to their owners (47 CFR 64.6130).
    Job("refund-inactive-balances", inactive.scheduled, "cron", {"hour": 4, "minute": 30}),
    # Early on the 1st, and again each morning of the first week: a run that crashed finishes;
    # a complete run finds nothing to do. (A month missed altogether is stated by the next run.)
    Job("monthly-statements", _statements, "cron", {"day": "1-7", "hour": 3, "minute": 15}),
    # A direct-bill statement unpaid after its due date suspends its account until paid.
    Job("dunning", dunning.scheduled, "cron", {"hour": 5, "minute": 0}),
]


def build_scheduler(db: Database, settings: Settings) -> BlockingScheduler:
    scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
                                  timezone=settings.statement_timezone)
    for job in JOBS:
        scheduler.add_job(job.run, job.trigger, args=(db, settings), id=job.name, name=job.name,
                          replace_existing=True, **job.trigger_args)
    return scheduler


def register(app: Flask) -> None:
    @app.cli.command("scheduler")
    @click.option("--once", is_flag=True, help="Run every job once now and exit (for cron or a check).")
    def scheduler_command(once: bool) -> None:
        """Run the periodic jobs (one scheduler per deployment)."""
        db = cast(Database, current_app.extensions["billing.db"])
        settings = cast(Settings, current_app.extensions["billing.settings"])
        if once:
            for job in JOBS:
                click.echo(f"{job.name}: {job.run(db, settings)}")
            return
        with db.engine.connect() as lock_conn:
            if not db.is_sqlite:
                click.echo("waiting for the scheduler lock (another scheduler may be running)…")
                lock_conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
                lock_conn.commit()
            click.echo(f"scheduler running: {', '.join(j.name for j in JOBS)}")
            build_scheduler(db, settings).start()
