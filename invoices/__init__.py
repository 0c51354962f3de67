"""Statements (and, later, dunning): documents made from the ledger for billing accounts.

Knows the ledger and billing accounts' *ids*, never Flask or the ``billing`` package: the caller
says which accounts to state and how to describe the calls their journal rows charged.
"""

from invoices.dunning import PastDue, outstanding, past_due, past_due_owed
from invoices.models import LINE_KINDS, DunningNotice, Statement, StatementLine
from invoices.periods import InvalidPeriod, Period, zone
from invoices.statements import (
    CallDetail,
    DetailSource,
    Outcome,
    PeriodNotOver,
    RunReport,
    StatementAccount,
    Terms,
    issue,
    run,
    statement_number,
)

__all__ = [
    "LINE_KINDS",
    "CallDetail",
    "DetailSource",
    "DunningNotice",
    "InvalidPeriod",
    "Outcome",
    "PastDue",
    "Period",
    "PeriodNotOver",
    "RunReport",
    "Statement",
    "StatementAccount",
    "StatementLine",
    "Terms",
    "issue",
    "outstanding",
    "past_due",
    "past_due_owed",
    "run",
    "statement_number",
    "zone",
]
