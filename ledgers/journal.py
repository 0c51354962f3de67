"""Writing the journal: the one code path that inserts transfers and moves cached balances.

``write`` does (the SQL itself is in ``ledgers.statements``):

1. lock the *customer* accounts the transfer touches (``SELECT … FOR NO KEY UPDATE``, in id order,
   one statement) — never a house account, which no call may wait on;
2. check the guards against the locked rows;
3. insert the journal row with ``ON CONFLICT DO NOTHING`` (a used idempotency key, or a hold
   that is already resolved, inserts nothing and is reported as such);
4. add the row's effect to the customer accounts' cached balances.

``FOR NO KEY UPDATE`` is the row lock PostgreSQL's own UPDATE takes: it excludes every other
ledger writer of that account but not the foreign-key checks of unrelated inserts. SQLite ignores
it; there ``BEGIN IMMEDIATE`` already holds the database's write lock.

No SAVEPOINT is needed, and none is paid for (two round trips per transfer, on the path of every
call): every check runs before the first write, an idempotent replay inserts nothing, and one
write can't deadlock (its locks are taken in one statement, in id order). A deadlock can only come
from the caller's own order of several ledger calls in one transaction — a retry inside that
transaction couldn't break it — so it, or a serialization failure, is raised as ``LedgerBusy``:
retry the whole unit of work.

``idempotent`` wraps an operation: if it fails with a ledger error while its key is already in
the journal, the request was a replay (or lost a race to one) and the original is returned, or
``IdempotencyConflict`` raised if its content differs. The common path pays no extra query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ledgers import statements
from ledgers.accounts import AccountFacts, AccountRef
from ledgers.balances import Sums
from ledgers.base import loaded_detached, utcnow
from ledgers.errors import (
    CurrencyMismatch,
    HoldAlreadyResolved,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerBusy,
    LedgerError,
    UnknownAccount,
)
from ledgers.locks import HeldAccount, held_locks
from ledgers.models import BALANCE_COLUMNS, RESOLUTION_KINDS, AccountType, LedgerAccount, Transfer, TransferKind

__all__ = [
    "Account", "Request", "account_id", "find_by_key", "idempotent", "known_accounts", "load_accounts",
    "matches_request", "transfer_from_row", "write",
]

#: An account as the writer needs it: loaded, or its facts.
Account = LedgerAccount | AccountFacts

_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected

_MAX_KEY, _MAX_PURPOSE, _MAX_REFERENCE = 200, 40, 200  # the columns' lengths


@dataclass(frozen=True, slots=True)
class Request:
    """The journal row a caller asks for (amounts in minor units)."""

    kind: TransferKind
    debit_id: int
    credit_id: int
    amount: int
    currency: str
    purpose: str
    reference: str
    idempotency_key: str
    pending_id: int | None = None
    reverses_id: int | None = None
    timeout_at: dt.datetime | None = None
    #: For a resolution: the hold's amount, which leaves the pending balances.
    released: int = 0

    def __post_init__(self) -> None:
        if not 0 < len(self.idempotency_key) <= _MAX_KEY:
            raise ValueError(f"an idempotency key is 1–{_MAX_KEY} characters")
        if not 0 < len(self.purpose) <= _MAX_PURPOSE:
            raise ValueError(f"a purpose is 1–{_MAX_PURPOSE} characters")
        if len(self.reference) > _MAX_REFERENCE:
            raise ValueError(f"a reference is at most {_MAX_REFERENCE} characters")

    def matches(self, t: Transfer, *, compare_amount: bool = True) -> bool:
        """Whether ``t`` is what this request would have written (timeouts aside)."""
        return (
            t.kind == self.kind
            and t.debit_account_id == self.debit_id
            and t.credit_account_id == self.credit_id
            and (t.amount == self.amount or not compare_amount)
            and t.currency == self.currency
            and t.purpose == self.purpose
            and t.reference == self.reference
            and t.pending_id == self.pending_id
            and t.reverses_id == self.reverses_id
        )

    def effect(self) -> tuple[int, int]:
        """(posted, pending) change of both sides' balances."""
        if self.kind is TransferKind.SINGLE:
            return self.amount, 0
        if self.kind is TransferKind.PENDING:
            return 0, self.amount
        if self.kind is TransferKind.POST_PENDING:
            return self.amount, -self.released
        return 0, -self.released  # void, expiry


