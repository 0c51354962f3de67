"""Every model of the project, imported in one place so the shared metadata is complete.

Alembic's ``env.py`` and the tests import this module; nothing else needs to.
"""

from __future__ import annotations

import ledgers.models  # noqa: F401  (registers the ledger tables)
from billing.apikeys.models import ApiKey
from billing.audit import AuditEntry
from billing.facilities.models import Facility, RateCatalogVersion, TariffRecord
from ledgers.base import metadata

__all__ = ["ApiKey", "AuditEntry", "Facility", "RateCatalogVersion", "TariffRecord", "metadata"]
