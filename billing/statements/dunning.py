"""Dunning: a direct-bill statement not paid by its due date suspends the account until it is paid.

The rule (DOMAIN.md): a missed due date blocks the number until paid and moves the customer to
prepaid. Suspending the direct-bill account refuses the calls that would be billed to it
(``ACCOUNT_SUSPENDED``) without blocking the number itself, so the family can receive calls again at
once by moving the number to a prepaid account; paying the amount due in full lifts the suspension
(``billing.payments.settlement``), as it does for any suspension but a dispute's. Each past-due
statement is acted on once (a ``DunningNotice``, unique per statement), whatever the account's
state; an account already suspended or closed is left as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from billing import audit
from billing.accounts import services as accounts
from billing.accounts.models import CalledPartyAccount
from billing.config import Settings
from billing.db import Database
from billing.payments.settlement import PAST_DUE_REASON_PREFIX, SYSTEM_ROLE
from invoices import DunningNotice, PastDue, outstanding, past_due
from ledgers.base import utcnow
from ledgers.locks import lock_balance
from rating.money import format_amount, from_minor

__all__ = ["ACTOR", "DunningReport", "run", "scheduled"]

log = logging.getLogger(__name__)

ACTOR = "dunning job"


@dataclass
class DunningReport:
    lines: list[str] = field(default_factory=list)
    suspended: int = 0
    errors: int = 0

    def summary(self) -> str:
        return (f"{len(self.lines) - self.errors} past-due statement(s), {self.suspended} account(s) suspended, "
                f"{self.errors} error(s)")


def _reason(item: PastDue, currency: str) -> str:
    return (f"{PAST_DUE_REASON_PREFIX} statement {item.number} was due {item.due_on.isoformat()}; "
            f"{format_amount(from_minor(item.outstanding, currency))} of it is unpaid. Pay the amount due, "
            f"or move the number to a prepaid account.")


def _act(db: Database, item: PastDue) -> tuple[str, str]:
    """Suspend the statement's account (if active) and record the notice, in one transaction.

    The account's row is locked first (then its ledger row), as a payment's credit locks it: a
    payment being credited right now is waited for and counted, and one credited after this
    commits reads the suspension under the same lock and lifts it when what is past due is paid.
    """
    with db.unit_of_work() as session:
        account = session.get(CalledPartyAccount, item.account_id, with_for_update=True, populate_existing=True)
        assert account is not None
        lock_balance(session, item.ledger_account_id)
        if session.scalar(select(DunningNotice.id).where(DunningNotice.statement_id == item.statement_id)):
            return "none", f"statement {item.number}: already acted on"
        item = replace(item, outstanding=outstanding(session, item.statement_id))
        if item.outstanding <= 0:
            return "none", f"statement {item.number}: paid meanwhile"
        action = "none"
        if account.status == "active":
            reason = _reason(item, account.currency)
            before = accounts.set_status(session, account, "suspended", reason)
            audit.record(session, actor=ACTOR, role=SYSTEM_ROLE, action="account.suspend", subject_type="account",
                         subject_id=account.id, details={"status": {"before": before, "after": "suspended"},
                                                         "reason": reason, "statement": item.number})
            action = "suspended"
        session.add(DunningNotice(statement_id=item.statement_id, account_id=item.account_id,
                                  outstanding=item.outstanding, action=action))
        owed = format_amount(from_minor(item.outstanding, account.currency))
        return action, (f"statement {item.number} (account {account.id}): {owed} unpaid after "
                        f"{item.due_on.isoformat()}; " + ("account suspended" if action == "suspended"
                                                          else f"account already {account.status}"))


def run(db: Database, *, now: dt.datetime | None = None) -> DunningReport:
    """Act on every statement past due. Boundary: commits each statement on its own."""
    report = DunningReport()
    with db.sessions() as session:
        found = past_due(session, now=now or utcnow())
    for item in found:
        try:
            action, line = _act(db, item)
        except Exception:  # one account must not stop the run; the next run retries it
            log.exception("dunning statement %s failed", item.number)
            report.errors += 1
            report.lines.append(f"statement {item.number}: error (see the log); retried next run")
            continue
        report.suspended += action == "suspended"
        report.lines.append(line)
    return report


def scheduled(db: Database, settings: Settings) -> str:
    """The daily run for the scheduler process."""
    return run(db).summary()
