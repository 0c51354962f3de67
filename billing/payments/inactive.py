"""Unused prepaid money goes back to its owner after 180 days without activity (47 CFR 64.6130).

Prepaid money belongs to the account holder: it is never taken. An account whose clock
(``last_activity_at``: a deposit or a charged call restarts it) has run 180 days and that still
holds money is closed the way a holder's own request closes it (``refunds.close_account``): the
balance goes back to the cards it came from, newest payment first, and what no card can take
becomes a check for staff to send. No fee, to the cent.

An account that can't be closed just now (a call in progress, a payment not final, a deposit
that arrived since the run began) is left for the next run, which is daily; the reason is in the
run's report. Suspended accounts and those flagged for review (a dispute) are not touched: staff
decide.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.accounts.models import CalledPartyAccount
from billing.config import Settings
from billing.db import Database
from billing.errors import ServiceError
from billing.payments import refunds
from billing.payments.gateway import Gateway
from billing.payments.settlement import SYSTEM_ROLE
from billing.payments.wiring import make_gateway
from ledgers.base import utcnow
from ledgers.models import LedgerAccount
from rating.money import format_amount, from_minor

__all__ = ["INACTIVE_AFTER", "InactiveReport", "dormant_accounts", "refund_dormant", "scheduled"]

log = logging.getLogger(__name__)

#: How long a prepaid balance may sit unused before the provider must give it back.
INACTIVE_AFTER = dt.timedelta(days=180)
ACTOR = "inactive-balances job"
REASON = "No deposit or call for 180 days: the unused balance is refunded (47 CFR 64.6130)."


@dataclass
class InactiveReport:
    lines: list[str] = field(default_factory=list)
    refunded: int = 0  # accounts closed and refunded
    deferred: int = 0  # accounts that could not be closed just now

    def summary(self) -> str:
        return f"{self.refunded} inactive balance(s) refunded, {self.deferred} left for the next run"


def dormant_accounts(session: Session, *, now: dt.datetime, inactive_for: dt.timedelta = INACTIVE_AFTER) -> list[int]:
    """Active, unreviewed prepaid accounts whose clock has run ``inactive_for`` and that hold money.

    Suspended accounts and those flagged for review (a dispute) wait for staff: their money stays.
    """
    a = CalledPartyAccount.__table__.c
    ledger = LedgerAccount.__table__.c
    available = ledger.credits_posted - ledger.debits_posted - ledger.debits_pending
    return list(session.scalars(
        select(a.id).join(LedgerAccount.__table__, ledger.id == a.ledger_account_id)
        .where(a.plan == "prepaid", a.status == "active", a.needs_review.is_(False),
               a.last_activity_at <= now - inactive_for, available > 0)
        .order_by(a.id)))


def refund_dormant(session: Session, gateway: Gateway, *, now: dt.datetime | None = None,
                   inactive_for: dt.timedelta = INACTIVE_AFTER) -> InactiveReport:
    """Close and refund every dormant account. Boundary: commits each account on its own."""
    report = InactiveReport()
    idle_since = (now or utcnow()) - inactive_for
    for account_id in dormant_accounts(session, now=now or utcnow(), inactive_for=inactive_for):
        try:  # checked again under the account's lock: a deposit may have arrived since the list was read
            closing = refunds.close_account(session, gateway, account_id, reason=REASON, actor=ACTOR,
                                            role=SYSTEM_ROLE, only_if_idle_since=idle_since)
        except ServiceError as exc:  # a call, a payment or a review in the way: tomorrow
            session.rollback()
            report.deferred += 1
            report.lines.append(f"account {account_id}: not now ({exc.code}: {exc.message})")
            continue
        except Exception:  # one broken account must not stop the run
            session.rollback()
            log.exception("refunding the inactive balance of account %s failed", account_id)
            report.deferred += 1
            report.lines.append(f"account {account_id}: error (see the log); retried next run")
            continue
        report.refunded += 1
        currency = closing.account.currency
        total = format_amount(from_minor(sum(r.amount for r in closing.refunds), currency))
        methods = ", ".join(f"{r.method} {format_amount(from_minor(r.amount, currency))}" for r in closing.refunds)
        report.lines.append(f"account {account_id}: closed, {total} refunded ({methods})")
    return report


def scheduled(db: Database, settings: Settings) -> str:
    """One daily run for the scheduler process; skipped when Stripe is not configured (cards first)."""
    if not settings.stripe_secret_key:
        return "skipped: payments are not configured"
    with db.sessions() as session:
        report = refund_dormant(session, make_gateway(settings))
    return report.summary()
