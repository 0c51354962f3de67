"""Single transfers, balances, idempotency, amounts and reversals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from moneyed import Money
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import ledgers
from billing.db import Database
from ledgers import Transfer
from tests.ledgers.helpers import Chart, deposit, usd


def test_deposit_and_charge_move_balances_on_both_sides(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "25.00", "stripe:evt_1")
    with ledger_db.unit_of_work() as s:
        charge = ledgers.transfer(
            s, debit=chart.family, credit=chart.revenue, amount=usd("3.86"), idempotency_key="call:1",
            purpose="call_charge", reference="call:1",
        )
        assert (charge.kind, charge.amount, charge.currency, charge.reference) == ("single", 386, "USD", "call:1")
    with ledger_db.sessions() as s:
        family = ledgers.balance(s, chart.family)
        assert family.credits_posted == usd("25.00") and family.debits_posted == usd("3.86")
        assert family.posted == family.available == usd("21.14")
        revenue = ledgers.balance(s, chart.revenue)  # derived from the journal
        assert revenue.posted == revenue.available == usd("3.86")
        clearing = ledgers.balance(s, "house:payment_clearing:USD")  # debit-normal asset
        assert clearing.posted == usd("25.00")
        # house rows are never written: their cached columns stay zero
        house = ledgers.get_account(s, chart.revenue)
        assert (house.credits_posted, house.debits_posted) == (0, 0)


def test_ledger_never_commits(ledger_db: Database, chart: Chart) -> None:
    with ledger_db.sessions() as s:
        ledgers.transfer(s, debit=chart.clearing, credit=chart.family, amount=usd("5.00"),
                         idempotency_key="k", purpose="deposit")
        s.rollback()
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).posted == usd("0.00")
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0


def test_insufficient_funds_changes_nothing(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "1.00", "d")
    with ledger_db.sessions() as s:
        with pytest.raises(ledgers.InsufficientFunds) as exc:
            ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("1.01"),
                             idempotency_key="c", purpose="call_charge")
        assert exc.value.code == "INSUFFICIENT_FUNDS"
        # the session is still usable: the failed transfer only rolled back its savepoint
        ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key="c2", purpose="call_charge")
        s.commit()
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).available == usd("0.00")
    # an unguarded receivable may go below zero (an overpayment is a credit balance)
    with ledger_db.unit_of_work() as s:
        ledgers.transfer(s, debit=chart.clearing, credit=chart.direct, amount=usd("4.00"),
                         idempotency_key="overpay", purpose="payment")
        assert ledgers.balance(s, chart.direct).posted == usd("-4.00")


def test_idempotent_replay_returns_the_original(ledger_db: Database, chart: Chart) -> None:
    first = deposit(ledger_db, chart, "10.00", "stripe:evt_9")
    again = deposit(ledger_db, chart, "10.00", "stripe:evt_9")
    assert again.id == first.id
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).posted == usd("10.00")
        assert s.scalar(select(func.count()).select_from(Transfer)) == 1
        with pytest.raises(ledgers.IdempotencyConflict) as exc:
            ledgers.transfer(s, debit=chart.clearing, credit=chart.family, amount=usd("10.01"),
                             idempotency_key="stripe:evt_9", purpose="deposit")
        assert exc.value.code == "IDEMPOTENCY_CONFLICT"
        for changed in ({"purpose": "payment"}, {"reference": "x"}, {"credit": chart.direct}):
            args = {"debit": chart.clearing, "credit": chart.family, "purpose": "deposit", **changed}
            with pytest.raises(ledgers.IdempotencyConflict):
                ledgers.transfer(s, amount=usd("10.00"), idempotency_key="stripe:evt_9", **args)
        with pytest.raises(ledgers.IdempotencyConflict):  # same key, now a hold
            ledgers.hold(s, debit=chart.clearing, credit=chart.family, amount=usd("10.00"),
                         idempotency_key="stripe:evt_9", purpose="deposit")


def test_replay_succeeds_even_when_a_new_transfer_would_fail(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "2.00", "d")
    with ledger_db.unit_of_work() as s:
        charge = ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("2.00"),
                                  idempotency_key="call:1", purpose="call_charge")
    with ledger_db.unit_of_work() as s:  # the account is empty now; the replay still answers
        again = ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("2.00"),
                                 idempotency_key="call:1", purpose="call_charge")
        assert again.id == charge.id


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        (Money(Decimal("1.005"), "USD"), ledgers.InvalidAmount),  # a fraction of a cent
        (Money(Decimal("0.1") + Decimal("0.2"), "USD"), None),  # exact decimals are fine
        (Money(0.1 + 0.2, "USD"), ledgers.InvalidAmount),  # the float trap: 0.30000000000000004
        (Money(Decimal("0"), "USD"), ledgers.InvalidAmount),
        (Money(Decimal("-1.00"), "USD"), ledgers.InvalidAmount),
        (Money(Decimal("NaN"), "USD"), ledgers.InvalidAmount),
        (Money(Decimal("Infinity"), "USD"), ledgers.InvalidAmount),
        (Money(Decimal("1e20"), "USD"), ledgers.InvalidAmount),  # beyond a BIGINT of cents
        (Money(Decimal("1.00"), "EUR"), ledgers.CurrencyMismatch),
        (Decimal("1.00"), ledgers.InvalidAmount),  # not Money
    ],
)
def test_amount_validation(session: Session, chart: Chart, amount: object, error: type[Exception] | None) -> None:
    def attempt() -> Transfer:
        return ledgers.transfer(session, debit=chart.clearing, credit=chart.family, amount=amount,  # type: ignore[arg-type]
                                idempotency_key="k", purpose="deposit")

    if error is None:
        assert attempt().amount == 30
        return
    with pytest.raises(error) as exc:
        attempt()
    assert exc.value.code in {"INVALID_AMOUNT", "CURRENCY_MISMATCH"}  # type: ignore[attr-defined]


def test_accounts_must_share_the_currency(session: Session, chart: Chart) -> None:
    euros = ledgers.open_customer_account(session, code="family:eur", kind="prepaid", currency="EUR")
    with pytest.raises(ledgers.CurrencyMismatch) as exc:
        ledgers.transfer(session, debit=chart.clearing, credit=euros, amount=usd("1.00"),
                         idempotency_key="k", purpose="deposit")
    assert exc.value.code == "CURRENCY_MISMATCH"
    with pytest.raises(ledgers.UnknownAccount):
        ledgers.transfer(session, debit=chart.clearing, credit=999_999, amount=usd("1.00"),
                         idempotency_key="k", purpose="deposit")
    with pytest.raises(ValueError, match="two different accounts"):
        ledgers.transfer(session, debit=chart.family, credit=chart.family, amount=usd("1.00"),
                         idempotency_key="k", purpose="deposit")


def test_reversals_swap_accounts_and_never_exceed_the_original(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    with ledger_db.unit_of_work() as s:
        charge = ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("4.00"),
                                  idempotency_key="call:1", purpose="call_charge")
    with ledger_db.unit_of_work() as s:
        part = ledgers.reverse(s, charge, amount=usd("1.50"), idempotency_key="fix:1")
        assert (part.debit_account_id, part.credit_account_id) == (chart.revenue, chart.family)
        assert (part.reverses_id, part.amount, part.purpose, part.kind) == (charge.id, 150, "correction", "single")
        with pytest.raises(ledgers.InvalidAmount):
            ledgers.reverse(s, charge, amount=usd("2.51"), idempotency_key="fix:2")
        rest = ledgers.reverse(s, charge.id, idempotency_key="fix:3", purpose="refund")
        assert rest.amount == 250
        with pytest.raises(ledgers.InvalidAmount):  # nothing left
            ledgers.reverse(s, charge, idempotency_key="fix:4")
        # replays answer with the originals, even "the rest" once nothing is left
        assert ledgers.reverse(s, charge, idempotency_key="fix:3", purpose="refund").id == rest.id
        assert ledgers.reverse(s, charge, amount=usd("1.50"), idempotency_key="fix:1").id == part.id
        with pytest.raises(ledgers.IdempotencyConflict):
            ledgers.reverse(s, charge, amount=usd("1.00"), idempotency_key="fix:1")
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.family).available == usd("10.00")
        assert ledgers.balance(s, chart.revenue).posted == usd("0.00")
        assert ledgers.verify(s).ok


def test_reversal_of_a_deposit_is_guarded(ledger_db: Database, chart: Chart) -> None:
    funding = deposit(ledger_db, chart, "5.00", "d")
    with ledger_db.unit_of_work() as s:
        ledgers.transfer(s, debit=chart.family, credit=chart.revenue, amount=usd("4.00"),
                         idempotency_key="call:1", purpose="call_charge")
    with ledger_db.sessions() as s:
        with pytest.raises(ledgers.InsufficientFunds):  # the money was spent
            ledgers.reverse(s, funding, idempotency_key="chargeback", purpose="dispute")
        assert ledgers.reverse(s, funding, amount=usd("1.00"), idempotency_key="cb", purpose="dispute").amount == 100


def test_holds_and_unknown_transfers_cannot_be_reversed(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "5.00", "d")
    with ledger_db.sessions() as s:
        pending = ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                               idempotency_key="h", purpose="call_charge")
        with pytest.raises(ledgers.NotReversible) as exc:
            ledgers.reverse(s, pending, idempotency_key="r")
        assert exc.value.code == "NOT_REVERSIBLE"
        with pytest.raises(ledgers.UnknownTransfer) as unknown:
            ledgers.reverse(s, 999_999, idempotency_key="r")
        assert unknown.value.code == "UNKNOWN_TRANSFER"
