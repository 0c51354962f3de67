"""Statement-run benchmark: a month's statements for many accounts on PostgreSQL.

    .venv/bin/python bench/statements.py [--accounts 500] [--charges 20] [--runners 1,2]

Creates a fresh ``bench_statements`` database with the demo data plus ``--accounts`` direct-bill
accounts, each charged ``--charges`` times and paid once in October 2026 and again in November,
then issues October's statements (every account's first: the balance before is summed from the
journal) and November's (the usual month: it opens with October's closing balance), with 1 runner
and again (after deleting them) with several runners in parallel processes. The baseline,
measured in the same run, is the least any statement run must do: read each account's month of
journal rows, one query per account, in one process. Prints statements/s, lines/s and the ratio
to the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import time
from decimal import Decimal

from common import fresh_postgres, migrate_and_load_demo
from moneyed import Money

PERIODS = ("2026-10", "2026-11")
NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def _app(url: str):  # type: ignore[no-untyped-def]
    from billing import create_app
    from billing.config import Settings

    return create_app(Settings(database_url=url, secret_key="bench", demo=True))


def set_up(url: str, accounts: int, charges: int) -> None:
    import ledgers
    import ledgers.journal
    from billing.accounts import services

    clock = {"at": dt.datetime(2026, 10, 3, 12, tzinfo=dt.UTC)}
    ledgers.journal.utcnow = lambda: clock["at"]  # type: ignore[assignment]  # rows dated in October
    app = _app(url)
    db = app.extensions["billing.db"]
    settings = app.extensions["billing.settings"]
    for i in range(accounts):
        with db.unit_of_work() as session:
            account = services.open_account(
                session, plan="direct_bill", provider=settings.provider_code, our_provider=settings.provider_code,
                holder_name=f"Bench {i}", numbers=[services.NumberSpec(f"+1217300{i:04d}", "landline")],
                credit_limit=Decimal("1000"), default_credit_limit=Decimal("30"))
            revenue = ledgers.house_account(session, "call_revenue").id
            clearing = ledgers.house_account(session, "payment_clearing").id
            for month in (10, 11):
                for j in range(charges):
                    clock["at"] = dt.datetime(2026, month, 3 + j % 25, 12, tzinfo=dt.UTC)
                    ledgers.transfer(session, debit=account.ledger_account_id, credit=revenue,
                                     amount=Money(Decimal("0.27"), "USD"), idempotency_key=f"bench:{i}:{month}:{j}",
                                     purpose="call_charge")
                ledgers.transfer(session, debit=clearing, credit=account.ledger_account_id,
                                 amount=Money(Decimal("1.00"), "USD"), idempotency_key=f"bench:{i}:{month}:pay",
                                 purpose="balance_payment")
    db.dispose()


def baseline(url: str) -> float:
    """Seconds to read every account's October journal rows, one query per account."""
    from sqlalchemy import or_, select

    from billing.statements.services import candidates_of
    from invoices import Period, zone
    from ledgers.models import Transfer

    app = _app(url)
    db = app.extensions["billing.db"]
    start_at, end_at = Period.parse(PERIODS[0]).bounds(zone("America/Chicago"))
    t = Transfer.__table__.c
    started = time.perf_counter()
    accounts = candidates_of(db)
    with db.sessions() as session:
        for account in accounts:
            session.execute(select(t.id, t.amount, t.debit_account_id, t.purpose, t.created_at).where(
                or_(t.debit_account_id == account.ledger_account_id, t.credit_account_id == account.ledger_account_id),
                t.created_at >= start_at, t.created_at < end_at).order_by(t.created_at)).all()
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def _runner(url: str, period: str, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:  # type: ignore[type-arg]
    from billing.statements.services import run_period
    from invoices import Period

    app = _app(url)
    db = app.extensions["billing.db"]
    barrier.wait()
    report = run_period(db, app.extensions["billing.settings"], Period.parse(period), now=NOW)
    out.put((len(report.issued), len(report.errors), len(report.busy)))
    db.dispose()


def statement_run(url: str, period: str, runners: int) -> tuple[float, int, int, int]:
    """(seconds, statements issued, lines, errors) for one run of ``runners`` processes."""
    from sqlalchemy import func, select

    from invoices import Period, Statement, StatementLine

    barrier = mp.Barrier(runners + 1)
    out: mp.Queue[tuple[int, int, int]] = mp.Queue()
    procs = [mp.Process(target=_runner, args=(url, period, barrier, out)) for _ in range(runners)]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    results = [out.get() for _ in procs]
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    app = _app(url)
    db = app.extensions["billing.db"]
    with db.sessions() as session:
        lines = session.scalar(select(func.count()).select_from(StatementLine).join(Statement).where(
            Statement.period_start == Period.parse(period).first_day))
    db.dispose()
    return elapsed, sum(r[0] for r in results), int(lines or 0), sum(r[1] for r in results)


def forget_statements(url: str) -> None:
    from sqlalchemy import text

    app = _app(url)
    db = app.extensions["billing.db"]
    with db.unit_of_work() as session:
        session.execute(text("DELETE FROM statement_lines"))
        session.execute(text("DELETE FROM statements"))
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--charges", type=int, default=20)
    parser.add_argument("--runners", default="1,2")
    args = parser.parse_args()
    url = fresh_postgres("bench_statements")
    migrate_and_load_demo(url)
    started = time.perf_counter()
    set_up(url, args.accounts, args.charges)
    print(f"set up {args.accounts} accounts × 2 months × {args.charges + 1} journal rows "
          f"in {time.perf_counter() - started:.1f} s")
    base = baseline(url)
    print(f"\nbaseline: read each account's month of journal rows: {base:.2f} s "
          f"({args.accounts / base:,.0f} accounts/s)")
    print(f"\n{'period':>7} {'runners':>7} {'seconds':>8} {'statements':>11} {'statements/s':>13} {'lines/s':>9} "
          f"{'vs baseline':>12} {'errors':>7}")
    for runners in (int(r) for r in args.runners.split(",")):
        for period in PERIODS:
            seconds, issued, lines, errors = statement_run(url, period, runners)
            print(f"{period:>7} {runners:>7} {seconds:>8.2f} {issued:>11,} {issued / seconds:>13,.0f} "
                  f"{lines / seconds:>9,.0f} {base / seconds:>12.2f} {errors:>7}")
        forget_statements(url)


if __name__ == "__main__":
    main()
