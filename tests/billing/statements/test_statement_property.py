"""Property: however charges, payments and late rows fall over the months, statements chain exactly.

For any sequence of journal rows on a direct-bill account over three months — some written after
their month's statement was made — each statement opens with the previous one's closing balance,
its lines add up to its change, every row appears on exactly one statement, and the last closing
balance plus what came after it is the ledger's balance.
"""

from __future__ import annotations

import itertools
from contextlib import suppress
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moneyed import Money
from sqlalchemy import select

import invoices
import ledgers
from billing.accounts import services as accounts
from billing.statements import services as statements
from invoices import Period, Statement, StatementLine
from rating.money import to_minor
from tests.billing.calls.conftest import fresh_number
from tests.billing.statements.conftest import Books, at

MONTHS = [Period(2026, 10), Period(2026, 11), Period(2026, 12)]
_keys = itertools.count()

# (month index, charge or payment, cents, written after that month's statement)
ROW = st.tuples(st.integers(0, 2), st.sampled_from(["charge", "payment"]), st.integers(1, 5_000), st.booleans())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=12))
def test_statements_chain_exactly_and_show_every_row_once(books: Books, rows: list[tuple[int, str, int, bool]]) -> None:
    db = books.calls.db
    with db.unit_of_work() as session:
        account = accounts.open_account(
            session, plan="direct_bill", provider=books.settings.provider_code,
            our_provider=books.settings.provider_code, holder_name="Property",
            numbers=[accounts.NumberSpec(fresh_number("217"), "landline")], credit_limit=Decimal("1000000"),
            default_credit_limit=Decimal("30"))
        account_id, ledger_id = account.id, account.ledger_account_id
    written: list[int] = []

    def write(month: int, kind: str, cents: int, day: int) -> None:
        books.clock = at(f"{MONTHS[month].first_day.isoformat()[:8]}{day:02d}T18:00")
        with db.unit_of_work() as session:
            revenue = ledgers.house_account(session, "call_revenue").id
            clearing = ledgers.house_account(session, "payment_clearing").id
            debit, credit, purpose = ((ledger_id, revenue, "call_charge") if kind == "charge"
                                      else (clearing, ledger_id, "balance_payment"))
            with suppress(ledgers.InsufficientFunds):  # paying more than is owed is refused: nothing written
                written.append(ledgers.transfer(
                    session, debit=debit, credit=credit, amount=Money(Decimal(cents) / 100, "USD"),
                    idempotency_key=f"prop:{next(_keys)}", purpose=purpose).id)

    only = [next(a for a in statements.candidates_of(db) if a.account_id == account_id)]
    for month in range(3):
        for _, kind, cents, _ in (r for r in rows if r[0] == month and not r[3]):
            write(month, kind, cents, 10)
        invoices.run(db.unit_of_work, only, MONTHS[month], terms=statements.terms(books.settings),
                     details=statements.call_details, now=at("2027-02-01T00:00"))
        for _, kind, cents, _ in (r for r in rows if r[0] == month and r[3]):
            write(month, kind, cents, 28)

    with db.sessions() as session:
        stated = list(session.scalars(select(Statement).where(Statement.account_id == account_id)
                                      .order_by(Statement.period_start)))
        shown = list(session.scalars(select(StatementLine.transfer_id).where(StatementLine.account_id == account_id)))
        owed = to_minor(ledgers.balance(session, ledger_id).posted)
        effect = {t: (1 if (row := ledgers.get_transfer(session, t)).debit_account_id == ledger_id else -1) * row.amount
                  for t in written}
        created = {t: ledgers.get_transfer(session, t).created_at for t in written}
        for earlier, later in itertools.pairwise(stated):
            assert later.opening_balance == earlier.closing_balance
        for statement in stated:
            assert statement.closing_balance == statement.opening_balance + sum(line.effect for line in statement.lines)
            assert statement.amount_due == max(statement.closing_balance, 0)
    assert len(shown) == len(set(shown)) and set(shown) <= set(written)
    if not stated:
        assert owed == sum(effect.values())
        return
    first_start = stated[0].starts_at
    assert stated[0].opening_balance == sum(e for t, e in effect.items() if created[t] < first_start)
    after = [t for t in written if t not in shown and created[t] >= first_start]
    assert stated[-1].closing_balance + sum(effect[t] for t in after) == owed
