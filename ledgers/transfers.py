"""Single-phase transfers and their corrections (reversing transfers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from moneyed import Money
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledgers.accounts import AccountRef
from ledgers.amounts import to_units
from ledgers.errors import InvalidAmount, NotReversible, UnknownTransfer
from ledgers.journal import Request, account_id, idempotent, load_accounts, matches_request, write
from ledgers.models import Transfer, TransferKind

__all__ = ["get_transfer", "reverse", "reversed_total", "transfer"]

_REVERSIBLE = frozenset({TransferKind.SINGLE, TransferKind.POST_PENDING})


def transfer(
    session: Session,
    *,
    debit: AccountRef,
    credit: AccountRef,
    amount: Money,
    idempotency_key: str,
    purpose: str,
    reference: str = "",
) -> Transfer:
    """Move ``amount`` from ``debit`` to ``credit`` now (posted at once). Never commits.

    Raises ``InsufficientFunds`` if a guarded account would go negative, ``CurrencyMismatch``,
    ``InvalidAmount``, ``UnknownAccount``; a repeated key returns the original transfer or raises
    ``IdempotencyConflict``.
    """

    return write_new(session, TransferKind.SINGLE, debit=debit, credit=credit, amount=amount,
                     idempotency_key=idempotency_key, purpose=purpose, reference=reference)


def write_new(
    session: Session, kind: TransferKind, *, debit: AccountRef, credit: AccountRef, amount: Money,
    idempotency_key: str, purpose: str, reference: str, timeout_at: dt.datetime | None = None,
) -> Transfer:
    """Write a new single transfer or hold between two accounts, idempotently on its key."""

    def describe() -> Request:
        currency = amount.currency.code if isinstance(amount, Money) else ""
        return Request(
            kind=kind, debit_id=account_id(debit), credit_id=account_id(credit),
            amount=to_units(amount, currency), currency=currency, purpose=purpose,
            reference=reference, idempotency_key=idempotency_key, timeout_at=timeout_at,
        )

    def action() -> Transfer:
        request = describe()
        return write(session, request, load_accounts(session, debit, credit, request.currency))

    return idempotent(session, idempotency_key, lambda t: matches_request(describe, t), action)


def reverse(
    session: Session,
    original: Transfer | int,
    *,
    idempotency_key: str,
    amount: Money | None = None,
    purpose: str = "correction",
    reference: str = "",
) -> Transfer:
    """Reverse all (default: whatever is not reversed yet) or part of a posted transfer.

    The reversal swaps the accounts and points ``reverses_id`` at the original; the reversals of
    one transfer never add up to more than it (``InvalidAmount``). Holds can't be reversed
    (``NotReversible``: void them); a reversal may fail with ``InsufficientFunds`` like any debit.
    """
    target = get_transfer(session, original)
    if target.transfer_kind not in _REVERSIBLE:
        raise NotReversible(f"transfer {target.id} is a {target.kind}; only posted transfers reverse")
    requested = None if amount is None else to_units(amount, target.currency)
    base = Request(
        kind=TransferKind.SINGLE, debit_id=target.credit_account_id, credit_id=target.debit_account_id,
        amount=requested or 0, currency=target.currency, purpose=purpose,
        reference=reference or f"reverses:{target.id}", idempotency_key=idempotency_key,
        reverses_id=target.id,
    )

    def action() -> Transfer:
        _lock_original(session, target.id)  # serialises reversals of one transfer
        remaining = target.amount - reversed_total(session, target.id)
        units = remaining if requested is None else requested
        if units <= 0 or units > remaining:
            raise InvalidAmount(f"transfer {target.id} has {remaining} minor units left to reverse")
        accounts = load_accounts(session, base.debit_id, base.credit_id, target.currency)
        return write(session, replace(base, amount=units), accounts)

    def matches(t: Transfer) -> bool:
        return base.matches(t, compare_amount=requested is not None)

    return idempotent(session, idempotency_key, matches, action)


def get_transfer(session: Session, ref: Transfer | int) -> Transfer:
    """A transfer by id, or the transfer itself if it is loaded (journal rows never change)."""
    if isinstance(ref, Transfer) and "kind" in ref.__dict__ and "id" in ref.__dict__:
        return ref
    transfer_id = ref.id if isinstance(ref, Transfer) else ref
    if isinstance(transfer_id, bool) or not isinstance(transfer_id, int):
        raise TypeError(f"a transfer is a Transfer or its id, not {type(ref).__name__}")
    found = session.get(Transfer, transfer_id)
    if found is None:
        raise UnknownTransfer(f"no transfer with id {transfer_id}")
    return found


def reversed_total(session: Session, transfer_id: int) -> int:
    """Minor units of ``transfer_id`` already reversed."""
    total = session.scalar(
        select(func.coalesce(func.sum(Transfer.amount), 0)).where(Transfer.reverses_id == transfer_id)
    )
    return int(total or 0)


def _lock_original(session: Session, transfer_id: int) -> None:
    session.execute(
        select(Transfer.id).where(Transfer.id == transfer_id).with_for_update(key_share=True)
    )
