"""Payments fixtures: a real fake Stripe (localstripe) per xdist worker, and the app pointed at it.

Each worker starts its own localstripe process on 127.0.0.1 with its pickle persistence switched
off (the stock server saves to one fixed ``/tmp/localstripe.pickle``, which two workers would
share); every test starts from an empty store (``DELETE /_config/data`` on its own server) with the
webhook pointed nowhere, and tests that want Stripe's webhooks serve the app on a real port
(``live_url``) and point the webhook there.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from billing.config import Settings
from billing.db import Database
from tests.billing.payments.support import SECRET_KEY, WEBHOOK_SECRET, Accounts, find_accounts
from tests.conftest import make_settings

_SERVER = """
import socket
import localstripe.resources as resources
resources.Store.dump_to_disk = lambda self: None        # no shared /tmp/localstripe.pickle
resources.Store.try_load_from_disk = lambda self: None
from aiohttp import web
from localstripe.server import app
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print(sock.getsockname()[1], flush=True)
web.run_app(app, sock=sock, print=None, access_log=None)
"""

#: Where the webhook points when a test does not want Stripe's events (nothing listens there).
NOWHERE = "http://127.0.0.1:9/nowhere"


@dataclass(frozen=True)
class FakeStripe:
    """A running localstripe: its base URL and helpers to drive it as Stripe.js or the dashboard would."""

    base: str

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.base}{path}", timeout=10,
                                    headers={"Authorization": f"Bearer {SECRET_KEY}"}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content.strip() else None

    def reset(self) -> None:
        self._call("DELETE", "/_config/data")
        self.point_webhook(NOWHERE)

    def point_webhook(self, url: str) -> None:
        self._call("POST", "/_config/webhooks/tests", json={"url": url, "secret": WEBHOOK_SECRET})

    def card(self, number: str) -> str:
        """A PaymentMethod for a test card number, as Stripe.js would create it in the browser."""
        pm = self._call("POST", "/v1/payment_methods", data={
            "type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2030",
            "card[cvc]": "123"})
        return str(pm["id"])

    def authenticate(self, intent_id: str, client_secret: str, *, success: bool = True) -> Any:
        """Complete (or fail) 3-D Secure, as Stripe.js does when the cardholder answers the challenge."""
        return self._call("POST", f"/v1/payment_intents/{intent_id}/_authenticate",
                          data={"client_secret": client_secret, "success": "true" if success else "false"})

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, **data: Any) -> Any:
        return self._call("POST", path, data=data)

    def events(self, type_: str | None = None) -> list[dict[str, Any]]:
        found = self.get("/v1/events", limit=100, **({"type": type_} if type_ else {}))
        return list(found["data"])


@pytest.fixture(scope="session")
def localstripe_server() -> Iterator[FakeStripe]:
    process = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        fake = FakeStripe(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 15
        while True:
            try:
                fake.reset()
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield fake
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def stripe_fake(localstripe_server: FakeStripe) -> FakeStripe:
    """localstripe, emptied, with its webhook pointed nowhere."""
    localstripe_server.reset()
    return localstripe_server


@pytest.fixture
def settings(database_url: str, stripe_fake: FakeStripe) -> Settings:
    return make_settings(database_url, stripe_secret_key=SECRET_KEY, stripe_publishable_key="pk_test_payments",
                         stripe_webhook_secret=WEBHOOK_SECRET, stripe_api_base=stripe_fake.base)


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app served on a real port from a thread (for webhooks localstripe delivers)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def webhooks_on(stripe_fake: FakeStripe, live_url: str) -> str:
    """localstripe delivers its events to this test's app."""
    stripe_fake.point_webhook(f"{live_url}/webhooks/stripe")
    return live_url


@pytest.fixture
def accts(db: Database, demo: dict[str, str]) -> Accounts:
    """The demo accounts' ids (prepaid with 10.00; direct bill with nothing due)."""
    return find_accounts(db)
