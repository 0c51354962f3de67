"""Every model of the project, imported in one place so the shared metadata is complete.

Alembic's ``env.py`` and the tests import this module; nothing else needs to.
"""

from __future__ import annotations

import billing.payments.models  # noqa: F401  (registers the payment tables)
import ledgers.models  # noqa: F401  (registers the ledger tables)
from billing.accounts.models import AccountNumber, CalledPartyAccount
from billing.apikeys.models import ApiKey
from billing.audit import AuditEntry
from billing.blocks.models import Block
from billing.calls.models import Call, Incident
from billing.facilities.models import Facility, RateCatalogVersion, TariffRecord
from billing.people.models import ApprovedNumber, CallingWindow, LivingUnit, Person
from invoices.models import DunningNotice, Statement, StatementLine
from ledgers.base import metadata

__all__ = [
    "AccountNumber",
    "ApiKey",
    "ApprovedNumber",
    "AuditEntry",
    "Block",
    "Call",
    "CalledPartyAccount",
    "CallingWindow",
    "DunningNotice",
    "Facility",
    "Incident",
    "LivingUnit",
    "Person",
    "RateCatalogVersion",
    "Statement",
    "StatementLine",
    "TariffRecord",
    "metadata",
]
