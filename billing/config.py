"""Settings, read from the environment only.

Every knob the service has is a field here with its environment variable and default. ``create_app``
takes a ``Settings`` (tests build one directly) or reads ``Settings.from_env()``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The embedded default: an SQLite file under the checkout's ``instance/`` folder.
DEFAULT_SQLITE = f"sqlite:///{Path(__file__).resolve().parent.parent / 'instance' / 'billing.db'}"


#: Seconds a hold outlives its call's maximum duration (HOLD_MARGIN_SECONDS).
DEFAULT_HOLD_MARGIN_SECONDS = 300


class ConfigError(ValueError):
    """A setting is missing or malformed; raised at start-up, never during a request."""


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"not a boolean: {text!r}")


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except ArithmeticError as exc:
        raise ConfigError(f"not a decimal amount: {text!r}") from exc
    if not value.is_finite():
        raise ConfigError(f"not a decimal amount: {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The service's configuration. Field ``x`` is read from the environment variable ``X``."""

    database_url: str = DEFAULT_SQLITE
    secret_key: str = ""
    #: Demo mode: loads demo data and creates the well-known demo API keys. Never in production.
    demo: bool = False
    #: The number the called party sees (the provider's configured caller ID).
    caller_id: str = "+18667184777"
    #: The provider's name, spoken and shown on pages.
    provider_name: str = "Family Connect"
    #: How accounts record that they are held by us; accounts held by other companies are refused.
    provider_code: str = "family-connect"
    #: How long a worker trusts its cached API-key lookup (and the rate catalog version read with
    #: it) before asking the database again. 0 = ask on every request. A revoked key, or a tariff
    #: changed through another worker, takes effect everywhere within this many milliseconds.
    auth_cache_ms: int = 1000
    #: Log SQL statements (debugging only).
    sql_echo: bool = False
    #: Seconds a hold may outlive its call's maximum duration before the expiry job frees it.
    hold_margin_seconds: int = DEFAULT_HOLD_MARGIN_SECONDS
    #: A call the system drops within this many seconds of acceptance is not charged.
    dropped_call_grace_seconds: int = 60
    #: Default maximum length of one call, when a facility sets none.
    max_call_seconds: int = 1800
    #: Default size of an approved calling list, when a facility sets none.
    approved_list_size: int = 30
    #: Direct-bill credit limit for a new account.
    default_credit_limit: Decimal = Decimal("30.00")
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    min_deposit: Decimal = Decimal("5.00")
    max_deposit: Decimal = Decimal("300.00")
    #: The time zone whose calendar months are the statement periods.
    statement_timezone: str = "America/Chicago"
    #: Direct bill: days from the statement date (the 1st of the next month) to the due date.
    statement_due_days: int = 20
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.secret_key:
            # A per-process random key would break sessions across gunicorn workers, so
            # production must set one; demo mode and tests get a throwaway key.
            if not self.demo:
                raise ConfigError("SECRET_KEY must be set (or run in demo mode)")
            object.__setattr__(self, "secret_key", secrets.token_hex(32))
        if self.max_deposit < Decimal("50.00"):
            raise ConfigError("MAX_DEPOSIT may not be set below 50.00 (FCC 47 CFR 64.6130)")
        if self.min_deposit <= 0 or self.min_deposit > self.max_deposit:
            raise ConfigError("MIN_DEPOSIT must be positive and not above MAX_DEPOSIT")
        try:
            ZoneInfo(self.statement_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"STATEMENT_TIMEZONE is not a time zone: {self.statement_timezone!r}") from exc
        if not 1 <= self.statement_due_days <= 90:
            raise ConfigError("STATEMENT_DUE_DAYS must be between 1 and 90")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from environment variables (``DATABASE_URL``, ``SECRET_KEY``, ``DEMO``…)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            if f.name == "extra":
                continue
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            elif f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError as exc:
                    raise ConfigError(f"{f.name.upper()} is not an integer: {raw!r}") from exc
            elif f.type in ("Decimal", Decimal):
                values[f.name] = _decimal(raw)
            else:
                values[f.name] = raw
        if values.get("database_url") == "":
            values.pop("database_url")
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
