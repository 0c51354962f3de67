"""OpenAPI paths of the payment endpoints."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {}
PATHS: dict[str, Any] = {}