_KNOWN = "ledgers.known_accounts"


def known_accounts(session: Session) -> dict[int, AccountFacts]:
    """Accounts whose facts the caller already read into this session, by id.

    A caller that read an account's facts with its own query (with the rows it needed anyway) puts
    them here, and ``load_accounts`` needs no query for that account. Facts never change, so they
    stay valid for the session's whole life.
    """
    return session.info.setdefault(_KNOWN, {})  # type: ignore[no-any-return]


def load_accounts(
    session: Session, debit: AccountRef, credit: AccountRef, currency: str
) -> tuple[Account, Account]:
    """Both accounts of a transfer (one query at most), checked to differ and to be in ``currency``."""
    debit_id, credit_id = account_id(debit), account_id(credit)
    if debit_id == credit_id:
        raise ValueError("a transfer needs two different accounts")
    known: dict[int, Account] = {
        ref.id: ref for ref in (debit, credit) if isinstance(ref, LedgerAccount | AccountFacts)}
    facts = session.info.get(_KNOWN)
    for ref_id in (debit_id, credit_id):
        if ref_id not in known and facts and ref_id in facts:
            known[ref_id] = facts[ref_id]
            continue
        cached = session.identity_map.get(identity_key(LedgerAccount, ref_id))
        if ref_id not in known and isinstance(cached, LedgerAccount) and "currency" in cached.__dict__:
            known[ref_id] = cached  # code, currency, type and flags never change (a trigger refuses it)
    missing = [i for i in (debit_id, credit_id) if i not in known]
    if missing:
        known.update((a.id, a) for a in session.scalars(select(LedgerAccount).where(LedgerAccount.id.in_(missing))))
    for ref_id in (debit_id, credit_id):
        if ref_id not in known:
            raise UnknownAccount(f"no ledger account with id {ref_id}")
        if known[ref_id].currency != currency:
            raise CurrencyMismatch(f"account {known[ref_id].code} is in {known[ref_id].currency}, not {currency}")
    return known[debit_id], known[credit_id]


def account_id(ref: AccountRef) -> int:
    """The id of an account given as itself, its facts or its id."""
    if isinstance(ref, AccountFacts):
        return ref.id
    if isinstance(ref, LedgerAccount):
        if ref.id is None:
            raise ValueError(f"account {ref.code} is not in the database yet (flush the session first)")
        return ref.id
    if isinstance(ref, bool) or not isinstance(ref, int):
        raise TypeError(f"an account is a LedgerAccount or its id, not {type(ref).__name__}")
    return ref


def matches_request(describe: Callable[[], Request], t: Transfer) -> bool:
    """Whether the request ``describe`` builds is what ``t`` records (False if it is invalid)."""
    try:
        return describe().matches(t)
    except LedgerError:
        return False


def find_by_key(session: Session, key: str) -> Transfer | None:
    return session.scalars(select(Transfer).where(Transfer.idempotency_key == key)).first()


def idempotent(
    session: Session, key: str, matches: Callable[[Transfer], bool], action: Callable[[], Transfer]
) -> Transfer:
    """Run ``action``; if it fails while ``key`` is in the journal, answer as a replay."""
    try:
        return action()
    except LedgerBusy:
        raise  # the transaction is aborted: nothing more can be read in it
    except LedgerError as exc:
        original = find_by_key(session, key)
        if original is None:
            raise
        if matches(original):
            return original
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for transfer {original.id} with different content"
        ) from exc


