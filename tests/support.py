"""Helpers shared by tests: an API client that speaks for a role."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from billing.demo import DEMO_KEYS

#: Fresh phone-number suffixes for tests, one sequence per process.
NUMBERS = itertools.count(1000)


class Api:
    """Calls the JSON API as one of the demo roles (or with an explicit key)."""

    def __init__(self, client: FlaskClient, role: str = "call_platform") -> None:
        self.client = client
        self.role = role

    def as_(self, role: str) -> Api:
        return Api(self.client, role)

    def _headers(self, key: str | None) -> dict[str, str]:
        token = key if key is not None else DEMO_KEYS[self.role]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, *, key: str | None = None, **params: Any) -> TestResponse:
        return self.client.get(path, query_string=params, headers=self._headers(key))

    def post(self, path: str, json: Any = None, *, key: str | None = None) -> TestResponse:
        return self.client.post(path, json=json, headers=self._headers(key))

    def patch(self, path: str, json: Any = None, *, key: str | None = None) -> TestResponse:
        return self.client.patch(path, json=json, headers=self._headers(key))

    def delete(self, path: str, *, key: str | None = None) -> TestResponse:
        return self.client.delete(path, headers=self._headers(key))
