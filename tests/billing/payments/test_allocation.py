"""Refund splits conserve every cent: properties of the greedy helper and of a real close."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moneyed import Money
from sqlalchemy import select

import ledgers
from billing.accounts import services as accounts
from billing.db import Database
from billing.payments import refunds, settlement
from billing.payments.allocation import fill_in_order
from billing.payments.models import Payment
from ledgers.base import utcnow
from rating.money import to_minor

amounts = st.integers(min_value=0, max_value=10**9)


@given(total=amounts, capacities=st.lists(amounts, max_size=12))
def test_parts_and_rest_sum_to_the_total_and_fill_in_order(total: int, capacities: list[int]) -> None:
    split = fill_in_order(total, capacities)
    assert sum(split.parts) + split.rest == total
    assert all(0 <= part <= cap for part, cap in zip(split.parts, capacities, strict=True))
    for i, (part, cap) in enumerate(zip(split.parts, capacities, strict=True)):
        if part < cap:  # a bucket not filled means nothing was left for the later ones
            assert all(p == 0 for p in split.parts[i + 1:]) and split.rest == 0
    assert split.rest == max(0, total - sum(capacities))


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        fill_in_order(-1, [1])
    with pytest.raises(ValueError):
        fill_in_order(1, [-1])


_numbers = itertools.count(5550000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deposits=st.lists(st.integers(min_value=500, max_value=30_000), max_size=5),
       spent_share=st.integers(min_value=0, max_value=100), other_money=st.integers(min_value=0, max_value=2_000))
def test_a_close_refunds_exactly_the_available_balance(
        db: Database, demo: Any, deposits: list[int], spent_share: int, other_money: int) -> None:
    """Random deposits and spending on a fresh account: the refunds sum to the balance, to the cent."""
    with db.unit_of_work() as s:
        account = accounts.open_account(
            s, plan="prepaid", provider="family-connect", our_provider="family-connect", holder_name="Prop Test",
            numbers=[accounts.NumberSpec(f"+1312{next(_numbers)}", "mobile")])
        assert account.ledger_account_id is not None
        clearing = ledgers.house_account(s, "payment_clearing")
        if other_money:  # money that came in without a card (e.g. cash at a kiosk)
            ledgers.transfer(s, debit=clearing, credit=account.ledger_account_id,
                             amount=Money(other_money, "USD") / 100, idempotency_key=secrets.token_hex(8),
                             purpose="deposit")
        for units in deposits:
            payment = Payment(reference=secrets.token_hex(16), kind="deposit", account_id=account.id, amount=units,
                              currency="USD", status="processing", idempotency_key=secrets.token_hex(8),
                              payment_method="pm_card_visa", stripe_payment_intent_id=f"pi_{secrets.token_hex(8)}",
                              failure_message="", created_at=utcnow(), updated_at=utcnow())
            s.add(payment)
            s.flush()
            settlement.credit(s, payment, actor="test")
        balance = to_minor(ledgers.balance(s, account.ledger_account_id).available)
        spent = balance * spent_share // 100
        if spent:
            ledgers.transfer(s, debit=account.ledger_account_id, credit=ledgers.house_account(s, "call_revenue"),
                             amount=Money(spent, "USD") / 100, idempotency_key=secrets.token_hex(8),
                             purpose="call_charge")
        before = balance - spent
        closing = refunds.book_close(s, account.id, reason="property", actor="test", role="system")
        assert sum(r.amount for r in closing.refunds) == before
        assert to_minor(ledgers.balance(s, account.ledger_account_id).available) == 0
        card = [r for r in closing.refunds if r.method == "card"]
        by_payment = {p.id: p.amount for p in s.scalars(select(Payment).where(Payment.account_id == account.id))}
        assert all(r.amount <= by_payment[r.payment_id] for r in card if r.payment_id)
        assert [r.payment_id for r in card] == sorted((r.payment_id for r in card), reverse=True)  # newest first
        checks = [r for r in closing.refunds if r.method == "check"]
        assert len(checks) <= 1
        if checks:  # a check only for what the cards could not take
            assert sum(r.amount for r in card) == sum(deposits)
