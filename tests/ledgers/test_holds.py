"""Two-phase transfers: hold, post (full, partial, zero), void, expiry."""

from __future__ import annotations

import datetime as dt

import pytest

import ledgers
from billing.db import Database
from ledgers import Transfer
from tests.ledgers.helpers import Chart, available, deposit, usd

T0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)


def place(db: Database, chart: Chart, amount: str, key: str, *, timeout: dt.timedelta | None = None) -> Transfer:
    with db.unit_of_work() as s:
        return ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd(amount),
                            idempotency_key=key, purpose="call_charge", reference=f"call:{key}",
                            timeout=timeout, now=T0)


def test_a_hold_counts_against_available_and_a_partial_post_releases_the_rest(
    ledger_db: Database, chart: Chart
) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    pending = place(ledger_db, chart, "6.00", "h1", timeout=dt.timedelta(minutes=35))
    assert pending.kind == "pending" and pending.timeout_at == T0 + dt.timedelta(minutes=35)
    with ledger_db.sessions() as s:
        b = ledgers.balance(s, chart.family)
        assert (b.posted, b.available, b.debits_pending) == (usd("10.00"), usd("4.00"), usd("6.00"))
        assert ledgers.balance(s, chart.revenue).credits_pending == usd("6.00")
        assert not ledgers.is_resolved(s, pending)
        assert ledgers.pending_amount(s, pending) == usd("6.00")
        with pytest.raises(ledgers.InsufficientFunds):  # the hold already took 6 of the 10
            ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("4.01"),
                         idempotency_key="h2", purpose="call_charge")
    with ledger_db.unit_of_work() as s:
        posted = ledgers.post(s, pending, amount=usd("2.25"), idempotency_key="c1", now=T0)
        assert (posted.kind, posted.amount, posted.pending_id, posted.reference) == (
            "post_pending", 225, pending.id, "call:h1")
    with ledger_db.sessions() as s:
        b = ledgers.balance(s, chart.family)
        assert (b.posted, b.available, b.debits_pending) == (usd("7.75"), usd("7.75"), usd("0.00"))
        revenue = ledgers.balance(s, chart.revenue)
        assert (revenue.posted, revenue.credits_pending) == (usd("2.25"), usd("0.00"))
        assert ledgers.is_resolved(s, pending.id)
        assert ledgers.pending_amount(s, pending) == usd("0.00")
        assert ledgers.verify(s).ok


