"""Request plumbing: the request's unit of work, API-key authentication and role checks.

A request opens at most one session, lazily. It commits just before the response is sent when
the response is a success (a 2xx or 3xx, which includes a call *rejection*, a decision returned
with 200) and rolls back otherwise, so a request that fails changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.apikeys.models import ApiKey, Role
from billing.apikeys.services import Principal, hash_key
from billing.db import Database
from billing.errors import Forbidden, Unauthorized
from billing.facilities.catalog import Catalog, CatalogCache
from billing.facilities.models import RateCatalogVersion

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)


def database() -> Database:
    return cast(Database, current_app.extensions["billing.db"])


def session() -> Session:
    """The request's session (opened on first use)."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    return cast(Session, g.db_session)


def catalog() -> Catalog:
    """The rate catalog, current as of this request's API-key lookup."""
    cache = cast(CatalogCache, current_app.extensions["billing.catalog"])
    return cache.get(session(), g.get("catalog_version"))


def principal() -> Principal:
    return cast(Principal, g.principal)


def _authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    if len(token) > 200:
        raise Unauthorized("The API key is not valid.")
    # One round trip: the key, and the rate catalog's version for the in-memory cache.
    version = select(RateCatalogVersion.version).where(RateCatalogVersion.id == 1).scalar_subquery()
    row = session().execute(
        select(ApiKey.id, ApiKey.name, ApiKey.role, version.label("catalog_version")).where(
            ApiKey.key_hash == hash_key(token), ApiKey.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        raise Unauthorized("The API key is not valid.")
    g.catalog_version = row.catalog_version
    return Principal(key_id=row.id, name=row.name, role=Role(row.role))


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


def install_unit_of_work(app: Flask) -> None:
    @app.after_request
    def _finish(response: Response) -> Response:
        db_session: Session | None = g.pop("db_session", None)
        if db_session is None:
            return response
        try:
            if response.status_code < 400 and not g.get("rollback_only"):
                db_session.commit()
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
