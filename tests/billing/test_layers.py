"""The import layers of ARCHITECTURE.md hold (rating is pure; ledgers never imports billing)."""

from __future__ import annotations

from scripts.check_layers import violations


def test_no_package_imports_one_above_it() -> None:
    assert violations() == []
