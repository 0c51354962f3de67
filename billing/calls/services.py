"""Authorize, announce and complete calls, settling each through the ledger.

authorize → a hold for the most the call may cost (prepaid balance, or direct-bill credit);
accept → billable time starts; block (at the announcement) → a block and the hold voided;
complete → the charge for the billable seconds is posted from the hold and the rest released.
Every step is idempotent on the platform's ``call_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from moneyed import Money
from sqlalchemy import and_, bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import ledgers
from billing.accounts.models import AccountNumber, CalledPartyAccount
from billing.blocks import services as blocks
from billing.blocks.models import Block
from billing.calls import decisions
from billing.calls.models import Call, Incident
from billing.config import DEFAULT_HOLD_MARGIN_SECONDS, Settings
from billing.errors import Conflict, InvalidParameter, UnknownCall, UnknownFacility
from billing.facilities.catalog import Catalog, FacilityRates
from billing.people import services as people
from billing.people.models import ApprovedNumber, CallingWindow, Person
from ledgers.accounts import AccountFacts
from ledgers.balances import Sums
from ledgers.base import loaded_detached, utcnow
from ledgers.journal import known_accounts, transfer_from_row
from ledgers.locks import adopt_locked_row, lock_balance
from ledgers.models import BALANCE_COLUMNS, Transfer
from ledgers.prepared import Prepared
from rating import (
    Jurisdiction,
    NoTariff,
    Rounding,
    Tariff,
    charge,
    from_minor,
    jurisdiction_for,
    max_billable_seconds,
    select_tariff,
    to_minor,
)


class CallIdConflict(Conflict):
    """The call id was already used for a different call (another facility, person or number)."""

    code = "CALL_ID_CONFLICT"


class CallNotActive(Conflict):
    """The call is not in a state that allows this step (rejected, blocked, already ended…)."""

    code = "CALL_NOT_ACTIVE"


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    call_id: str
    facility: str
    person: str
    to: str  # E.164
    requested_at: dt.datetime


_tables = Call.metadata.tables
_calls, _accounts, _ledger, _transfers = (
    _tables["calls"], _tables["accounts"], _tables["ledger_accounts"], _tables["ledger_transfers"])
#: What the ledger needs of an account (never its cached balances): read along with the rows the
#: call needs anyway, so the ledger reads nothing more.
_FACTS = tuple(_ledger.c[name] for name in AccountFacts.COLUMNS)
_CALL_KEYS = tuple(c.key for c in _calls.c)
_TRANSFER_KEYS = tuple(c.key for c in _transfers.c)


@dataclass(frozen=True, slots=True)
class CallAccount:
    """What calls need of the account covering a number (and its ledger account's facts)."""

    id: int
    plan: str
    provider: str
    status: str
    credit_limit: int | None
    currency: str
    last_activity_at: dt.datetime | None
    ledger: AccountFacts | None  # None: an account held with another company

    #: The ``accounts`` columns the call queries read, in field order (the ledger facts follow).
    COLUMNS = ("id", "plan", "provider", "status", "credit_limit", "currency", "last_activity_at")

    @property
    def ledger_account_id(self) -> int | None:
        return None if self.ledger is None else self.ledger.id

    @classmethod
    def of(cls, values: Sequence[Any], ledger: AccountFacts | None) -> CallAccount:
        """From the ``COLUMNS`` a call query read."""
        return cls(*values[:len(cls.COLUMNS)], ledger=ledger)  # type: ignore[misc]


_ACCOUNT = tuple(_accounts.c[name] for name in CallAccount.COLUMNS)


def _facts(values: Sequence[Any]) -> AccountFacts | None:
    return None if values[0] is None else AccountFacts(*values)


_SETTLEMENT = Prepared(
    select(*_calls.c, *_ACCOUNT, *_FACTS,
           *(_ledger.c[name] for name in BALANCE_COLUMNS), *_transfers.c)
    .select_from(
        _calls.join(_accounts, _accounts.c.id == _calls.c.account_id)
        .join(_ledger, _ledger.c.id == _accounts.c.ledger_account_id)
        .outerjoin(_transfers, _transfers.c.id == _calls.c.hold_id))
    .where(_calls.c.call_id == bindparam("call_id"))
    # The call and its customer's ledger row, locked together (calls before accounts, as everywhere).
    .with_for_update(of=[_calls, _ledger])
)
_N_CALL, _N_ACCOUNT, _N_FACTS, _N_SUMS = len(_CALL_KEYS), len(_ACCOUNT), len(_FACTS), len(BALANCE_COLUMNS)
#: A call with no account of ours (refused before one was found): nothing of the ledger to lock.
_SETTLEMENT_WITHOUT_ACCOUNT = select(Call).where(Call.call_id == bindparam("call_id")).with_for_update()


_HOLD = "billing.calls.hold"


def loaded_hold(session: Session, call: Call) -> Transfer | int:
    """The call's hold as ``call_for_settlement`` read it (or its id, for the ledger to read)."""
    hold = session.info.get(_HOLD)
    assert call.hold_id is not None
    return hold if isinstance(hold, Transfer) and hold.id == call.hold_id else call.hold_id


def _detached_call(values: Sequence[Any]) -> Call:
    """A ``Call`` from a row of all its columns, without the ORM's loading machinery."""
    return loaded_detached(Call, dict(zip(_CALL_KEYS, values, strict=True)))


def call_for_settlement(session: Session, call_id: str) -> tuple[Call, CallAccount | None]:
    """The call, locked for this transaction, with its account — one query.

    The account's ledger row (locked with the call) and the call's hold come in the same row and
    are handed to the ledger, which then settles without reading them again. The call is detached:
    its outcome is written with one UPDATE (``settlement``), never by a flush.
    """
    row = _SETTLEMENT.first(session, {"call_id": call_id})
    if row is None:
        other = session.scalar(_SETTLEMENT_WITHOUT_ACCOUNT, {"call_id": call_id})
        if other is None:
            raise UnknownCall(f"No call has the id {call_id!r}.")
        return other, None
    at = _N_CALL
    call = _detached_call(row[:at])
    facts = AccountFacts(*row[at + _N_ACCOUNT:at + _N_ACCOUNT + _N_FACTS])
    account = CallAccount.of(row[at:at + _N_ACCOUNT], facts)
    at += _N_ACCOUNT + _N_FACTS
    known = known_accounts(session)
    known[facts.id] = facts
    revenue = house_account(session, "call_revenue", account.currency)
    known[revenue.id] = revenue
    if facts.keeps_balance:  # the ledger needn't lock (or read) the row again
        adopt_locked_row(session, facts.id, facts.type, facts.currency, Sums(*row[at:at + _N_SUMS]))
    at += _N_SUMS
    if row[at] is not None:  # the hold, handed to the ledger with the call: it reads it no more
        session.info[_HOLD] = transfer_from_row(dict(zip(_TRANSFER_KEYS, row[at:], strict=True)))
    return call, account


def get_call(session: Session, call_id: str, *, for_update: bool = False) -> Call:
    call = session.scalar(_CALL_BY_ID.with_for_update() if for_update else _CALL_BY_ID, {"call_id": call_id})
    if call is None:
        raise UnknownCall(f"No call has the id {call_id!r}.")
    return call


def snapshot_tariff(call: Call) -> Tariff:
    """The tariff values stored with the call, as a rating value (dates are irrelevant here)."""
    assert call.per_minute is not None and call.increment_seconds is not None
    assert call.jurisdiction is not None and call.rounding is not None
    return Tariff(
        jurisdiction=Jurisdiction(call.jurisdiction), per_minute=Decimal(call.per_minute),
        first_minute=None if call.first_minute is None else Decimal(call.first_minute),
        increment_seconds=call.increment_seconds, minimum_seconds=call.minimum_seconds or 0,
        rounding=Rounding(call.rounding), currency=call.currency or "USD",
        effective_from=call.requested_at.date(),
    )


# --- authorize -----------------------------------------------------------------------------


@dataclass
class _Context:
    """What the checks learn about a call, in order."""

    facility: FacilityRates
    caller: _Caller | None = None
    person: _Caller | None = None
    privileged: bool = False
    window_seconds: int = 0
    account: CallAccount | None = None
    tariff: Tariff | None = None


def _same_request(call: Call, req: AuthorizeRequest, facility_id: int) -> bool:
    return (call.facility_id, call.person_ref, call.number, call.requested_at) == (
        facility_id, req.person, req.to, req.requested_at)


#: Everything the policy asks about the dialled number: whether the approved-list entry is
#: privileged, whether a block stops the number from this facility, the account that covers it,
#: and the number's line type on that account.
_NumberFacts = tuple[bool, bool, "CallAccount | None", "str | None"]


@dataclass(frozen=True, slots=True)
class _Caller:
    """What the policy needs of the person calling: who, where, the unit's schedule, and the
    dialled number's facts (None: the number is not on the person's approved list)."""

    id: int
    facility_id: int
    status: str
    windows: tuple[people.Window, ...]
    number: _NumberFacts | None


# The live-call statements are built once, with bound parameters, and run as prepared statements.
_EXISTING_CALL = select(Call.id).where(Call.call_id == bindparam("call_id")).scalar_subquery()
_BLOCKED = exists().where(
    Block.number == bindparam("number"), Block.lifted_at.is_(None),
    or_(Block.scope == "all", Block.facility_id == bindparam("facility_id")),
)
#: The person calling with the unit's schedule (a row per window), the probe for the call id, and
#: the dialled number's facts (the same on every row: an active number is on a person's list, and
#: on an account, at most once) — a new call's facts in one round trip.
_CALLER = Prepared(
    select(Person.id, Person.facility_id, Person.status, CallingWindow.weekday, CallingWindow.start_minute,
           CallingWindow.end_minute, _EXISTING_CALL.label("existing_call"),
           ApprovedNumber.id, ApprovedNumber.privileged, _BLOCKED.label("blocked"), AccountNumber.line_type,
           *_ACCOUNT, *_FACTS)
    .select_from(Person)
    .outerjoin(CallingWindow, CallingWindow.unit_id == Person.unit_id)
    .outerjoin(ApprovedNumber, and_(ApprovedNumber.person_id == Person.id,
                                    ApprovedNumber.number == bindparam("number"),
                                    ApprovedNumber.removed_at.is_(None)))
    .outerjoin(AccountNumber, and_(AccountNumber.number == ApprovedNumber.number, AccountNumber.removed_at.is_(None)))
    .outerjoin(_accounts, _accounts.c.id == AccountNumber.account_id)
    .outerjoin(_ledger, _ledger.c.id == _accounts.c.ledger_account_id)
    .where(Person.id_number == bindparam("id_number"))
)
_CALL_BY_ID = select(Call).where(Call.call_id == bindparam("call_id"))
_CALL_EXISTS = Prepared(select(Call.id).where(Call.call_id == bindparam("call_id")))


def _caller_and_existing_call(
    session: Session, req: AuthorizeRequest, facility_id: int
) -> tuple[_Caller | None, int | None]:
    """The person calling (with the schedule and the number's facts), and the id of a call already
    under this call id."""
    rows = _CALLER.run(session, {"id_number": req.person, "call_id": req.call_id, "number": req.to,
                                 "facility_id": facility_id})
    if not rows:
        return None, _CALL_EXISTS.scalar(session, {"call_id": req.call_id})
    return _caller_from(rows), rows[0][6]


def _caller_from(rows: Sequence[Sequence[Any]]) -> _Caller:
    windows = tuple(people.Window(r[3], r[4], r[5]) for r in rows if r[3] is not None)
    first = rows[0]
    number: _NumberFacts | None = None
    if first[7] is not None:  # the approved-list entry: id, privileged, blocked, line type; the account
        at = 11 + _N_ACCOUNT
        account = None if first[11] is None else CallAccount.of(first[11:at], _facts(first[at:]))
        number = (bool(first[8]), bool(first[9]), account, first[10])
    return _Caller(first[0], first[1], first[2], windows, number)


def _check_policy(  # noqa: PLR0911  (one return per check, in the policy's order)
    settings: Settings, ctx: _Context, req: AuthorizeRequest
) -> str | None:
    """Person → approved list → schedule → block → account; the first failing check's code."""
    person = ctx.caller
    if person is None or person.facility_id != ctx.facility.id or person.status == "released":
        return "UNKNOWN_PERSON"
    ctx.person = person
    if person.status == "restricted":
        return "PHONE_RESTRICTED"
    found = person.number
    if found is None:
        return "NOT_ON_APPROVED_LIST"
    ctx.privileged, blocked, account, line_type = found
    ctx.window_seconds = people.seconds_left_in_window(person.windows, ctx.facility.timezone, req.requested_at)
    if ctx.window_seconds <= 0:
        return "OUTSIDE_CALLING_SCHEDULE"
    if blocked:
        return "NUMBER_BLOCKED"
    if account is None or line_type is None or account.status == "closed":
        return "NO_ACCOUNT"
    ctx.account = account
    if account.provider != settings.provider_code or account.ledger_account_id is None:
        return "NON_PROVIDER_ACCOUNT"
    if account.plan == "direct_bill" and line_type != "landline":
        return "PREPAID_REQUIRED"
    if account.status == "suspended":
        return "ACCOUNT_SUSPENDED"
    try:
        on = req.requested_at.astimezone(ctx.facility.timezone).date()
        ctx.tariff = select_tariff(ctx.facility.tariffs, jurisdiction_for(ctx.facility.state, req.to), req.to, on)
    except NoTariff:
        return "NO_TARIFF"
    return None


_STATUS = Prepared(select(_accounts.c.status).where(_accounts.c.id == bindparam("account_id")))


def _spendable(session: Session, account: CallAccount) -> Money | str:
    """What calls may still cost, read under the account's ledger lock (concurrent calls queue).

    Or the refusal code, if the account stopped being active before the lock was granted:
    closing an account takes the same lock, so the status read after it is final for this call.
    """
    assert account.ledger_account_id is not None
    bal = lock_balance(session, account.ledger_account_id)
    status = _STATUS.scalar(session, {"account_id": account.id})
    if status != "active":
        return "NO_ACCOUNT" if status == "closed" else "ACCOUNT_SUSPENDED"
    if account.plan == "prepaid":
        return bal.available
    limit = from_minor(account.credit_limit or 0, account.currency)
    return limit - bal.posted - bal.debits_pending


def _reserve(session: Session, settings: Settings, ctx: _Context, call: Call) -> str | None:
    """Work out the longest affordable call and hold what it would cost; a code if none is affordable.

    Nothing is written unless the hold is placed, so a refused call leaves no trace in the ledger.
    """
    account, tariff = ctx.account, ctx.tariff
    assert account is not None and tariff is not None and account.ledger is not None
    limit = min(ctx.facility.max_call_seconds or settings.max_call_seconds, ctx.window_seconds)
    spendable = _spendable(session, account)
    if isinstance(spendable, str):
        return spendable
    seconds = max_billable_seconds(tariff, spendable, limit=limit) if spendable.amount > 0 else 0
    if seconds <= 0 and not tariff.is_free:
        return "INSUFFICIENT_FUNDS" if account.plan == "prepaid" else "CREDIT_LIMIT_REACHED"
    if seconds <= 0:  # a free call is limited by time alone
        seconds = limit
    amount = charge(tariff, seconds)
    if amount.amount > 0:
        try:
            hold = ledgers.hold(
                session, debit=account.ledger,
                credit=house_account(session, "call_revenue", account.currency), amount=amount,
                idempotency_key=f"call:{call.call_id}:hold", purpose="call_charge",
                reference=f"call:{call.call_id}",
                timeout=dt.timedelta(seconds=seconds + settings.hold_margin_seconds),
            )
        except ledgers.InsufficientFunds:
            return "INSUFFICIENT_FUNDS" if account.plan == "prepaid" else "CREDIT_LIMIT_REACHED"
        call.hold_id = hold.id
    call.max_duration_seconds, call.hold_amount = seconds, to_minor(amount)
    return None


def _decide(session: Session, settings: Settings, ctx: _Context, req: AuthorizeRequest, call: Call) -> None:
    code = _check_policy(settings, ctx, req)
    call.person_id = ctx.person.id if ctx.person else None
    if ctx.account is not None:
        call.account_id, call.plan = ctx.account.id, ctx.account.plan
    if code is None:
        assert ctx.tariff is not None
        _snapshot(call, ctx.tariff)
        code = _reserve(session, settings, ctx, call)
    if code is None:
        call.authorized, call.state, call.code = True, "authorized", decisions.AUTHORIZED
        call.monitored = not ctx.privileged
    else:
        call.authorized, call.state, call.code = False, "rejected", code
        call.max_duration_seconds, call.monitored, call.hold_id, call.hold_amount = 0, True, None, None
    other = ctx.account.provider if ctx.account is not None else ""
    call.message = decisions.message(call.code, provider=settings.provider_name, other=other)


def _snapshot(call: Call, tariff: Tariff) -> None:
    call.jurisdiction, call.currency = tariff.jurisdiction.value, tariff.currency
    call.per_minute, call.first_minute = tariff.per_minute, tariff.first_minute
    call.increment_seconds, call.minimum_seconds = tariff.increment_seconds, tariff.minimum_seconds
    call.rounding = tariff.rounding.value


_CALL_COLUMNS = [key for key in _CALL_KEYS if key != "id"]
_INSERT_CALL = {
    name: Prepared(dialect_insert(_calls).on_conflict_do_nothing(index_elements=["call_id"])
                   .returning(_calls.c.id), column_keys=_CALL_COLUMNS)
    for name, dialect_insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}


def _insert_once(session: Session, call: Call) -> int | None:
    """Insert the call unless its call id exists (a concurrent duplicate); its id, or None."""
    statement = _INSERT_CALL[session.get_bind().dialect.name]
    state = call.__dict__
    return cast(int | None, statement.scalar(session, {name: state.get(name) for name in _CALL_COLUMNS}))


def authorize(session: Session, settings: Settings, catalog: Catalog, req: AuthorizeRequest) -> Call:
    """Decide whether the call may go through, and for how long; hold the money it may cost.

    The same ``call_id`` again returns the stored decision and places nothing twice. Two identical
    requests at once queue on the account's lock: the second finds the first's hold under the
    same idempotency key (or the call row on insert) and answers with the first's decision.
    """
    facility = catalog.facility(req.facility)
    if facility is None:
        raise UnknownFacility(f"No facility has the code {req.facility!r}.")
    # A narrow probe first: the whole row (a wide one) is read only for a repeated call id.
    caller, existing_id = _caller_and_existing_call(session, req, facility.id)
    existing = None if existing_id is None else session.scalar(_CALL_BY_ID, {"call_id": req.call_id})
    if existing is None:
        call = Call(call_id=req.call_id, facility_id=facility.id, person_ref=req.person, number=req.to,
                    requested_at=req.requested_at, created_at=utcnow(), authorized=False, code="", message="",
                    state="rejected", max_duration_seconds=0, monitored=True, charge_note="")
        try:
            _decide(session, settings, _Context(facility=facility, caller=caller), req, call)
            call_id = _insert_once(session, call)
        except ledgers.IdempotencyConflict:
            call_id = None  # a duplicate request holding for the same call id won the race
        if call_id is not None:
            call.id = call_id
            return call
        existing = session.scalar(select(Call).where(Call.call_id == req.call_id))
        if existing is None:
            raise CallIdConflict(f"The call id {req.call_id!r} is being used by another request.")
    if not _same_request(existing, req, facility.id):
        raise CallIdConflict(f"The call id {req.call_id!r} was already used for a different call.")
    return existing


_house: dict[tuple[str, str, str], AccountFacts] = {}


def house_account(session: Session, name: str, currency: str) -> AccountFacts:
    """A house account's facts: read once per database, then known without a query.

    House accounts never change once made (a trigger refuses it, and they keep no balance).
    """
    key = (str(session.get_bind().engine.url), name, currency)
    cached = _house.get(key)
    if cached is None:
        cached = _house[key] = AccountFacts.of(ledgers.house_account(session, name, currency))
    return cached


# --- the announcement: accept or block -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Acceptance:
    call_id: str
    state: str
    accepted_at: dt.datetime
    max_duration_seconds: int
    monitored: bool


_ACCEPT = Prepared(
    update(_calls)
    .where(_calls.c.call_id == bindparam("b_call_id"), _calls.c.state == "authorized",
           _calls.c.requested_at <= bindparam("b_at"))
    .values(state="accepted", accepted_at=bindparam("b_at"))
    .returning(_calls.c.call_id, _calls.c.state, _calls.c.accepted_at, _calls.c.max_duration_seconds,
               _calls.c.monitored)
)


def accept(session: Session, call_id: str, at: dt.datetime) -> Acceptance:
    """The called party accepted: billable time starts at ``at``. Repeating it changes nothing."""
    # The common case in one narrow statement; anything else is looked at below.
    # One atomic statement: on PostgreSQL it commits by itself, in a single round trip.
    rows = _ACCEPT.run_alone(session, {"b_call_id": call_id, "b_at": at})
    row = rows[0] if rows else None
    if row is not None:
        return Acceptance(row[0], row[1], cast(dt.datetime, row[2]), row[3], row[4])
    call = get_call(session, call_id, for_update=True)
    if call.state == "accepted":
        assert call.accepted_at is not None
        return Acceptance(call.call_id, call.state, call.accepted_at, call.max_duration_seconds, call.monitored)
    if call.state != "authorized":
        raise CallNotActive(f"The call is {call.state}; only an authorized call can be accepted.")
    if at < call.requested_at:
        raise InvalidParameter("'at' is before the call was requested.", details={"field": "at"})
    call.accepted_at, call.state = at, "accepted"  # pragma: no cover - the UPDATE above took this case
    return Acceptance(call.call_id, call.state, at, call.max_duration_seconds, call.monitored)


def block_at_announcement(session: Session, call_id: str, at: dt.datetime, scope: str) -> tuple[Call, int]:
    """The called party pressed 'block': record the block, void the hold, charge nothing."""
    call = get_call(session, call_id, for_update=True)
    if call.state == "blocked":
        block_id = session.scalar(select(Block.id).where(Block.call_id == call.id))
        return call, int(block_id or 0)
    if call.state != "authorized":
        raise CallNotActive(f"The call is {call.state}; it can only be blocked during the announcement.")
    block = blocks.place_block(
        session, number=call.number, scope=scope, facility_id=call.facility_id, source="called_party",
        reason="blocked by the called party at the announcement", actor=f"call:{call.call_id}", call_id=call.id,
    )
    release_hold(session, call)
    call.state, call.ended_at, call.end_reason = "blocked", at, "not_accepted"
    call.billable_seconds, call.charge, call.completed_at = 0, 0, utcnow()
    account = session.get(CalledPartyAccount, call.account_id) if call.account_id else None
    if account is not None and account.plan == "prepaid" and account.ledger_account_id is not None:
        call.balance_after = to_minor(lock_balance(session, account.ledger_account_id).available)
    return call, block.id


def release_hold(session: Session, call: Call) -> None:
    """Void the call's hold if it is still open (an expired one was released already)."""
    if call.hold_id is None:
        return
    try:
        ledgers.void(session, call.hold_id, idempotency_key=f"call:{call.call_id}:void")
    except ledgers.HoldAlreadyResolved:
        pass
    except ledgers.HoldExpired:
        expire_abandoned(session)


def record_incident(session: Session, call: Call, at: dt.datetime) -> None:
    if session.scalar(select(Incident.id).where(Incident.call_id == call.id)) is None:
        session.add(Incident(kind="three_way_call", call_id=call.id, facility_id=call.facility_id,
                             person_id=call.person_id, number=call.number, occurred_at=at, created_at=utcnow()))


def expire_abandoned(
    session: Session, *, margin_seconds: int = DEFAULT_HOLD_MARGIN_SECONDS, now: dt.datetime | None = None
) -> int:
    """Release the holds of calls that never completed; mark those calls expired.

    A hold times out ``max duration + HOLD_MARGIN_SECONDS`` after it was placed (server clock),
    so an abandoned call can't lock a family's money. A call is marked expired whoever released its
    hold (this job, the ledger's own expiry command, or a late completion of another call), and a
    call that held nothing (a free call) expires on the same clock. Returns how many were expired.
    """
    moment = now or utcnow()
    ledgers.expire_holds(session, now=moment)
    open_states = ("authorized", "accepted")
    lapsed_hold = exists().where(Transfer.pending_id == Call.hold_id, Transfer.kind == "expire_pending")
    result = session.execute(
        update(Call).where(Call.state.in_(open_states), Call.hold_id.is_not(None), lapsed_hold)
        .values(state="expired").execution_options(synchronize_session=False)
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    margin = margin_seconds
    for call in session.scalars(select(Call).where(Call.state.in_(open_states), Call.hold_id.is_(None))):
        if call.created_at + dt.timedelta(seconds=call.max_duration_seconds + margin) <= moment:
            call.state = "expired"
            count += 1
    return count
