"""Reading a customer account's balance under its row lock, for decisions that must not race.

Authorizing a call reads the balance, works out what the call may cost and places a hold; two
calls on one account must not both spend the same money. ``lock_balance`` takes the same row
lock the journal's writer takes (``FOR NO KEY UPDATE``; SQLite already holds its write lock), so
the hold that follows in the same transaction sees exactly the balance the decision was made on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from ledgers.balances import Balance, Sums, make_balance
from ledgers.errors import UnknownAccount
from ledgers.models import BALANCE_COLUMNS, AccountType, LedgerAccount
from ledgers.prepared import Prepared

__all__ = ["HeldAccount", "adopt_lock", "adopt_locked_row", "held_locks", "lock_balance"]

_accounts = LedgerAccount.metadata.tables["ledger_accounts"]
_HELD = "ledgers.held_locks"


@dataclass(frozen=True, slots=True)
class HeldAccount:
    """A customer account this transaction holds the row lock of, with its balances as they are now."""

    type: AccountType
    currency: str
    sums: Sums


def held_locks(session: Session) -> dict[int, HeldAccount]:
    """The customer accounts whose row lock the session's transaction holds, by id.

    While the lock is held only this transaction can change the row, and it changes it only through
    the ledger's writer, which keeps these sums current — so reading them again would tell nothing
    new. Forgotten at commit and at any rollback (a savepoint's too), when the lock or the writes go.
    """
    return session.info.setdefault(_HELD, {})  # type: ignore[no-any-return]


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(_HELD, None)


for _name in ("after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget)


def adopt_lock(session: Session, account: LedgerAccount) -> None:
    """Record that ``account`` was just read ``FOR UPDATE`` by the caller's own query.

    A caller that locks the row together with other rows it needs (one round trip instead of
    two) hands it over here; its loaded balances must come from that locking read.
    """
    if not account.keeps_balance:
        raise ValueError("only customer accounts (which keep a balance) can be locked")
    adopt_locked_row(session, account.id, account.type, account.currency, Sums(
        account.debits_posted, account.credits_posted, account.debits_pending, account.credits_pending))


def adopt_locked_row(session: Session, account_id: int, type: str, currency: str, sums: Sums) -> Balance:
    """``adopt_lock`` for a caller whose query read the row's columns rather than the object.

    The query must have locked the row as the ledger does (``FOR NO KEY UPDATE``) and read its
    four balance columns; returns the balance.
    """
    account_type = AccountType(type)
    held_locks(session)[account_id] = HeldAccount(account_type, currency, sums)
    return make_balance(account_type, currency, sums)


_LOCK = Prepared(
    select(_accounts.c.type, _accounts.c.currency, _accounts.c.keeps_balance,
           *(_accounts.c[name] for name in BALANCE_COLUMNS))
    .where(_accounts.c.id == bindparam("account_id"))
    .with_for_update(key_share=True)
)


def lock_balance(session: Session, account_id: int) -> Balance:
    """Lock a customer account's row until the transaction ends and return its balance."""
    held = held_locks(session)
    known = held.get(account_id)
    if known is not None:
        return make_balance(known.type, known.currency, known.sums)
    row = _LOCK.first(session, {"account_id": account_id})
    if row is None:
        raise UnknownAccount(f"no ledger account with id {account_id}")
    if not row[2]:
        raise ValueError("only customer accounts (which keep a balance) can be locked")
    return adopt_locked_row(session, account_id, row[0], row[1], Sums(*(int(v) for v in row[3:])))
