"""Completing a call: rate the billable seconds from the stored rate snapshot and settle the money.

Prepaid: the charge is posted from the call's hold and the rest released. Direct bill: the charge
is posted to the receivable (it accrues onto the month's invoice). An unanswered or refused call,
or one the system dropped within the grace period, costs nothing and its hold is voided.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from moneyed import Money
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import ledgers
from billing.calls.models import END_REASONS, Call
from billing.calls.services import (
    CallAccount,
    CallNotActive,
    call_for_settlement,
    expire_abandoned,
    house_account,
    loaded_hold,
    record_incident,
    snapshot_tariff,
)
from billing.config import Settings
from billing.errors import InvalidParameter
from ledgers.base import utcnow
from ledgers.locks import lock_balance
from ledgers.prepared import Prepared
from rating import charge, format_amount, from_minor, to_minor

#: How stale ``last_activity_at`` may be before a call refreshes it (saves a write per call).
ACTIVITY_RESOLUTION = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Completion:
    call: Call
    available_balance: Money | None  # prepaid balance after the call; None for direct bill


def billable_seconds(call: Call, ended_at: dt.datetime, end_reason: str, grace_seconds: int) -> tuple[int, str]:
    """Seconds to bill (from acceptance to the end, never more than authorized) and a note why not."""
    if end_reason == "not_accepted" or call.accepted_at is None:
        return 0, "not accepted: no charge"
    seconds = min(int((ended_at - call.accepted_at).total_seconds()), call.max_duration_seconds)
    if end_reason == "dropped" and seconds <= grace_seconds:
        return 0, f"dropped by the system within {grace_seconds} s of connecting: not charged"
    return seconds, ""


@dataclass(frozen=True, slots=True)
class _Settled:
    transfer_id: int | None  # the journal row that booked the charge, if any
    collected: Money  # what the call was charged (less than rated only after a lapsed hold)
    note: str = ""


def _settle(session: Session, call: Call, amount: Money, account: CallAccount) -> _Settled:
    """Post ``amount`` from the hold (releasing the rest), or book it directly if the hold lapsed."""
    if call.hold_id is not None:
        try:
            if amount.amount == 0:
                ledgers.void(session, loaded_hold(session, call), idempotency_key=f"call:{call.call_id}:void")
                return _Settled(None, amount)
            posted = ledgers.post(session, loaded_hold(session, call), amount=amount,
                                  idempotency_key=f"call:{call.call_id}:settle")
            return _Settled(posted.id, amount)
        except ledgers.HoldAlreadyResolved:  # the expiry job released it first
            pass
        except ledgers.HoldExpired:  # past its timeout, not yet released by the job
            expire_abandoned(session)
    if amount.amount == 0:
        return _Settled(None, amount)
    return _settle_without_hold(session, call, amount, account)


def _settle_without_hold(session: Session, call: Call, amount: Money, account: CallAccount) -> _Settled:
    """The hold expired before the platform reported the end (a very late completion).

    A prepaid family is charged at most what its balance still holds; the rest is forgiven and noted.
    """
    assert account.ledger_account_id is not None
    note = ""
    if account.plan == "prepaid":
        available = lock_balance(session, account.ledger_account_id).available
        collectible = max(available, from_minor(0, account.currency))
        if collectible < amount:
            note = (f"completed after its hold expired; {format_amount(amount - collectible)} could not be "
                    "collected and was forgiven")
            amount = collectible
    if amount.amount == 0:
        return _Settled(None, amount, note)
    revenue = house_account(session, "call_revenue", account.currency)
    booked = ledgers.transfer(
        session, debit=account.ledger_account_id, credit=revenue.id, amount=amount,
        idempotency_key=f"call:{call.call_id}:late-charge", purpose="call_charge",
        reference=f"call:{call.call_id}")
    return _Settled(booked.id, amount, note)


def complete(session: Session, settings: Settings, call_id: str, ended_at: dt.datetime, end_reason: str) -> Completion:
    """Rate and settle a finished call. Completing twice changes nothing and answers the same."""
    if end_reason not in END_REASONS:
        raise InvalidParameter(f"'end_reason' must be one of {', '.join(END_REASONS)}.",
                               details={"field": "end_reason"})
    call, account = call_for_settlement(session, call_id)
    if call.state in ("completed", "blocked"):  # a repeat: answer what the first completion answered
        stored = None if call.balance_after is None else from_minor(call.balance_after, account.currency if account
                                                                   else "USD")
        return Completion(call, stored)
    if call.state == "rejected":
        raise CallNotActive("The call was not authorized, so there is nothing to complete.")
    if call.accepted_at is not None and ended_at < call.accepted_at:
        raise InvalidParameter("'ended_at' is before the call was accepted.", details={"field": "ended_at"})
    if ended_at < call.requested_at:
        raise InvalidParameter("'ended_at' is before the call was requested.", details={"field": "ended_at"})
    assert account is not None
    seconds, note = billable_seconds(call, ended_at, end_reason, settings.dropped_call_grace_seconds)
    settled = _settle(session, call, charge(snapshot_tariff(call), seconds), account)
    if end_reason == "three_way_detected":
        record_incident(session, call, ended_at)
    if seconds > 0 and (account.last_activity_at is None
                        or account.last_activity_at < utcnow() - ACTIVITY_RESOLUTION):
        # The 180-day inactivity clock needs no finer grain.
        _TOUCH.run(session, {"b_id": account.id, "at": utcnow()})
    after = _balance_after(session, account)
    _record_completion(session, call, {
        "state": "completed", "ended_at": ended_at, "end_reason": end_reason, "completed_at": utcnow(),
        "billable_seconds": seconds, "charge": to_minor(settled.collected),
        "charge_transfer_id": settled.transfer_id, "charge_note": settled.note or note,
        "balance_after": None if after is None else to_minor(after),
    })
    return Completion(call, after)


_calls, _accounts = Call.metadata.tables["calls"], Call.metadata.tables["accounts"]
_COMPLETE = Prepared(
    update(_calls).where(_calls.c.id == bindparam("b_id"))
    .values({name: bindparam(name, type_=_calls.c[name].type) for name in (
        "state", "ended_at", "end_reason", "completed_at", "billable_seconds", "charge", "charge_transfer_id",
        "charge_note", "balance_after")})
)
_TOUCH = Prepared(update(_accounts).where(_accounts.c.id == bindparam("b_id"))
                  .values(last_activity_at=bindparam("at", type_=_accounts.c.last_activity_at.type)))


def _record_completion(session: Session, call: Call, values: dict[str, object]) -> None:
    """Write the call's outcome in one prebuilt UPDATE, and show it on ``call`` without a flush."""
    _COMPLETE.run(session, {"b_id": call.id, **values})
    for name, value in values.items():
        set_committed_value(call, name, value)


def _balance_after(session: Session, account: CallAccount | None) -> Money | None:
    if account is None or account.plan != "prepaid" or account.ledger_account_id is None:
        return None
    # The row is already locked by this transaction's ledger write (or free to lock): one read.
    return lock_balance(session, account.ledger_account_id).available


def charge_money(call: Call) -> Money:
    return from_minor(call.charge or 0, call.currency or "USD")
