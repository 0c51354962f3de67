"""The billing service: the Flask application, its configuration, HTTP API, pages and CLI.

``create_app(settings)`` is the only place where the pieces are wired together.
"""

from __future__ import annotations

import logging

from flask import Flask

from billing.config import Settings

__all__ = ["Settings", "create_app"]

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from ``settings`` (default: read from the environment)."""
    from billing import cli, ledger_cli, openapi, scheduler
    from billing.accounts.views import bp as accounts_bp
    from billing.calls import cli as calls_cli
    from billing.calls.views import bp as calls_bp
    from billing.db import Database
    from billing.facilities.catalog import CatalogCache
    from billing.facilities.views import bp as facilities_bp
    from billing.http import register_error_handlers
    from billing.payments import cli as payments_cli
    from billing.payments.views import bp as payments_bp
    from billing.people.views import bp as people_bp
    from billing.statements import cli as statements_cli
    from billing.statements.views import bp as statements_bp
    from billing.web import AuthCache, PagesOnlySessionInterface, install_unit_of_work

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.session_interface = PagesOnlySessionInterface()
    app.extensions["billing.settings"] = settings
    app.extensions["billing.db"] = Database(settings.database_url, echo=settings.sql_echo)
    app.extensions["billing.catalog"] = CatalogCache()
    app.extensions["billing.auth_cache"] = AuthCache(settings.auth_cache_ms)

    register_error_handlers(app)
    install_unit_of_work(app)
    for blueprint in (facilities_bp, people_bp, accounts_bp, calls_bp, payments_bp, statements_bp, openapi.bp):
        app.register_blueprint(blueprint)
    cli.register(app)
    ledger_cli.register(app)
    payments_cli.register(app)
    calls_cli.register(app)
    statements_cli.register(app)
    scheduler.register(app)

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {"provider_name": settings.provider_name}

    if settings.demo:
        log.warning("DEMO mode: demo data and well-known demo API keys (never use in production)")
    return app
