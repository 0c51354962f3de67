"""Opening and managing called-party accounts; their balances come from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from moneyed import Money
from sqlalchemy import select
from sqlalchemy.orm import Session

import ledgers
from billing.accounts.models import AccountNumber, CalledPartyAccount
from billing.errors import AlreadyExists, Conflict, InvalidParameter, NotFound, PrepaidRequired
from ledgers.base import utcnow
from ledgers.locks import lock_balance
from rating.money import format_amount, from_minor, money, round_money, to_minor

PLANS = ("prepaid", "direct_bill")
LINE_TYPES = ("mobile", "landline", "voip")
STATUSES = ("active", "suspended", "closed")


@dataclass(frozen=True, slots=True)
class NumberSpec:
    number: str  # E.164
    line_type: str


def ledger_code(account_id: int, plan: str) -> str:
    return f"customer:{account_id}:{'prepaid' if plan == 'prepaid' else 'receivable'}"


def get_account(session: Session, account_id: int) -> CalledPartyAccount:
    account = session.get(CalledPartyAccount, account_id)
    if account is None:
        raise NotFound(f"No account has the id {account_id}.")
    return account


def account_for_number(session: Session, number: str) -> CalledPartyAccount | None:
    """The account that covers ``number`` now (closed accounts no longer cover anything)."""
    return session.scalar(
        select(CalledPartyAccount).join(AccountNumber, AccountNumber.account_id == CalledPartyAccount.id)
        .where(AccountNumber.number == number, AccountNumber.removed_at.is_(None))
    )


def _check_numbers(session: Session, plan: str, numbers: list[NumberSpec]) -> None:
    seen = set()
    for spec in numbers:
        if spec.line_type not in LINE_TYPES:
            raise InvalidParameter(f"'line_type' must be one of {', '.join(LINE_TYPES)}.",
                                   details={"field": "line_type"})
        if plan == "direct_bill" and spec.line_type != "landline":
            raise PrepaidRequired(f"{spec.number} is a {spec.line_type} line: cell phones and VoIP lines "
                                  "need a prepaid account.")
        if spec.number in seen or account_for_number(session, spec.number) is not None:
            raise AlreadyExists(f"{spec.number} is already covered by an account.")
        seen.add(spec.number)


def open_account(
    session: Session, *, plan: str, provider: str, our_provider: str, holder_name: str, holder_email: str = "",
    holder_address: str = "", numbers: list[NumberSpec], credit_limit: Decimal | None = None,
    default_credit_limit: Decimal = Decimal("30.00"), currency: str = "USD",
) -> CalledPartyAccount:
    """Open an account; ours get a ledger account (prepaid liability or direct-bill receivable)."""
    if plan not in PLANS:
        raise InvalidParameter(f"'plan' must be one of {', '.join(PLANS)}.", details={"field": "plan"})
    if not numbers:
        raise InvalidParameter("An account covers at least one number.", details={"field": "numbers"})
    if plan == "prepaid" and credit_limit is not None:
        raise InvalidParameter("A prepaid account has no credit limit.", details={"field": "credit_limit"})
    if credit_limit is not None and credit_limit < 0:
        raise InvalidParameter("'credit_limit' must not be negative.", details={"field": "credit_limit"})
    _check_numbers(session, plan, numbers)
    limit_units = None
    if plan == "direct_bill":
        limit = credit_limit if credit_limit is not None else default_credit_limit
        limit_units = to_minor(round_money(money(limit, currency)))
    account = CalledPartyAccount(
        plan=plan, provider=provider, status="active", holder_name=holder_name, holder_email=holder_email,
        holder_address=holder_address, currency=currency, credit_limit=limit_units, created_at=utcnow(),
        last_activity_at=utcnow(),
    )
    session.add(account)
    session.flush()
    for spec in numbers:
        session.add(AccountNumber(account_id=account.id, number=spec.number, line_type=spec.line_type,
                                  added_at=utcnow()))
    if provider == our_provider:
        ledger_account = ledgers.open_customer_account(
            session, code=ledger_code(account.id, plan), kind="prepaid" if plan == "prepaid" else "receivable",
            currency=currency,
        )
        account.ledger_account_id = ledger_account.id
    session.flush()
    session.expire(account, ["numbers"])
    return account


def add_number(session: Session, account: CalledPartyAccount, spec: NumberSpec) -> AccountNumber:
    if account.status == "closed":
        raise Conflict("The account is closed.")
    _check_numbers(session, account.plan, [spec])
    row = AccountNumber(account_id=account.id, number=spec.number, line_type=spec.line_type, added_at=utcnow())
    session.add(row)
    session.flush()
    session.expire(account, ["numbers"])
    return row


def _active_number(session: Session, account: CalledPartyAccount, number: str) -> AccountNumber:
    row = session.scalar(select(AccountNumber).where(
        AccountNumber.account_id == account.id, AccountNumber.number == number, AccountNumber.removed_at.is_(None)))
    if row is None:
        raise NotFound(f"{number} is not on this account.")
    return row


def remove_number(session: Session, account: CalledPartyAccount, number: str) -> None:
    _active_number(session, account, number).removed_at = utcnow()
    session.expire(account, ["numbers"])


def change_line_type(session: Session, account: CalledPartyAccount, number: str, line_type: str) -> str:
    """Record a changed line type (a landline ported to a cell phone); returns the old one.

    A direct-bill account may end up covering a mobile number this way: calls to it are then
    refused with PREPAID_REQUIRED until the family moves to prepaid.
    """
    if line_type not in LINE_TYPES:
        raise InvalidParameter(f"'line_type' must be one of {', '.join(LINE_TYPES)}.", details={"field": "line_type"})
    row = _active_number(session, account, number)
    before, row.line_type = row.line_type, line_type
    return before


def set_status(session: Session, account: CalledPartyAccount, status: str, reason: str) -> str:
    if status not in STATUSES:
        raise InvalidParameter(f"'status' must be one of {', '.join(STATUSES)}.", details={"field": "status"})
    if account.status == "closed" and status != "closed":
        raise Conflict("A closed account cannot be reopened; open a new one.")
    if status == "closed" and account.status != "closed":
        _check_nothing_left(session, account)
    before = account.status
    account.status, account.status_reason = status, reason
    if status == "closed":
        for row in session.scalars(select(AccountNumber).where(AccountNumber.account_id == account.id,
                                                               AccountNumber.removed_at.is_(None))):
            row.removed_at = utcnow()
        session.expire(account, ["numbers"])
    return before


class MoneyLeftOnAccount(Conflict):
    """An account that still holds or owes money can't simply be closed."""

    code = "MONEY_LEFT_ON_ACCOUNT"


