"""Settings come from the environment only, and bad ones stop the service at start-up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.config import ConfigError, Settings


def test_settings_are_read_from_the_environment() -> None:
    s = Settings.from_env({"DATABASE_URL": "sqlite:////tmp/x.db", "SECRET_KEY": "s", "MAX_CALL_SECONDS": "900",
                           "DEMO": "false", "MIN_DEPOSIT": "10.00"})
    assert (s.database_url, s.secret_key, s.max_call_seconds, s.demo, s.min_deposit) == (
        "sqlite:////tmp/x.db", "s", 900, False, Decimal("10.00"))


def test_statements_default_to_chicago_months_due_twenty_days_after_the_first() -> None:
    s = Settings.from_env({"SECRET_KEY": "s"})
    assert (s.statement_timezone, s.statement_due_days) == ("America/Chicago", 20)
    assert Settings.from_env({"SECRET_KEY": "s", "STATEMENT_TIMEZONE": "UTC"}).statement_timezone == "UTC"


def test_the_default_database_is_an_sqlite_file_under_instance() -> None:
    s = Settings.from_env({"DEMO": "1"})
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("/instance/billing.db")


@pytest.mark.parametrize(
    "env",
    [
        {},  # no SECRET_KEY outside demo mode
        {"SECRET_KEY": "s", "MAX_DEPOSIT": "49.99"},  # FCC: the maximum deposit may not be below 50.00
        {"SECRET_KEY": "s", "MAX_CALL_SECONDS": "lots"},
        {"SECRET_KEY": "s", "DEMO": "maybe"},
        {"SECRET_KEY": "s", "MIN_DEPOSIT": "abc"},
        {"SECRET_KEY": "s", "STATEMENT_TIMEZONE": "America/Atlantis"},
        {"SECRET_KEY": "s", "STATEMENT_DUE_DAYS": "0"},
    ],
)
def test_bad_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(env)
