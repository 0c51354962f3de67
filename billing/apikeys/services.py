"""Creating, revoking and checking API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from billing.apikeys.models import ApiKey, Role
from billing.errors import InvalidParameter, NotFound
from ledgers.base import utcnow

KEY_PREFIX = "icb_"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated client of a request."""

    key_id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How audit rows and records name this client (fits their 100-character columns)."""
        return f"key:{self.key_id}:{self.name}"[:100]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, name: str, role: str, key: str | None = None) -> tuple[str, ApiKey]:
    """Create a key; returns the plaintext (shown once) and the stored row.

    ``key`` is only passed by the demo loader, for its well-known demo keys.
    """
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise InvalidParameter(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}") from exc
    if not name.strip():
        raise InvalidParameter("a key needs a name")
    if len(name.strip()) > 80:
        raise InvalidParameter("a key's name is at most 80 characters")
    plaintext = key or KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name.strip(), role=role_value.value, key_hash=hash_key(plaintext),
                 prefix=plaintext[:12], created_at=utcnow())
    session.add(row)
    session.flush()
    return plaintext, row


def revoke_key(session: Session, key_id: int) -> None:
    result = session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(f"no active API key with id {key_id}")


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def find_by_key(session: Session, key: str) -> Principal | None:
    row = session.execute(
        select(ApiKey.id, ApiKey.name, ApiKey.role).where(
            ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    return Principal(key_id=row.id, name=row.name, role=Role(row.role))
