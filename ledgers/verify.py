"""``verify``: re-derive every ledger invariant from the journal and report what breaks it.

The database already refuses most bad rows (CHECKs, UNIQUEs, foreign keys, append-only
triggers); this is the independent audit that also covers what a constraint can't see across
rows — a post within its hold, reversals within their original, caches equal to the journal —
and anything written behind the ledger's back. Read-only; run it from ``flask ledger verify``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ledgers.balances import Sums, journal_sums
from ledgers.models import BALANCE_COLUMNS, LedgerAccount, Transfer, TransferKind

__all__ = ["CHECKS", "Problem", "VerifyReport", "verify"]

#: Problems reported per check at most (the count of the rest is reported too).
MAX_PROBLEMS = 100

CHECKS: dict[str, str] = {
    "transfers_balance": "each transfer moves an amount ≥ 0 (> 0 for single and pending) between two "
    "different existing accounts in its own currency, and has a pending_id exactly if it resolves a hold",
    "resolutions_match_holds": "each post/void/expiry resolves a hold with the same accounts and currency; "
    "a post is at most its hold; a void or expiry releases exactly the hold; only holds with a timeout "
    "expire",
    "holds_resolved_once": "no hold has more than one resolution",
    "reversals_within_original": "each reversal swaps its original's accounts in its currency, the original "
    "is a posted transfer, and the reversals of one transfer add up to at most its amount",
    "cached_balances_match_journal": "each customer account's cached balances equal the journal's sums; "
    "house accounts cache nothing",
    "guards_hold": "no guarded account is negative (both guard flags), in its cache or in the journal",
    "journal_balances": "per currency, the journal's total debits equal its total credits "
    "(posted and pending)",
}

_T = Transfer.metadata.tables["ledger_transfers"]
_A = LedgerAccount.metadata.tables["ledger_accounts"]
_SINGLE, _PENDING = TransferKind.SINGLE.value, TransferKind.PENDING.value
_POST, _VOID, _EXPIRE = (k.value for k in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING,
                                           TransferKind.EXPIRE_PENDING))


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken invariant."""

    check: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.subject}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What ``verify`` checked (``checks``), counted (``counts``) and found (``problems``)."""

    checks: Mapping[str, str]
    problems: tuple[Problem, ...]
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> VerifyReport:
    """Check every invariant of the ledger; never writes."""
    problems: list[Problem] = []
    checks: list[Callable[[Session], list[Problem]]] = [
        _transfers_balance, _resolutions_match_holds, _holds_resolved_once, _reversals_within_original,
        _account_checks,
    ]
    for check in checks:
        problems.extend(check(session))
    return VerifyReport(checks=dict(CHECKS), problems=tuple(problems), counts=_counts(session))


def _limited(
    check: str, rows: list[Row[Any]], describe: Callable[[Row[Any]], tuple[str, str]]
) -> list[Problem]:
    found = [Problem(check, *describe(row)) for row in rows[:MAX_PROBLEMS]]
    if len(rows) > MAX_PROBLEMS:
        found.append(Problem(check, "…", "more problems not listed"))
    return found


def _transfers_balance(session: Session) -> list[Problem]:
    d, c = _A.alias("d"), _A.alias("c")
    unresolving = _T.c.kind.in_([_SINGLE, _PENDING])
    bad = or_(
        _T.c.debit_account_id == _T.c.credit_account_id,
        d.c.id.is_(None), c.c.id.is_(None),
        d.c.currency != _T.c.currency, c.c.currency != _T.c.currency,
        _T.c.amount < 0, and_(unresolving, _T.c.amount <= 0),
        _T.c.kind.not_in([k.value for k in TransferKind]),
        and_(unresolving, _T.c.pending_id.is_not(None)), and_(~unresolving, _T.c.pending_id.is_(None)),
    )
    query = (
        select(_T.c.id, _T.c.kind, _T.c.amount, _T.c.currency, _T.c.debit_account_id,
               _T.c.credit_account_id, _T.c.pending_id, d.c.currency.label("debit_currency"),
               c.c.currency.label("credit_currency"))
        .select_from(
            _T.outerjoin(d, d.c.id == _T.c.debit_account_id).outerjoin(c, c.c.id == _T.c.credit_account_id)
        )
        .where(bad).order_by(_T.c.id).limit(MAX_PROBLEMS + 1)
    )

    def describe(r: Row[Any]) -> tuple[str, str]:
        return (f"transfer {r.id}", f"{r.kind} of {r.amount} {r.currency} from account {r.debit_account_id} "
                f"({r.debit_currency}) to {r.credit_account_id} ({r.credit_currency}), "
                f"pending_id {r.pending_id}")

    return _limited("transfers_balance", list(session.execute(query)), describe)


def _resolutions_match_holds(session: Session) -> list[Problem]:
    h = _T.alias("h")
    bad = or_(
        h.c.id.is_(None), h.c.kind != _PENDING,
        _T.c.debit_account_id != h.c.debit_account_id, _T.c.credit_account_id != h.c.credit_account_id,
        _T.c.currency != h.c.currency,
        and_(_T.c.kind == _POST, _T.c.amount > h.c.amount),
        and_(_T.c.kind.in_([_VOID, _EXPIRE]), _T.c.amount != h.c.amount),
        and_(_T.c.kind == _EXPIRE, h.c.timeout_at.is_(None)),
    )
    query = (
        select(_T.c.id, _T.c.kind, _T.c.amount, _T.c.pending_id, h.c.kind.label("hold_kind"),
               h.c.amount.label("hold_amount"))
        .select_from(_T.outerjoin(h, h.c.id == _T.c.pending_id))
        .where(_T.c.pending_id.is_not(None), bad).order_by(_T.c.id).limit(MAX_PROBLEMS + 1)
    )

    def describe(r: Row[Any]) -> tuple[str, str]:
        return (f"transfer {r.id}", f"{r.kind} of {r.amount} does not match hold {r.pending_id} "
                f"({r.hold_kind} of {r.hold_amount})")

    return _limited("resolutions_match_holds", list(session.execute(query)), describe)


def _holds_resolved_once(session: Session) -> list[Problem]:
    query = (
        select(_T.c.pending_id, func.count().label("n")).where(_T.c.pending_id.is_not(None))
        .group_by(_T.c.pending_id).having(func.count() > 1).limit(MAX_PROBLEMS + 1)
    )
    return _limited("holds_resolved_once", list(session.execute(query)),
                    lambda r: (f"hold {r.pending_id}", f"resolved {r.n} times"))


def _reversals_within_original(session: Session) -> list[Problem]:
    o = _T.alias("o")
    per = (
        select(_T.c.reverses_id, func.sum(_T.c.amount).label("total")).where(_T.c.reverses_id.is_not(None))
        .group_by(_T.c.reverses_id).subquery()
    )
    totals = (
        select(per.c.reverses_id, per.c.total, o.c.kind, o.c.amount)
        .select_from(per.outerjoin(o, o.c.id == per.c.reverses_id))
        .where(or_(o.c.id.is_(None), o.c.kind.not_in([_SINGLE, _POST]), per.c.total > o.c.amount))
        .limit(MAX_PROBLEMS + 1)
    )
    found = _limited("reversals_within_original", list(session.execute(totals)), lambda r: (
        f"transfer {r.reverses_id}", f"reversed {r.total} of a {r.kind} of {r.amount}"))
    shapes = (
        select(_T.c.id, _T.c.reverses_id).select_from(_T.join(o, o.c.id == _T.c.reverses_id))
        .where(or_(_T.c.debit_account_id != o.c.credit_account_id,
                   _T.c.credit_account_id != o.c.debit_account_id,
                   _T.c.currency != o.c.currency, _T.c.kind != _SINGLE))
        .limit(MAX_PROBLEMS + 1)
    )
    return found + _limited("reversals_within_original", list(session.execute(shapes)), lambda r: (
        f"transfer {r.id}", f"does not mirror transfer {r.reverses_id}"))


def _account_checks(session: Session) -> list[Problem]:
    sums = journal_sums(session)
    problems: list[Problem] = []
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for account in session.execute(select(_A).order_by(_A.c.id)):
        journal = sums.get(account.id, Sums())
        cached = Sums(*(getattr(account, name) for name in BALANCE_COLUMNS))
        expected = journal if account.keeps_balance else Sums()
        if cached != expected:
            problems.append(Problem("cached_balances_match_journal", f"account {account.code}",
                                    f"cached {_fmt(cached)}, journal says {_fmt(expected)}"))
        for source, values in (("cache", cached), ("journal", journal)):
            problems.extend(_guard_problems(account, source, values))
        for i, name in enumerate(BALANCE_COLUMNS):
            totals[account.currency][i] += getattr(journal, name)
    for currency, (d_posted, c_posted, d_pending, c_pending) in sorted(totals.items()):
        if d_posted != c_posted or d_pending != c_pending:
            problems.append(Problem("journal_balances", currency, f"debits {d_posted}/{d_pending} pending, "
                                    f"credits {c_posted}/{c_pending} pending"))
    return problems


def _guard_problems(account: Row[Any], source: str, s: Sums) -> list[Problem]:
    found = []
    if account.debits_must_not_exceed_credits and s.debits_posted + s.debits_pending > s.credits_posted:
        found.append(Problem("guards_hold", f"account {account.code}",
                             f"negative in the {source}: {_fmt(s)}"))
    if account.credits_must_not_exceed_debits and s.credits_posted + s.credits_pending > s.debits_posted:
        found.append(Problem("guards_hold", f"account {account.code}",
                             f"credits exceed debits in the {source}: {_fmt(s)}"))
    return found


def _fmt(s: Sums) -> str:
    return ", ".join(f"{name}={getattr(s, name)}" for name in BALANCE_COLUMNS)


def _counts(session: Session) -> dict[str, int]:
    resolution = _T.alias("resolution")
    open_holds = and_(_T.c.kind == _PENDING, ~exists().where(resolution.c.pending_id == _T.c.id))
    row = session.execute(select(
        select(func.count()).select_from(_A).scalar_subquery().label("accounts"),
        select(func.count()).select_from(_T).scalar_subquery().label("transfers"),
        select(func.count()).select_from(_T).where(_T.c.kind == _PENDING).scalar_subquery().label("holds"),
        select(func.count()).select_from(_T).where(open_holds).scalar_subquery().label("open_holds"),
        select(func.count()).select_from(_T).where(_T.c.reverses_id.is_not(None))
        .scalar_subquery().label("reversals"),
    )).one()
    return dict(row._mapping)
