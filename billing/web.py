"""Request plumbing: the request's unit of work, API-key authentication and role checks.

A request opens at most one session, lazily. It commits just before the response is sent when
the response is a success (a 2xx or 3xx, which includes a call *rejection*, a decision returned
with 200) and rolls back otherwise, so a request that fails changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import audit
from billing.apikeys.models import ApiKey, Role
from billing.apikeys.services import Principal, hash_key
from billing.config import Settings
from billing.db import Database
from billing.demo import DEMO_KEYS
from billing.errors import Forbidden, Unauthorized
from billing.facilities.catalog import Catalog, CatalogCache
from billing.facilities.models import RateCatalogVersion
from billing.facilities.services import CATALOG_CHANGED

F = TypeVar("F", bound=Callable[..., Any])

DEMO_KEY_HASHES = frozenset(hash_key(key) for key in DEMO_KEYS.values())

ALL_ROLES = frozenset(Role)


def database() -> Database:
    return cast(Database, current_app.extensions["billing.db"])


def session() -> Session:
    """The request's session (opened on first use)."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return cast(Session, g.db_session)


def catalog() -> Catalog:
    """The rate catalog, current as of this request's API-key lookup (or, unauthenticated, now)."""
    cache = cast(CatalogCache, current_app.extensions["billing.catalog"])
    if "catalog_version" not in g:
        g.catalog_version = session().scalar(
            select(RateCatalogVersion.version).where(RateCatalogVersion.id == 1)
        )
    return cache.get(session, g.catalog_version)


def principal() -> Principal:
    return cast(Principal, g.principal)


def audit_action(action: str, subject_type: str, subject_id: object, details: dict[str, Any]) -> None:
    """Record what the request's API client did, in the request's transaction."""
    who = principal()
    audit.record(session(), actor=who.actor, role=who.role.value, action=action, subject_type=subject_type,
                 subject_id=subject_id, details=details)


class AuthCache:
    """A worker's short-lived memory of API-key lookups and the catalog version read with them.

    A quote is on the path of a live call; with this cache most quotes touch no database at all,
    and none touches it more than once. Entries live ``ttl_ms`` milliseconds (``AUTH_CACHE_MS``).
    """

    MAX_ENTRIES = 10_000

    def __init__(self, ttl_ms: int) -> None:
        self.ttl_ns = ttl_ms * 1_000_000
        self._entries: dict[str, tuple[int, Principal, int]] = {}

    def get(self, key_hash: str) -> tuple[Principal, int] | None:
        entry = self._entries.get(key_hash)
        if entry is None or time.monotonic_ns() - entry[0] >= self.ttl_ns:
            return None
        return entry[1], entry[2]

    def put(self, key_hash: str, who: Principal, catalog_version: int) -> None:
        if self.ttl_ns <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key_hash] = (time.monotonic_ns(), who, catalog_version)

    def clear(self) -> None:
        self._entries.clear()


def _lookup(key_hash: str) -> tuple[Principal, int] | None:
    # One round trip: the key, and the rate catalog's version for the in-memory rate cache.
    version = select(RateCatalogVersion.version).where(RateCatalogVersion.id == 1).scalar_subquery()
    row = session().execute(
        select(ApiKey.id, ApiKey.name, ApiKey.role, version.label("catalog_version")).where(
            ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Principal(key_id=row.id, name=row.name, role=Role(row.role)), int(row.catalog_version)


def _authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    if len(token) > 200:
        raise Unauthorized("The API key is not valid.")
    key_hash = hash_key(token)
    if key_hash in DEMO_KEY_HASHES and not cast(Settings, current_app.extensions["billing.settings"]).demo:
        # The demo keys are public knowledge: a database that once held demo data must not
        # honour them once the service runs for real.
        raise Unauthorized("The API key is not valid.")
    cache = cast(AuthCache, current_app.extensions["billing.auth_cache"])
    found = cache.get(key_hash)
    if found is None:
        found = _lookup(key_hash)
        if found is None:
            raise Unauthorized("The API key is not valid.")
        cache.put(key_hash, *found)
    who, g.catalog_version = found
    return who


def requires(*roles: Role) -> Callable[[F], F]:
    """Require an API key with one of ``roles`` (``admin`` may do whatever ``staff`` may)."""
    allowed = frozenset(roles) or ALL_ROLES
    if Role.STAFF in allowed:
        allowed |= {Role.ADMIN}

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = _authenticate()
            if who.role not in allowed:
                raise Forbidden(
                    f"The role '{who.role.value}' may not do this; it needs "
                    f"{' or '.join(sorted(r.value for r in allowed))}."
                )
            g.principal = who
            return view(*args, **kwargs)

        wrapper.roles = allowed  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


API_PREFIXES = ("/v1/", "/webhooks/", "/openapi.json")


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """Cookie sessions (and so CSRF tokens) for the family pages only.

    API clients authenticate with a bearer key on every request; opening a signed cookie session
    for them would only cost time on the live-call path (and invite cookie-based CSRF on the API).
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(API_PREFIXES):
            return None
        return super().open_session(app, request)


def install_unit_of_work(app: Flask) -> None:
    @app.after_request
    def _finish(response: Response) -> Response:
        db_session: Session | None = g.pop("db_session", None)
        if db_session is None:
            return response
        try:
            if response.status_code < 400 and not g.get("rollback_only"):
                changed_catalog = db_session.info.pop(CATALOG_CHANGED, False)
                db_session.commit()
                if changed_catalog:  # this worker sees its own change at once
                    cast(AuthCache, current_app.extensions["billing.auth_cache"]).clear()
                    cast(CatalogCache, current_app.extensions["billing.catalog"]).clear()
            else:
                db_session.rollback()
        finally:
            db_session.close()
        return response

    @app.teardown_request
    def _close(_exc: BaseException | None) -> None:
        db_session: Session | None = g.pop("db_session", None)
        if db_session is not None:
            db_session.rollback()
            db_session.close()
