"""Model-based test: random sequences of ledger operations against the real database and a model.

The model is a few integers per account and a dict of holds. Each step runs in its own
transaction (as requests do); after every step each account's balance must equal the model's,
and at the end of each example ``verify`` must find nothing. Every example opens fresh,
uniquely named accounts, so examples share the test's database without seeing each other.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy.orm import Session

import ledgers
from billing.db import Database
from ledgers import AccountType, Transfer
from rating.money import from_minor

START = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
ACCOUNTS = ("clearing", "revenue", "family", "direct")
cents = st.integers(min_value=1, max_value=3000)
charges = st.integers(min_value=1, max_value=1000)  # smaller than deposits, so most calls fit
timeouts = st.sampled_from([None, 60, 300, 600, 3600])  # seconds; the clock moves by similar steps


@dataclass
class Hold:
    debit: str
    credit: str
    amount: int
    timeout_at: dt.datetime | None
    resolved: bool = False


@dataclass
class Posted:
    debit: str
    credit: str
    amount: int
    reversed: int = 0


@dataclass(frozen=True)
class Done:
    """A request that succeeded, to replay later."""

    call: Callable[[Session], Transfer]
    transfer_id: int
    key: str


class LedgerMachine(RuleBasedStateMachine):
    db: Database  # set by the test

    def __init__(self) -> None:
        super().__init__()
        tag = uuid.uuid4().hex[:12]
        self.now = START
        self.keys = (f"{tag}:{n}" for n in itertools.count())
        with self.db.unit_of_work() as s:
            made = {
                "clearing": ledgers.create_account(s, code=f"{tag}:clearing", type=AccountType.ASSET,
                                                   currency="USD", keeps_balance=False),
                "revenue": ledgers.create_account(s, code=f"{tag}:revenue", type=AccountType.REVENUE,
                                                  currency="USD", keeps_balance=False),
                "family": ledgers.open_customer_account(s, code=f"{tag}:family", kind="prepaid", currency="USD"),
                "direct": ledgers.open_customer_account(s, code=f"{tag}:direct", kind="receivable", currency="USD"),
            }
            s.flush()
            self.ids = {name: a.id for name, a in made.items()}
        self.types = {name: made[name].account_type for name in ACCOUNTS}
        self.sums = {name: [0, 0, 0, 0] for name in ACCOUNTS}  # debits/credits posted, debits/credits pending
        self.holds: dict[int, Hold] = {}
        self.posted: dict[int, Posted] = {}
        self.done: list[Done] = []

    # -- running requests and predicting their effect

    def run(self, call: Callable[[Session], Transfer]) -> Transfer | str:
        """The transfer, committed; or the error code, rolled back."""
        with self.db.sessions() as s:
            try:
                result = call(s)
            except ledgers.LedgerError as exc:
                s.rollback()
                return exc.code
            s.commit()
            return result

    def succeed(self, call: Callable[[Session], Transfer], key: str) -> Transfer:
        result = self.run(call)
        assert isinstance(result, Transfer), result
        self.done.append(Done(call, result.id, key))
        return result

    def move(self, debit: str, credit: str, posted: int, pending: int) -> None:
        self.sums[debit][0] += posted
        self.sums[debit][2] += pending
        self.sums[credit][1] += posted
        self.sums[credit][3] += pending

    def fits(self, debit: str, amount: int) -> bool:
        dp, cp, dq, _ = self.sums[debit]
        return debit != "family" or dp + dq + amount <= cp  # only the prepaid account is guarded

    def single(self, debit: str, credit: str, amount: int, purpose: str) -> None:
        key = next(self.keys)

        def call(s: Session) -> Transfer:
            return ledgers.transfer(s, debit=self.ids[debit], credit=self.ids[credit],
                                    amount=from_minor(amount, "USD"), idempotency_key=key, purpose=purpose)

        if not self.fits(debit, amount):
            assert self.run(call) == "INSUFFICIENT_FUNDS"
            return
        result = self.succeed(call, key)
        self.move(debit, credit, amount, 0)
        self.posted[result.id] = Posted(debit, credit, amount)

    # -- rules

    @rule(amount=cents, what=st.sampled_from(["deposit", "call_charge", "invoice_accrual", "payment"]))
    def single_transfer(self, amount: int, what: str) -> None:
        debit, credit = {
            "deposit": ("clearing", "family"),
            "call_charge": ("family", "revenue"),
            "invoice_accrual": ("direct", "revenue"),
            "payment": ("clearing", "direct"),
        }[what]
        self.single(debit, credit, amount, what)

    @rule(amount=charges, seconds=timeouts)
    def hold_prepaid(self, amount: int, seconds: int | None) -> None:
        self.place_hold("family", amount, seconds)

    @rule(amount=charges, seconds=timeouts)
    def hold_receivable(self, amount: int, seconds: int | None) -> None:
        self.place_hold("direct", amount, seconds)

    def place_hold(self, debit: str, amount: int, seconds: int | None) -> None:
        key, now = next(self.keys), self.now
        timeout = None if seconds is None else dt.timedelta(seconds=seconds)

        def call(s: Session) -> Transfer:
            return ledgers.hold(s, debit=self.ids[debit], credit=self.ids["revenue"],
                                amount=from_minor(amount, "USD"), idempotency_key=key, purpose="call_charge",
                                timeout=timeout, now=now)

        if not self.fits(debit, amount):
            assert self.run(call) == "INSUFFICIENT_FUNDS"
            return
        result = self.succeed(call, key)
        assert result.timeout_at == (None if timeout is None else now + timeout)
        self.holds[result.id] = Hold(debit, "revenue", amount, result.timeout_at)
        self.move(debit, "revenue", 0, amount)

    def draw_hold(self, data: st.DataObject) -> int:
        """Mostly an open hold (if any), sometimes any hold at all."""
        open_holds = sorted(i for i, h in self.holds.items() if not h.resolved)
        any_hold = not open_holds or data.draw(st.integers(0, 3), label="any hold") == 0
        return data.draw(st.sampled_from(sorted(self.holds) if any_hold else open_holds), label="hold")

    def expected_resolution_error(self, h: Hold) -> str | None:
        if h.resolved:
            return "HOLD_ALREADY_RESOLVED"
        if h.timeout_at is not None and self.now >= h.timeout_at:
            return "HOLD_EXPIRED"
        return None

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), percent=st.sampled_from([0, 1, 50, 99, 100, 101, None]))
    def post(self, data: st.DataObject, percent: int | None) -> None:
        hold_id = self.draw_hold(data)
        h, key, now = self.holds[hold_id], next(self.keys), self.now
        units = None if percent is None else h.amount * percent // 100 + (percent > 100)
        amount = None if units is None else from_minor(units, "USD")

        def call(s: Session) -> Transfer:
            return ledgers.post(s, hold_id, amount=amount, idempotency_key=key, now=now)

        expected = "INVALID_AMOUNT" if units is not None and units > h.amount else self.expected_resolution_error(h)
        if expected:
            assert self.run(call) == expected
            return
        result = self.succeed(call, key)
        units = h.amount if units is None else units
        assert (result.kind, result.amount, result.pending_id) == ("post_pending", units, hold_id)
        h.resolved = True
        self.move(h.debit, h.credit, units, -h.amount)
        if units:
            self.posted[result.id] = Posted(h.debit, h.credit, units)

    @precondition(lambda self: self.holds)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        hold_id = self.draw_hold(data)
        h, key, now = self.holds[hold_id], next(self.keys), self.now

        def call(s: Session) -> Transfer:
            return ledgers.void(s, hold_id, idempotency_key=key, now=now)

        expected = self.expected_resolution_error(h)
        if expected:
            assert self.run(call) == expected
            return
        self.succeed(call, key)
        h.resolved = True
        self.move(h.debit, h.credit, 0, -h.amount)

    @rule(seconds=st.sampled_from([0, 1, 59, 240, 600]), then_expire=st.booleans())
    def advance_clock(self, seconds: int, then_expire: bool) -> None:
        """Time passes; then, perhaps, the expiry job runs."""
        self.now += dt.timedelta(seconds=seconds)
        if then_expire:
            self.expire()

    def expire(self) -> None:
        due = {i for i, h in self.holds.items()
               if not h.resolved and h.timeout_at is not None and h.timeout_at <= self.now}
        with self.db.unit_of_work() as s:
            expired = ledgers.expire_holds(s, now=self.now)
        mine = {t.pending_id for t in expired if t.pending_id in self.holds}
        assert mine == due
        for hold_id in due:
            h = self.holds[hold_id]
            h.resolved = True
            self.move(h.debit, h.credit, 0, -h.amount)

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), percent=st.sampled_from([None, 1, 50, 100, 101]))
    def reverse(self, data: st.DataObject, percent: int | None) -> None:
        original_id = data.draw(st.sampled_from(sorted(self.posted)), label="original")
        p, key = self.posted[original_id], next(self.keys)
        remaining = p.amount - p.reversed
        units = remaining if percent is None else max(1, p.amount * percent // 100)

        def call(s: Session) -> Transfer:
            amount = None if percent is None else from_minor(units, "USD")
            return ledgers.reverse(s, original_id, amount=amount, idempotency_key=key)

        if units <= 0 or units > remaining:
            assert self.run(call) == "INVALID_AMOUNT"
            return
        if not self.fits(p.credit, units):  # the reversal debits the original's credit account
            assert self.run(call) == "INSUFFICIENT_FUNDS"
            return
        result = self.succeed(call, key)
        assert (result.reverses_id, result.amount) == (original_id, units)
        p.reversed += units
        self.move(p.credit, p.debit, units, 0)
        self.posted[result.id] = Posted(p.credit, p.debit, units)

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        done = data.draw(st.sampled_from(self.done), label="request")
        result = self.run(done.call)
        assert isinstance(result, Transfer) and result.id == done.transfer_id  # balances checked below

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def reuse_key_for_something_else(self, data: st.DataObject) -> None:
        done = data.draw(st.sampled_from(self.done), label="request")
        result = self.run(lambda s: ledgers.transfer(
            s, debit=self.ids["clearing"], credit=self.ids["direct"], amount=from_minor(1, "USD"),
            idempotency_key=done.key, purpose="other"))
        assert result == "IDEMPOTENCY_CONFLICT"

    # -- checks

    @invariant()
    def balances_agree(self) -> None:
        with self.db.sessions() as s:
            for name in ACCOUNTS:
                b = ledgers.balance(s, self.ids[name])
                dp, cp, dq, cq = self.sums[name]
                assert (b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending) == tuple(
                    from_minor(v, "USD") for v in (dp, cp, dq, cq)), name
                credit_normal = self.types[name].credit_normal
                posted = cp - dp if credit_normal else dp - cp
                assert b.posted == from_minor(posted, "USD")
                assert b.available == from_minor(posted - (dq if credit_normal else cq), "USD")
                if name == "family":
                    assert b.available.amount >= 0

    def teardown(self) -> None:
        with self.db.sessions() as s:
            report = ledgers.verify(s)
        assert report.ok, report.problems


def test_ledger_agrees_with_its_model(ledger_db: Database) -> None:
    machine = type("Machine", (LedgerMachine,), {"db": ledger_db})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=40, stateful_step_count=30, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
