"""The app's Stripe gateway: built from its settings on first use, one per app.

Without ``STRIPE_SECRET_KEY`` there is none and every payment operation answers
``PAYMENTS_UNAVAILABLE``; nothing else in the service depends on it. Tests (and a future
deployment with another payment provider) put their own ``Gateway`` in ``app.extensions[GATEWAY]``.
"""

from __future__ import annotations

from typing import cast

from flask import Flask

from billing.config import Settings
from billing.payments.errors import PaymentsUnavailable
from billing.payments.gateway import Gateway, StripeGateway

GATEWAY = "billing.payments.gateway"
#: Seconds a request to Stripe may take before its outcome is treated as unknown.
STRIPE_TIMEOUT_SECONDS = 20.0


def settings_of(app: Flask) -> Settings:
    return cast(Settings, app.extensions["billing.settings"])


def gateway_for(app: Flask) -> Gateway:
    """The app's gateway; ``PaymentsUnavailable`` when Stripe is not configured."""
    settings = settings_of(app)
    if not settings.stripe_secret_key:
        raise PaymentsUnavailable("Card payments are not configured on this service (no STRIPE_SECRET_KEY).")
    gateway = app.extensions.get(GATEWAY)
    if gateway is None:
        gateway = app.extensions[GATEWAY] = make_gateway(settings)
    return cast(Gateway, gateway)


def make_gateway(settings: Settings) -> Gateway:
    """A Stripe gateway from the settings (outside an app: the scheduler process)."""
    if not settings.stripe_secret_key:
        raise PaymentsUnavailable("Card payments are not configured on this service (no STRIPE_SECRET_KEY).")
    return StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base or None,
                         timeout=STRIPE_TIMEOUT_SECONDS)


def webhook_secret(app: Flask) -> str:
    """The signing secret of Stripe's webhooks; ``PaymentsUnavailable`` when not configured."""
    secret = settings_of(app).stripe_webhook_secret
    if not secret:
        raise PaymentsUnavailable("Stripe webhooks are not configured on this service (no STRIPE_WEBHOOK_SECRET).")
    return secret
