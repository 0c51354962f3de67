"""Opening accounts: the house chart, customer accounts, lookups."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

import ledgers
from ledgers import AccountType


def test_house_chart_is_created_once_with_stable_codes(session: Session) -> None:
    first = ledgers.ensure_house_accounts(session, "USD")
    session.commit()
    again = ledgers.ensure_house_accounts(session, "USD")
    assert {name: a.id for name, a in first.items()} == {name: a.id for name, a in again.items()}
    assert {a.code for a in first.values()} == {
        "house:payment_clearing:USD", "house:call_revenue:USD", "house:refunds_payable:USD",
        "house:dispute_losses:USD", "house:bank:USD",
    }
    assert first["payment_clearing"].account_type is AccountType.ASSET
    assert first["call_revenue"].account_type is AccountType.REVENUE
    assert first["refunds_payable"].account_type is AccountType.LIABILITY
    assert first["dispute_losses"].account_type is AccountType.EXPENSE
    assert not any(a.keeps_balance for a in first.values())
    assert ledgers.house_account(session, "call_revenue").id == first["call_revenue"].id
    assert ledgers.ensure_house_accounts(session, "EUR")["call_revenue"].code == "house:call_revenue:EUR"


def test_customer_accounts(session: Session) -> None:
    prepaid = ledgers.open_customer_account(session, code="family:7", kind="prepaid", currency="USD")
    receivable = ledgers.open_customer_account(session, code="direct:7", kind="receivable", currency="USD")
    assert prepaid.account_type is AccountType.LIABILITY
    assert prepaid.debits_must_not_exceed_credits and prepaid.keeps_balance
    assert receivable.account_type is AccountType.ASSET
    assert not receivable.debits_must_not_exceed_credits and receivable.keeps_balance
    same = ledgers.open_customer_account(session, code="family:7", kind="prepaid", currency="USD")
    assert same.id == prepaid.id
    with pytest.raises(ledgers.AccountConflict) as exc:
        ledgers.open_customer_account(session, code="family:7", kind="receivable", currency="USD")
    assert exc.value.code == "ACCOUNT_CONFLICT"
    with pytest.raises(ledgers.AccountConflict):
        ledgers.open_customer_account(session, code="family:7", kind="prepaid", currency="EUR")
    with pytest.raises(ValueError, match="house"):
        ledgers.open_customer_account(session, code="house:x", kind="prepaid", currency="USD")
    with pytest.raises(ValueError, match="currency"):
        ledgers.open_customer_account(session, code="family:8", kind="prepaid", currency="XXY")


def test_lookups_raise_unknown_account(session: Session) -> None:
    account = ledgers.open_customer_account(session, code="family:9", kind="prepaid", currency="USD")
    assert ledgers.get_account(session, "family:9") is account
    assert ledgers.get_account(session, account.id) is account
    for missing in ("family:404", 404_404):
        with pytest.raises(ledgers.UnknownAccount) as exc:
            ledgers.get_account(session, missing)
        assert exc.value.code == "UNKNOWN_ACCOUNT"
    with pytest.raises(ledgers.UnknownAccount):
        ledgers.house_account(session, "call_revenue", "CAD")  # no Canadian chart yet
    with pytest.raises(ledgers.UnknownAccount):
        ledgers.house_account(session, "petty_cash")
