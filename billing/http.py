"""The one place where errors become HTTP responses, and where request input is parsed.

Every error body is ``{"code": ..., "message": ...}`` (plus ``details`` when there are any).
Errors from the pure packages (``rating``, ``ledgers``) carry a ``code`` and a ``message``; their
HTTP status comes from the table below, so those packages never know about HTTP.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from typing import Any

from flask import Flask, Request, Response, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from billing.errors import InvalidJSON, InvalidParameter, ServiceError
from ledgers.errors import LedgerError
from rating.errors import RatingError
from rating.money import parse_amount

log = logging.getLogger(__name__)

#: HTTP status of each domain error code raised below the web layer.
STATUS_BY_CODE: dict[str, int] = {
    "INVALID_NUMBER": 400,
    "INVALID_TARIFF": 422,
    "RATE_CAP_EXCEEDED": 422,
    "NO_TARIFF": 404,
    "INSUFFICIENT_FUNDS": 409,
    "HOLD_ALREADY_RESOLVED": 409,
    "HOLD_EXPIRED": 409,
    "CURRENCY_MISMATCH": 422,
    "IDEMPOTENCY_CONFLICT": 409,
    "UNKNOWN_ACCOUNT": 404,
    "UNKNOWN_TRANSFER": 404,
    "INVALID_AMOUNT": 400,
    "LEDGER_BUSY": 503,  # a lock or serialization conflict outlasted the ledger's retries: retry
    "NOT_REVERSIBLE": 409,
    "ACCOUNT_CONFLICT": 409,
}


def error_response(code: str, message: str, status: int, details: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def _wants_json(req: Request) -> bool:
    return req.path.startswith(("/v1/", "/webhooks/")) or req.path == "/openapi.json" or (
        req.accept_mimetypes.best == "application/json"
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return error_response(exc.code, exc.message, exc.status, exc.details)

    @app.errorhandler(RatingError)
    def _rating_error(exc: RatingError) -> Response:
        return error_response(exc.code, exc.message, STATUS_BY_CODE.get(exc.code, 400))

    @app.errorhandler(LedgerError)
    def _ledger_error(exc: LedgerError) -> Response:
        return error_response(exc.code, exc.message, STATUS_BY_CODE.get(exc.code, 409))

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        # A unique key lost a race (two requests creating the same thing at once): the loser
        # gets what it would have got a moment later, and its transaction is rolled back.
        log.info("integrity error on %s %s: %s", request.method, request.path, exc.orig)
        return error_response("ALREADY_EXISTS", "That already exists (created by another request just now).", 409)

    @app.before_request
    def _refuse_control_characters() -> Response | None:
        for value in (request.view_args or {}).values():
            if isinstance(value, str) and (has_control_characters(value) or len(value) > 200):
                return error_response("INVALID_PARAMETER", "A path parameter is malformed.", 400)
        return None

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json(request):
            return exc
        status = exc.code or 500
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}.get(
            status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR"
        )
        return error_response(code, exc.description or exc.name, status)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("INTERNAL_ERROR", "An internal error occurred; nothing was changed.", 500)


# --- request parsing -------------------------------------------------------------------------


def json_body() -> dict[str, Any]:
    """The request's JSON object, or ``INVALID_JSON``."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidJSON("The request body must be a JSON object.")
    return data


def _missing(name: str) -> InvalidParameter:
    return InvalidParameter(f"'{name}' is required.", details={"field": name})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INTEGER = re.compile(r"-?[0-9]{1,12}", re.ASCII)
#: Timestamps the service accepts: a call is never placed in 1900 or 2200.
EARLIEST, LATEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
#: Largest amount any request may carry (a sanity bound, far above every real limit).
MAX_AMOUNT = Decimal("1000000.00")


def has_control_characters(text: str) -> bool:
    """NUL and other control characters (tabs and line breaks are fine in free text)."""
    return _CONTROL.search(text) is not None


def get_str(data: dict[str, Any], name: str, *, required: bool = True, max_length: int = 200) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise InvalidParameter(f"'{name}' must be a string.", details={"field": name})
    if has_control_characters(value):
        raise InvalidParameter(f"'{name}' contains control characters.", details={"field": name})
    value = value.strip()
    if not value:  # only spaces: as good as missing
        if required:
            raise _missing(name)
        return None
    if len(value) > max_length:
        raise InvalidParameter(f"'{name}' is longer than {max_length} characters.", details={"field": name})
    return value


def req_str(data: dict[str, Any], name: str, *, max_length: int = 200) -> str:
    value = get_str(data, name, required=True, max_length=max_length)
    assert value is not None
    return value


def get_int(
    data: dict[str, Any] | Any, name: str, *, default: int | None = None, minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    value = data.get(name)
    if value is None or value == "":
        if default is None:
            raise _missing(name)
        return default
    if isinstance(value, bool):
        raise InvalidParameter(f"'{name}' must be an integer.", details={"field": name})
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            raise InvalidParameter(f"'{name}' must be an integer.", details={"field": name})
        value = int(text)
    if not isinstance(value, int):
        raise InvalidParameter(f"'{name}' must be an integer.", details={"field": name})
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidParameter(
            f"'{name}' must be between {minimum} and {maximum}.", details={"field": name}
        )
    return value


def get_amount(data: dict[str, Any], name: str, *, required: bool = True, places: int = 2) -> Decimal | None:
    """A money amount given as a decimal string ("10.00"); JSON numbers are refused (floats).

    It may not carry more decimals than the currency has (``places``): "10.005" is refused
    rather than silently rounded into what a card is charged.
    """
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise InvalidParameter(
            f"'{name}' must be a decimal string such as \"10.00\" (numbers lose precision).",
            details={"field": name},
        )
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        raise InvalidParameter(f"'{name}' is not a decimal amount: {value!r}.", details={"field": name}) from exc
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise InvalidParameter(f"'{name}' has more than {places} decimals: {value!r}.", details={"field": name})
    if abs(amount) > MAX_AMOUNT:
        raise InvalidParameter(f"'{name}' is too large.", details={"field": name})
    return amount


def get_datetime(data: dict[str, Any], name: str, *, required: bool = True) -> dt.datetime | None:
    """An ISO 8601 timestamp with a UTC offset ("2026-11-25T18:00:00Z")."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidParameter(f"'{name}' must be an ISO 8601 timestamp.", details={"field": name})
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
        if parsed.tzinfo is None:
            raise InvalidParameter(f"'{name}' must carry a UTC offset (e.g. 'Z').", details={"field": name})
        moment = parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidParameter(f"'{name}' is not an ISO 8601 timestamp: {value!r}.", details={"field": name}) from exc
    if not EARLIEST <= moment < LATEST:
        raise InvalidParameter(f"'{name}' must be between 2000 and 2100.", details={"field": name})
    return moment


def get_date(data: dict[str, Any], name: str, *, required: bool = True) -> dt.date | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(value, str):
        raise InvalidParameter(f"'{name}' must be a date (YYYY-MM-DD).", details={"field": name})
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidParameter(f"'{name}' is not a date (YYYY-MM-DD): {value!r}.", details={"field": name}) from exc


def get_choice(data: dict[str, Any], name: str, choices: tuple[str, ...], *, default: str | None = None) -> str:
    value = data.get(name)
    if value is None or value == "":
        if default is None:
            raise _missing(name)
        return default
    if value not in choices:
        raise InvalidParameter(
            f"'{name}' must be one of {', '.join(choices)}.", details={"field": name, "allowed": list(choices)}
        )
    return str(value)
