"""Reading a customer account's balance under its row lock, for decisions that must not race.

Authorizing a call reads the balance, works out what the call may cost and places a hold; two
calls on one account must not both spend the same money. ``lock_balance`` takes the same row
lock the journal's writer takes (``FOR NO KEY UPDATE``; SQLite already holds its write lock), so
the hold that follows in the same transaction sees exactly the balance the decision was made on.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgers.balances import Balance, Sums, make_balance
from ledgers.errors import UnknownAccount
from ledgers.models import BALANCE_COLUMNS, AccountType, LedgerAccount

__all__ = ["lock_balance"]

_accounts = LedgerAccount.metadata.tables["ledger_accounts"]


def lock_balance(session: Session, account_id: int) -> Balance:
    """Lock a customer account's row until the transaction ends and return its balance."""
    row = session.execute(
        select(_accounts.c.type, _accounts.c.currency, _accounts.c.keeps_balance,
               *(_accounts.c[name] for name in BALANCE_COLUMNS))
        .where(_accounts.c.id == account_id)
        .with_for_update(key_share=True)
    ).first()
    if row is None:
        raise UnknownAccount(f"no ledger account with id {account_id}")
    if not row.keeps_balance:
        raise ValueError("only customer accounts (which keep a balance) can be locked")
    sums = Sums(*(int(row._mapping[name]) for name in BALANCE_COLUMNS))
    return make_balance(AccountType(row.type), row.currency, sums)
