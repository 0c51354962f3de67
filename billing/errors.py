"""The service's exception tree.

Services raise these (or the ``rating``/``ledgers`` errors, which carry the same ``code`` and
``message`` attributes); only ``billing.http`` turns them into HTTP responses. Each ``code`` is a
stable, machine-readable string the call platform and the family pages rely on.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    """Base of every error reported to a client: a stable ``code``, a human ``message``, a status."""

    code: ClassVar[str] = "ERROR"
    status: ClassVar[int] = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class InvalidParameter(ServiceError):
    """A query parameter or body field is missing, of the wrong type or out of range."""

    code = "INVALID_PARAMETER"


class InvalidJSON(ServiceError):
    """The request body is not a JSON object."""

    code = "INVALID_JSON"


class Unauthorized(ServiceError):
    """No API key, or one that is unknown or revoked."""

    code = "UNAUTHORIZED"
    status = 401


class Forbidden(ServiceError):
    """The API key is valid but its role may not do this."""

    code = "FORBIDDEN"
    status = 403


class NotFound(ServiceError):
    """The addressed resource does not exist."""

    code = "NOT_FOUND"
    status = 404


class UnknownFacility(NotFound):
    """No facility has that code."""

    code = "UNKNOWN_FACILITY"


class Conflict(ServiceError):
    """The request contradicts the current state (a duplicate, a reused key, a closed resource)."""

    code = "CONFLICT"
    status = 409


class AlreadyExists(Conflict):
    """Something with that identifier already exists."""

    code = "ALREADY_EXISTS"


class UnknownPerson(NotFound):
    """No incarcerated person has that id number."""

    code = "UNKNOWN_PERSON"


class UnknownCall(NotFound):
    """No call has that call id."""

    code = "UNKNOWN_CALL"


class PrepaidRequired(ServiceError):
    """A mobile or VoIP number can only be on a prepaid account (carriers won't bill collect calls)."""

    code = "PREPAID_REQUIRED"
    status = 422