def write(session: Session, request: Request, accounts: tuple[Account, Account]) -> Transfer:
    """Insert ``request``'s row and move the cached balances (checks first, then the writes)."""
    session.flush()  # what autoflush would do: the statements below bypass the ORM
    try:
        row = _write_once(session, request, accounts, held_locks(session))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES:
            raise LedgerBusy(f"retry the unit of work: {exc.orig}") from exc
        raise
    for account in accounts:  # a loaded copy's cached columns moved under it (whatever we were given)
        if account.keeps_balance:
            loaded = session.identity_map.get(identity_key(LedgerAccount, account.id))
            if loaded is not None:
                session.expire(loaded, BALANCE_COLUMNS)
    return transfer_from_row(row)


def _write_once(
    session: Session, request: Request, accounts: tuple[Account, Account],
    held: dict[int, HeldAccount],
) -> dict[str, Any]:
    debit, credit = accounts
    ids = [a.id for a in accounts if a.keeps_balance]
    if all(i in held for i in ids):  # this transaction holds the locks already: nothing to read
        locked = {i: held[i].sums for i in ids}
    else:
        locked = statements.lock(session, sorted(ids)) if ids else {}
    posted, pending = request.effect()
    if debit.keeps_balance:
        _check_guards(debit, locked[debit.id], debit_side=True, posted=posted, pending=pending)
    if credit.keeps_balance:
        _check_guards(credit, locked[credit.id], debit_side=False, posted=posted, pending=pending)
    moves = [(account, _move_params(account.id, debit_side, posted, pending))
             for account, debit_side in ((debit, True), (credit, False)) if account.keeps_balance]
    row = statements.write(session, _insert_params(request), [move for _, move in moves])
    if row is None:
        if request.kind in RESOLUTION_KINDS:
            raise HoldAlreadyResolved(f"hold {request.pending_id} is already resolved")
        raise IdempotencyConflict(f"idempotency key {request.idempotency_key!r} is already used")
    for account, move in moves:
        before = locked[account.id]
        held[account.id] = HeldAccount(AccountType(account.type), account.currency, Sums(
            before.debits_posted + move["d_posted"], before.credits_posted + move["c_posted"],
            before.debits_pending + move["d_pending"], before.credits_pending + move["c_pending"]))
    return row


def _check_guards(account: Account, now: Sums, *, debit_side: bool, posted: int, pending: int) -> None:
    debits_posted, credits_posted = now.debits_posted, now.credits_posted
    debits_pending, credits_pending = now.debits_pending, now.credits_pending
    if debit_side:
        debits_posted, debits_pending = debits_posted + posted, debits_pending + pending
    else:
        credits_posted, credits_pending = credits_posted + posted, credits_pending + pending
    if account.debits_must_not_exceed_credits and debits_posted + debits_pending > credits_posted:
        raise InsufficientFunds(f"account {account.code} has insufficient funds")
    if account.credits_must_not_exceed_debits and credits_posted + credits_pending > debits_posted:
        raise InsufficientFunds(f"account {account.code} may not be credited beyond its debits")


def _move_params(account_id: int, debit_side: bool, posted: int, pending: int) -> dict[str, int]:
    return {
        "account_id": account_id,
        "d_posted": posted if debit_side else 0,
        "d_pending": pending if debit_side else 0,
        "c_posted": 0 if debit_side else posted,
        "c_pending": 0 if debit_side else pending,
    }


def _insert_params(request: Request) -> dict[str, Any]:
    return {
        "debit_account_id": request.debit_id,
        "credit_account_id": request.credit_id,
        "amount": request.amount,
        "currency": request.currency,
        "kind": request.kind.value,
        "purpose": request.purpose,
        "reference": request.reference,
        "pending_id": request.pending_id,
        "reverses_id": request.reverses_id,
        "timeout_at": request.timeout_at,
        "created_at": utcnow(),
        "idempotency_key": request.idempotency_key,
    }


def transfer_from_row(row: dict[str, Any]) -> Transfer:
    """A journal row read (or returned) by the caller's own statement, as a detached, loaded
    ``Transfer`` — without another query. ``row`` holds every column.

    Journal rows never change, so a loaded copy stays true; ``get_transfer`` takes it as it is,
    and adding it to a session (directly or through a relationship) makes it persistent there
    without an INSERT.
    """
    return loaded_detached(Transfer, row)