def _check_nothing_left(session: Session, account: CalledPartyAccount) -> None:
    """Closing must not swallow a family's money: refund (or collect) first.

    Read under the ledger lock that authorizing a call takes, so a call can't be held meanwhile.
    """
    s = standing(session, account, lock=True)
    if s.pending.amount > 0:
        raise MoneyLeftOnAccount("A call is in progress on this account; close it after the call ends.")
    if s.available_balance is not None and s.available_balance.amount > 0:
        raise MoneyLeftOnAccount(
            f"The account still holds {format_amount(s.available_balance)}: close it with "
            f"POST /v1/accounts/{account.id}/close, which refunds the balance.")
    if s.amount_due is not None and s.amount_due.amount > 0:
        raise MoneyLeftOnAccount(f"The account still owes {format_amount(s.amount_due)}.")


def set_credit_limit(account: CalledPartyAccount, limit: Decimal) -> int | None:
    if account.plan != "direct_bill":
        raise InvalidParameter("Only a direct-bill account has a credit limit.", details={"field": "credit_limit"})
    if limit < 0:
        raise InvalidParameter("'credit_limit' must not be negative.", details={"field": "credit_limit"})
    before = account.credit_limit
    account.credit_limit = to_minor(round_money(money(limit, account.currency)))
    return before


@dataclass(frozen=True, slots=True)
class Standing:
    """What an account holds or owes right now, from the ledger."""

    available_balance: Money | None  # prepaid: money the family can spend on calls
    amount_due: Money | None  # direct bill: charges posted and not yet paid
    pending: Money  # held for calls in progress
    credit_available: Money | None  # direct bill: what calls in progress may still accrue


def standing(session: Session, account: CalledPartyAccount, *, lock: bool = False) -> Standing:
    """The account's money now; ``lock``: under its ledger row lock, so no call can slip in meanwhile."""
    zero = from_minor(0, account.currency)
    if account.ledger_account_id is None:
        return Standing(None, None, zero, None)
    bal = lock_balance(session, account.ledger_account_id) if lock else ledgers.balance(session,
                                                                                          account.ledger_account_id)
    if account.plan == "prepaid":
        return Standing(bal.available, None, bal.debits_pending, None)
    limit = from_minor(account.credit_limit or 0, account.currency)
    exposure = bal.posted + bal.debits_pending
    return Standing(None, bal.posted, bal.debits_pending, max(limit - exposure, zero))


def account_json(session: Session, account: CalledPartyAccount) -> dict[str, Any]:
    s = standing(session, account)
    body: dict[str, Any] = {
        "id": account.id,
        "plan": account.plan,
        "provider": account.provider,
        "status": account.status,
        "numbers": [{"number": n.number, "line_type": n.line_type} for n in account.numbers],
        "holder": {"name": account.holder_name, "email": account.holder_email, "address": account.holder_address},
        "currency": account.currency,
    }
    if account.plan == "prepaid":
        body["available_balance"] = format_amount(s.available_balance) if s.available_balance is not None else None
    else:
        body["amount_due"] = format_amount(s.amount_due) if s.amount_due is not None else None
        body["credit_limit"] = format_amount(from_minor(account.credit_limit or 0, account.currency))
        body["credit_available"] = format_amount(s.credit_available) if s.credit_available is not None else None
    body["on_hold"] = format_amount(s.pending)
    if account.status != "active":
        body["status_reason"] = account.status_reason
    return body
