"""Statement runs on PostgreSQL: runners at once share the work, and a charge being written is waited for."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from moneyed import Money
from sqlalchemy import func, select

import ledgers
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from invoices import Outcome, RunReport, Statement, StatementLine
from ledgers.locks import lock_balance
from tests.billing.calls.conftest import fresh_number
from tests.billing.statements.conftest import Books

pytestmark = pytest.mark.postgres_only


def _charged_accounts(books: Books, count: int) -> list[tuple[int, int]]:
    """``count`` direct-bill accounts, each charged 1.00 in November; (account id, ledger id)."""
    made = []
    books.at("2026-11-10T18:00")
    with books.calls.db.unit_of_work() as session:
        revenue = ledgers.house_account(session, "call_revenue").id
        for i in range(count):
            account = accounts.open_account(
                session, plan="direct_bill", provider=books.settings.provider_code,
                our_provider=books.settings.provider_code, holder_name=f"Race {i}",
                numbers=[accounts.NumberSpec(fresh_number("217"), "landline")], credit_limit=Decimal("30"),
                default_credit_limit=Decimal("30"))
            assert account.ledger_account_id is not None
            ledgers.transfer(session, debit=account.ledger_account_id, credit=revenue, amount=Money("1.00", "USD"),
                             idempotency_key=f"race:{account.id}", purpose="call_charge")
            made.append((account.id, account.ledger_account_id))
    return made


def test_two_runners_at_once_leave_exactly_one_statement_per_account(books: Books) -> None:
    ours = _charged_accounts(books, 12)
    barrier = threading.Barrier(2)
    reports: list[RunReport] = []

    def runner() -> None:
        barrier.wait(timeout=30)
        reports.append(books.state("2026-11"))

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert len(reports) == 2 and all(r.errors == [] for r in reports)
    issued = [n for r in reports for n in r.issued]
    assert len(issued) == len(set(issued))
    with books.calls.db.sessions() as session:
        for account_id, _ in ours:
            assert session.scalar(select(func.count()).select_from(Statement)
                                  .where(Statement.account_id == account_id)) == 1
    assert sum(r.counts[Outcome.ISSUED] for r in reports) >= len(ours)


def test_a_charge_being_written_when_the_month_is_stated_is_waited_for_and_shown(books: Books) -> None:
    [(account_id, ledger_id)] = _charged_accounts(books, 1)
    books.at("2026-11-30T20:00")
    db = books.calls.db
    writer = db.sessions()
    session = writer.__enter__()
    try:
        revenue = ledgers.house_account(session, "call_revenue").id
        late = ledgers.transfer(session, debit=ledger_id, credit=revenue, amount=Money("0.27", "USD"),
                                idempotency_key="race:late", purpose="call_charge").id
        # The charge is written but not committed: its transaction holds the account's ledger row.
        done = threading.Event()
        reports: list[RunReport] = []

        def state() -> None:
            reports.append(books.state("2026-11"))
            done.set()

        runner = threading.Thread(target=state)
        runner.start()
        assert not done.wait(timeout=1.0), "the statement did not wait for the charge being written"
        session.commit()
        runner.join(timeout=60)
    finally:
        writer.__exit__(None, None, None)

    assert reports and reports[0].errors == []
    with db.sessions() as check:
        shown = set(check.scalars(select(StatementLine.transfer_id).where(StatementLine.account_id == account_id)))
        statement = check.scalars(select(Statement).where(Statement.account_id == account_id)).one()
    assert late in shown and statement.closing_balance == 127


def test_stating_an_account_while_it_is_being_closed_does_not_deadlock(books: Books) -> None:
    [(account_id, ledger_id)] = _charged_accounts(books, 1)
    db = books.calls.db
    reports: list[RunReport] = []
    with db.sessions() as closer:
        # Closing an account (like taking a deposit) locks the account's row, then its ledger row.
        closer.get(CalledPartyAccount, account_id, with_for_update=True)
        runner = threading.Thread(target=lambda: reports.append(books.state("2026-11")))
        runner.start()
        time.sleep(1.5)  # the run reaches the account and waits for the lock it needs
        lock_balance(closer, ledger_id)  # a deadlock would abort this, or the run's transaction
        closer.commit()
        runner.join(timeout=60)
    assert reports and reports[0].errors == []
    with db.sessions() as check:
        assert check.scalar(select(func.count()).select_from(Statement).where(Statement.account_id == account_id)) == 1
