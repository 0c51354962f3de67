"""Opening and finding ledger accounts: the house chart and one account per customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledgers.base import utcnow
from ledgers.errors import AccountConflict, UnknownAccount
from ledgers.models import AccountType, LedgerAccount
from rating.money import minor_exponent

__all__ = [
    "HOUSE_ACCOUNTS",
    "AccountFacts",
    "AccountRef",
    "create_account",
    "ensure_house_accounts",
    "get_account",
    "house_account",
    "house_code",
    "open_customer_account",
]

@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What never changes about an account once it is open (a trigger refuses any change).

    A caller that already read these columns (with the rows it needed anyway) passes them instead
    of a ``LedgerAccount``, and the ledger reads nothing more about the account.
    """

    id: int
    code: str
    type: str
    currency: str
    keeps_balance: bool
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool

    #: The columns these facts are read from, in field order.
    COLUMNS = ("id", "code", "type", "currency", "keeps_balance", "debits_must_not_exceed_credits",
               "credits_must_not_exceed_debits")

    @classmethod
    def of(cls, account: LedgerAccount) -> AccountFacts:
        return cls(*(getattr(account, name) for name in cls.COLUMNS))


#: An account, its facts, or its id.
AccountRef = LedgerAccount | AccountFacts | int

#: The provider's own accounts, one set per currency. None of them keeps a cached balance.
HOUSE_ACCOUNTS: dict[str, AccountType] = {
    "payment_clearing": AccountType.ASSET,  # money received from Stripe, not yet paid out
    "call_revenue": AccountType.REVENUE,
    "refunds_payable": AccountType.LIABILITY,  # e.g. check refunds owed to families
    "bank": AccountType.ASSET,  # the provider's bank account: mailed checks are paid from it
    "dispute_losses": AccountType.EXPENSE,
}

HOUSE_PREFIX = "house:"
_MAX_CODE = 100


def house_code(name: str, currency: str) -> str:
    """``house:call_revenue:USD``."""
    return f"{HOUSE_PREFIX}{name}:{currency}"


def create_account(
    session: Session,
    *,
    code: str,
    type: AccountType | str,
    currency: str,
    keeps_balance: bool,
    debits_must_not_exceed_credits: bool = False,
    credits_must_not_exceed_debits: bool = False,
) -> LedgerAccount:
    """Open an account, or return the existing one with that code if it is the same account.

    The building block of the two functions below; use it directly only for accounts outside the
    standard chart. Raises ``AccountConflict`` if the code exists with other attributes.
    """
    account_type = AccountType(type)
    if not code or len(code) > _MAX_CODE:
        raise ValueError(f"account code must be 1–{_MAX_CODE} characters")
    minor_exponent(currency)  # ValueError for an unknown currency
    wanted = {
        "type": account_type.value,
        "currency": currency,
        "keeps_balance": keeps_balance,
        "debits_must_not_exceed_credits": debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": credits_must_not_exceed_debits,
    }
    existing = _by_code(session, code)
    if existing is None:
        account = LedgerAccount(code=code, created_at=utcnow(), **wanted)
        try:
            with session.begin_nested():
                session.add(account)
            return account
        except IntegrityError:  # another session opened it first
            existing = _by_code(session, code)
            if existing is None:
                raise
    if any(getattr(existing, name) != value for name, value in wanted.items()):
        raise AccountConflict(f"account {code} exists with different attributes")
    return existing


def _by_code(session: Session, code: str) -> LedgerAccount | None:
    return session.scalars(select(LedgerAccount).where(LedgerAccount.code == code)).first()


def open_customer_account(
    session: Session, *, code: str, kind: Literal["prepaid", "receivable"], currency: str
) -> LedgerAccount:
    """A customer's account: a guarded prepaid liability, or a direct-bill receivable (asset).

    Idempotent for the same code, kind and currency; ``AccountConflict`` otherwise.
    """
    if code.startswith(HOUSE_PREFIX):
        raise ValueError(f"customer account codes may not start with {HOUSE_PREFIX!r}")
    if kind == "prepaid":
        return create_account(
            session, code=code, type=AccountType.LIABILITY, currency=currency, keeps_balance=True,
            debits_must_not_exceed_credits=True,
        )
    if kind == "receivable":
        return create_account(
            session, code=code, type=AccountType.ASSET, currency=currency, keeps_balance=True
        )
    raise ValueError(f"unknown customer account kind {kind!r}")


def ensure_house_accounts(session: Session, currency: str = "USD") -> dict[str, LedgerAccount]:
    """Create the house chart for ``currency`` where missing; return it by name."""
    return {
        name: create_account(
            session, code=house_code(name, currency), type=account_type, currency=currency,
            keeps_balance=False,
        )
        for name, account_type in HOUSE_ACCOUNTS.items()
    }


def house_account(session: Session, name: str, currency: str = "USD") -> LedgerAccount:
    """A house account by name (``call_revenue``…); ``UnknownAccount`` if not created yet."""
    if name not in HOUSE_ACCOUNTS:
        raise UnknownAccount(f"no house account named {name!r}")
    return get_account(session, house_code(name, currency))


def get_account(session: Session, code_or_id: str | int) -> LedgerAccount:
    """An account by code or id; ``UnknownAccount`` if there is none."""
    if isinstance(code_or_id, bool):
        raise TypeError("account id must be int or str")
    by_id = isinstance(code_or_id, int)
    account = session.get(LedgerAccount, code_or_id) if by_id else _by_code(session, str(code_or_id))
    if account is None:
        raise UnknownAccount(f"no ledger account {code_or_id!r}")
    return account
