"""Balances: read from a customer account's cached row, or summed from the journal.

A customer account (``keeps_balance``) answers from its own row — one indexed read when a call
is authorized. A house account keeps nothing: its balance is an aggregate over the journal's
``debit_account_id``/``credit_account_id`` indexes, which ``verify`` also uses to check the caches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from moneyed import Money
from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from ledgers.accounts import get_account
from ledgers.amounts import to_money
from ledgers.models import BALANCE_COLUMNS, AccountType, LedgerAccount, Transfer, TransferKind

__all__ = ["Balance", "Sums", "balance", "journal_sums", "make_balance"]


@dataclass(frozen=True, slots=True)
class Sums:
    """An account's four running totals in minor units."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's balance. ``posted`` and ``available`` are on the account's normal side.

    Credit-normal (liability, revenue, equity): available = credits_posted − debits_posted −
    debits_pending. Debit-normal (asset, expense): available = debits_posted − credits_posted −
    credits_pending. Pending amounts moving *towards* the normal side are not available yet.
    """

    debits_posted: Money
    credits_posted: Money
    debits_pending: Money
    credits_pending: Money
    posted: Money
    available: Money


def balance(session: Session, account: LedgerAccount | int | str) -> Balance:
    """The account's balance now (as seen by this session's transaction)."""
    found = account if isinstance(account, LedgerAccount) else get_account(session, account)
    if found.keeps_balance:
        row = session.execute(
            select(*(LedgerAccount.__table__.c[name] for name in BALANCE_COLUMNS)).where(
                LedgerAccount.__table__.c.id == found.id
            )
        ).one()
        sums = Sums(*(int(value) for value in row))
    else:
        sums = journal_sums(session, [found.id]).get(found.id, Sums())
    return make_balance(AccountType(found.type), found.currency, sums)


def make_balance(account_type: AccountType, currency: str, sums: Sums) -> Balance:
    """A ``Balance`` from minor-unit sums."""
    if account_type.credit_normal:
        posted = sums.credits_posted - sums.debits_posted
        available = posted - sums.debits_pending
    else:
        posted = sums.debits_posted - sums.credits_posted
        available = posted - sums.credits_pending
    return Balance(
        debits_posted=to_money(sums.debits_posted, currency),
        credits_posted=to_money(sums.credits_posted, currency),
        debits_pending=to_money(sums.debits_pending, currency),
        credits_pending=to_money(sums.credits_pending, currency),
        posted=to_money(posted, currency),
        available=to_money(available, currency),
    )


def journal_sums(session: Session, account_ids: Collection[int] | None = None, *,
                 before: dt.datetime | None = None) -> dict[int, Sums]:
    """Each account's four totals derived from the journal (all accounts, or only ``account_ids``).

    With ``before``: the totals as they stood at that instant (rows written before it only; a hold
    counts as pending if nothing written before it resolved it).
    """
    t = Transfer.__table__
    resolution = t.alias("resolution")
    posted: ColumnElement[bool] = t.c.kind.in_([TransferKind.SINGLE.value, TransferKind.POST_PENDING.value])
    resolved = resolution.c.pending_id == t.c.id
    if before is not None:
        posted = and_(posted, t.c.created_at < before)
        resolved = and_(resolved, resolution.c.created_at < before)
    unresolved = and_(t.c.kind == TransferKind.PENDING.value, ~exists().where(resolved))
    if before is not None:
        unresolved = and_(unresolved, t.c.created_at < before)

    def part(side: str, column: str, condition: ColumnElement[bool]) -> Select[Any]:
        account = t.c[f"{side}_account_id"]
        query = (
            select(account.label("account_id"), literal(column).label("total_of"), func.sum(t.c.amount))
            .where(condition)
            .group_by(account)
        )
        return query if account_ids is None else query.where(account.in_(list(account_ids)))

    query = union_all(
        part("debit", "debits_posted", posted),
        part("credit", "credits_posted", posted),
        part("debit", "debits_pending", unresolved),
        part("credit", "credits_pending", unresolved),
    )
    totals: dict[int, dict[str, int]] = {}
    for row in session.execute(query):
        totals.setdefault(int(row[0]), {})[str(row[1])] = int(row[2] or 0)
    return {account_id: Sums(**columns) for account_id, columns in totals.items()}
