"""Two-phase transfers: place a hold, then post (all or part), void, or let it expire.

A call's authorization places a hold on the family's prepaid account; completing the call posts
the charge (at most the hold) and releases the rest; a call that never connects voids it. A hold
with a timeout that nobody resolved in time is released by ``expire_holds`` (a job), and from its
timeout on only that job may resolve it, so an expiry and a late post never disagree about it.
"""

from __future__ import annotations

import datetime as dt

from moneyed import Money
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from ledgers.accounts import AccountRef
from ledgers.amounts import to_money, to_units
from ledgers.base import utcnow
from ledgers.errors import HoldAlreadyResolved, HoldExpired, InvalidAmount, UnknownTransfer
from ledgers.journal import Account, Request, idempotent, load_accounts, matches_request, write
from ledgers.models import Transfer, TransferKind
from ledgers.transfers import get_transfer, write_new

__all__ = ["expire_holds", "hold", "is_resolved", "pending_amount", "post", "void"]


def hold(
    session: Session,
    *,
    debit: AccountRef,
    credit: AccountRef,
    amount: Money,
    idempotency_key: str,
    purpose: str,
    reference: str = "",
    timeout: dt.timedelta | None = None,
    now: dt.datetime | None = None,
) -> Transfer:
    """Place a hold of ``amount`` (a ``pending`` transfer), optionally lapsing after ``timeout``.

    The hold counts against a guarded debit account at once (``InsufficientFunds`` if it doesn't
    fit), so posting it later can't break the guard. Other errors as for ``transfer``.
    """
    if timeout is not None and timeout <= dt.timedelta(0):
        raise ValueError("a hold's timeout must be positive")
    timeout_at = None if timeout is None else _now(now) + timeout
    return write_new(session, TransferKind.PENDING, debit=debit, credit=credit, amount=amount,
                     idempotency_key=idempotency_key, purpose=purpose, reference=reference, timeout_at=timeout_at)


def post(
    session: Session,
    hold: Transfer | int,
    *,
    amount: Money | None = None,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Transfer:
    """Post ``amount`` (default: all) of a hold and release the rest; 0 releases everything.

    Raises ``InvalidAmount`` above the hold, ``HoldAlreadyResolved``, ``HoldExpired`` once the
    hold's timeout has passed, ``UnknownTransfer`` if ``hold`` is not a hold.
    """
    pending = _get_hold(session, hold)

    def describe() -> Request:
        units = pending.amount if amount is None else to_units(amount, pending.currency, allow_zero=True)
        return _resolution(pending, TransferKind.POST_PENDING, units, idempotency_key)

    def action() -> Transfer:
        request = describe()
        if request.amount > pending.amount:
            raise InvalidAmount(f"cannot post {request.amount} of a hold of {pending.amount}")
        _check_open(session, pending, _now(now))
        return write(session, request, _accounts_of(session, pending))

    return idempotent(session, idempotency_key, lambda t: matches_request(describe, t), action)


def void(
    session: Session, hold: Transfer | int, *, idempotency_key: str, now: dt.datetime | None = None
) -> Transfer:
    """Release a whole hold. Raises ``HoldAlreadyResolved``, ``HoldExpired``, ``UnknownTransfer``."""
    pending = _get_hold(session, hold)
    request = _resolution(pending, TransferKind.VOID_PENDING, pending.amount, idempotency_key)

    def action() -> Transfer:
        _check_open(session, pending, _now(now))
        return write(session, request, _accounts_of(session, pending))

    return idempotent(session, idempotency_key, request.matches, action)


def expire_holds(session: Session, *, now: dt.datetime | None = None, limit: int = 1000) -> list[Transfer]:
    """Release up to ``limit`` unresolved holds whose timeout is at or before ``now``.

    Returns the ``expire_pending`` rows written. On PostgreSQL the holds are claimed with
    ``FOR NO KEY UPDATE SKIP LOCKED``, so concurrent runs share the work instead of colliding;
    a hold posted or voided in the meantime is skipped.
    """
    resolution = aliased(Transfer)
    due = (
        select(Transfer)
        .where(
            Transfer.kind == TransferKind.PENDING.value,
            Transfer.timeout_at <= _now(now),
            ~exists().where(resolution.pending_id == Transfer.id),
        )
        .order_by(Transfer.timeout_at, Transfer.id)
        .limit(limit)
        .with_for_update(key_share=True, skip_locked=True)
    )
    expired = []
    for pending in session.scalars(due).all():
        key = f"ledger:expire:{pending.id}"
        request = _resolution(pending, TransferKind.EXPIRE_PENDING, pending.amount, key)
        try:
            expired.append(write(session, request, _accounts_of(session, pending)))
        except HoldAlreadyResolved:
            continue  # resolved by someone else since the select
    return expired


def is_resolved(session: Session, hold: Transfer | int) -> bool:
    """Whether the hold has been posted, voided or expired."""
    hold_id = hold.id if isinstance(hold, Transfer) else hold
    return bool(session.scalar(select(exists().where(Transfer.pending_id == hold_id))))


def pending_amount(session: Session, hold: Transfer | int) -> Money:
    """What the hold still holds: its amount while unresolved, zero after."""
    pending = _get_hold(session, hold)
    return to_money(0 if is_resolved(session, pending) else pending.amount, pending.currency)


def _get_hold(session: Session, ref: Transfer | int) -> Transfer:
    found = get_transfer(session, ref)
    if found.kind != TransferKind.PENDING:
        raise UnknownTransfer(f"transfer {found.id} is not a hold")
    return found


def _resolution(pending: Transfer, kind: TransferKind, units: int, key: str) -> Request:
    return Request(
        kind=kind, debit_id=pending.debit_account_id, credit_id=pending.credit_account_id,
        amount=units, currency=pending.currency, purpose=pending.purpose, reference=pending.reference,
        idempotency_key=key, pending_id=pending.id, released=pending.amount,
    )


def _accounts_of(session: Session, pending: Transfer) -> tuple[Account, Account]:
    return load_accounts(session, pending.debit_account_id, pending.credit_account_id, pending.currency)


def _check_open(session: Session, pending: Transfer, now: dt.datetime) -> None:
    if pending.timeout_at is not None and now >= pending.timeout_at:
        if is_resolved(session, pending):
            raise HoldAlreadyResolved(f"hold {pending.id} is already resolved")
        raise HoldExpired(f"hold {pending.id} timed out at {pending.timeout_at.isoformat()}")


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now