def test_post_defaults_to_the_whole_hold_and_zero_releases_all(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    whole, nothing = place(ledger_db, chart, "3.00", "h1"), place(ledger_db, chart, "3.00", "h2")
    with ledger_db.unit_of_work() as s:
        assert ledgers.post(s, whole.id, idempotency_key="c1").amount == 300
        assert ledgers.post(s, nothing, amount=usd("0"), idempotency_key="c2").amount == 0
    assert available(ledger_db, chart.family) == usd("7.00")


def test_resolving_twice_posting_too_much_and_non_holds(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    pending = place(ledger_db, chart, "3.00", "h1")
    with ledger_db.unit_of_work() as s:
        with pytest.raises(ledgers.InvalidAmount) as too_much:
            ledgers.post(s, pending, amount=usd("3.01"), idempotency_key="c0")
        assert too_much.value.code == "INVALID_AMOUNT"
        first = ledgers.post(s, pending, amount=usd("1.00"), idempotency_key="c1")
    with ledger_db.sessions() as s:
        for attempt in (
            lambda: ledgers.post(s, pending, idempotency_key="c2"),
            lambda: ledgers.void(s, pending, idempotency_key="v1"),
        ):
            with pytest.raises(ledgers.HoldAlreadyResolved) as exc:
                attempt()
            assert exc.value.code == "HOLD_ALREADY_RESOLVED"
        # the same post again is a replay, not a second resolution
        assert ledgers.post(s, pending, amount=usd("1.00"), idempotency_key="c1").id == first.id
        with pytest.raises(ledgers.IdempotencyConflict):
            ledgers.post(s, pending, amount=usd("1.01"), idempotency_key="c1")
        with pytest.raises(ledgers.UnknownTransfer):
            ledgers.post(s, first, idempotency_key="c3")  # a post is not a hold
        with pytest.raises(ledgers.UnknownTransfer):
            ledgers.void(s, 424242, idempotency_key="v2")


def test_void_releases_everything(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "5.00", "d")
    pending = place(ledger_db, chart, "5.00", "h1")
    assert available(ledger_db, chart.family) == usd("0.00")
    with ledger_db.unit_of_work() as s:
        voided = ledgers.void(s, pending, idempotency_key="v1")
        assert (voided.kind, voided.amount) == ("void_pending", 500)
        assert ledgers.void(s, pending, idempotency_key="v1").id == voided.id
    assert available(ledger_db, chart.family) == usd("5.00")


def test_expiry(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    lapsing = place(ledger_db, chart, "4.00", "h1", timeout=dt.timedelta(minutes=5))
    forever = place(ledger_db, chart, "1.00", "h2")
    later = T0 + dt.timedelta(minutes=5)
    with ledger_db.unit_of_work() as s:
        assert ledgers.expire_holds(s, now=later - dt.timedelta(seconds=1)) == []
        # from its timeout on, only expiry may resolve the hold
        for attempt in (
            lambda: ledgers.post(s, lapsing, idempotency_key="c1", now=later),
            lambda: ledgers.void(s, lapsing, idempotency_key="v1", now=later),
        ):
            with pytest.raises(ledgers.HoldExpired) as exc:
                attempt()
            assert exc.value.code == "HOLD_EXPIRED"
        expired = ledgers.expire_holds(s, now=later)
        assert [(e.kind, e.pending_id, e.amount) for e in expired] == [("expire_pending", lapsing.id, 400)]
        assert ledgers.expire_holds(s, now=later + dt.timedelta(days=1)) == []  # never twice
    assert available(ledger_db, chart.family) == usd("9.00")
    with ledger_db.sessions() as s:
        with pytest.raises(ledgers.HoldAlreadyResolved):  # expired, so resolved: not "expired"
            ledgers.post(s, lapsing, idempotency_key="c1", now=later)
        # before the timeout, a post of a hold that expiry already resolved is refused too
        with pytest.raises(ledgers.HoldAlreadyResolved):
            ledgers.post(s, lapsing, idempotency_key="c2", now=T0)
        assert ledgers.post(s, forever, idempotency_key="c3", now=later + dt.timedelta(days=9)).amount == 100
        with pytest.raises(ValueError, match="timeout"):
            ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("1.00"),
                         idempotency_key="h3", purpose="call_charge", timeout=dt.timedelta(0))
        with pytest.raises(ValueError, match="timezone"):
            ledgers.expire_holds(s, now=dt.datetime(2030, 1, 1))  # noqa: DTZ001 - the point of the test
        s.commit()
        assert ledgers.verify(s).ok


def test_expire_holds_respects_its_limit(ledger_db: Database, chart: Chart) -> None:
    deposit(ledger_db, chart, "10.00", "d")
    for i in range(3):
        place(ledger_db, chart, "1.00", f"h{i}", timeout=dt.timedelta(seconds=1 + i))
    with ledger_db.unit_of_work() as s:
        first = ledgers.expire_holds(s, now=T0 + dt.timedelta(hours=1), limit=2)
        rest = ledgers.expire_holds(s, now=T0 + dt.timedelta(hours=1), limit=2)
    assert (len(first), len(rest)) == (2, 1)
    assert available(ledger_db, chart.family) == usd("10.00")


def test_holds_on_a_receivable_and_between_house_accounts(ledger_db: Database, chart: Chart) -> None:
    """An unguarded customer account and house-only holds (no account row is locked at all)."""
    with ledger_db.unit_of_work() as s:
        accrual = ledgers.hold(s, debit=chart.direct, credit=chart.revenue, amount=usd("2.00"),
                               idempotency_key="h1", purpose="invoice_accrual")
        house = ledgers.hold(s, debit=chart.losses, credit=chart.clearing, amount=usd("7.00"),
                             idempotency_key="h2", purpose="dispute")
    with ledger_db.unit_of_work() as s:
        b = ledgers.balance(s, chart.direct)
        assert (b.posted, b.debits_pending, b.available) == (usd("0.00"), usd("2.00"), usd("0.00"))
        ledgers.post(s, accrual, amount=usd("1.50"), idempotency_key="p1")
        ledgers.post(s, house, amount=usd("7.00"), idempotency_key="p2")
        with pytest.raises(ledgers.HoldAlreadyResolved):
            ledgers.void(s, house, idempotency_key="v2")
    with ledger_db.sessions() as s:
        assert ledgers.balance(s, chart.direct).posted == usd("1.50")
        assert ledgers.balance(s, chart.losses).posted == usd("7.00")
        assert ledgers.balance(s, chart.clearing).posted == usd("-7.00")
        assert ledgers.verify(s).ok


@pytest.mark.parametrize("path", ["default", "core"])
def test_both_statement_paths_write_the_same_ledger(
    ledger_db: Database, chart: Chart, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL with psycopg runs the writer's SQL on the driver's cursor; everything else through
    SQLAlchemy Core. Forcing the Core path shows both give the same results on either database."""
    from ledgers import prepared

    if path == "core":
        monkeypatch.setattr(prepared, "fast_path", lambda connection: False)
    deposit(ledger_db, chart, "10.00", "d")
    lapsing = place(ledger_db, chart, "2.00", "h1", timeout=dt.timedelta(seconds=30))
    partial, voided = place(ledger_db, chart, "3.00", "h2"), place(ledger_db, chart, "1.00", "h3")
    with ledger_db.unit_of_work() as s:
        post = ledgers.post(s, partial, amount=usd("1.20"), idempotency_key="p2")
        assert post.created_at.tzinfo is not None and post.timeout_at is None
        ledgers.void(s, voided, idempotency_key="v3")
        [expired] = ledgers.expire_holds(s, now=T0 + dt.timedelta(minutes=1))
        assert expired.pending_id == lapsing.id
        ledgers.reverse(s, post, amount=usd("0.20"), idempotency_key="r")
        with pytest.raises(ledgers.InsufficientFunds):
            ledgers.hold(s, debit=chart.family, credit=chart.revenue, amount=usd("9.01"),
                         idempotency_key="h4", purpose="call_charge")
        with pytest.raises(ledgers.HoldAlreadyResolved):
            ledgers.void(s, partial, idempotency_key="v2")
        assert ledgers.post(s, partial, amount=usd("1.20"), idempotency_key="p2").id == post.id
        assert lapsing.timeout_at == T0 + dt.timedelta(seconds=30)
    with ledger_db.sessions() as s:
        b = ledgers.balance(s, chart.family)
        assert (b.posted, b.available, b.debits_pending) == (usd("9.00"), usd("9.00"), usd("0.00"))
        assert ledgers.balance(s, chart.revenue).posted == usd("1.00")
        assert ledgers.verify(s).ok
