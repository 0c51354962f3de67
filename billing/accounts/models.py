"""Called-party accounts and the numbers they cover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledgers.base import Base, BigIntKey, UTCDateTime, utcnow


class CalledPartyAccount(Base):
    """A family's (or lawyer's) account: who holds it, its plan, and its ledger account.

    Prepaid accounts are the holder's money (a guarded liability in the ledger); direct-bill
    accounts accrue charges on a receivable up to a credit limit. An account recorded as held by
    another company has no ledger account: calls to its numbers are refused.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("plan IN ('prepaid', 'direct_bill')", name="plan_known"),
        CheckConstraint("status IN ('active', 'suspended', 'closed')", name="status_known"),
        CheckConstraint("plan = 'direct_bill' OR credit_limit IS NULL", name="credit_limit_direct_bill_only"),
        CheckConstraint("credit_limit IS NULL OR credit_limit >= 0", name="credit_limit_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    plan: Mapped[str] = mapped_column(String(12))
    #: The company that holds the account; ours is the PROVIDER_CODE setting.
    provider: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default="active")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_email: Mapped[str] = mapped_column(String(254), default="")
    holder_address: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    #: Direct bill only, in minor units.
    credit_limit: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ledger_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"), nullable=True,
                                                          unique=True)
    #: Set when something needs a person to look (a dispute, a failed refund).
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The 180-day inactivity clock (47 CFR 64.6130): a deposit, a call or an inquiry restarts it.
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    numbers: Mapped[list[AccountNumber]] = relationship(
        back_populates="account", order_by="AccountNumber.id",
        primaryjoin="and_(CalledPartyAccount.id == AccountNumber.account_id, AccountNumber.removed_at.is_(None))",
        viewonly=True,
    )


class AccountNumber(Base):
    """A number an account covers, with its line type (cell phones need a prepaid account)."""

    __tablename__ = "account_numbers"
    __table_args__ = (
        CheckConstraint("line_type IN ('mobile', 'landline', 'voip')", name="line_type_known"),
        Index("ix_account_numbers_active", "number", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    line_type: Mapped[str] = mapped_column(String(10))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    account: Mapped[CalledPartyAccount] = relationship(foreign_keys=[account_id])
