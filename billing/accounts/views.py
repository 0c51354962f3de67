"""Staff endpoints for called-party accounts and blocks."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from billing.accounts import services
from billing.apikeys.models import Role
from billing.blocks import services as blocks
from billing.blocks.models import Block
from billing.config import Settings
from billing.errors import InvalidParameter, NotFound
from billing.facilities.models import Facility
from billing.facilities.services import get_facility
from billing.http import get_amount, get_choice, get_str, json_body, req_str
from billing.web import audit_action, principal, requires, session
from rating import normalize_number

bp = Blueprint("accounts", __name__)


def _settings() -> Settings:
    return current_app.extensions["billing.settings"]  # type: ignore[no-any-return]


def _number_specs(data: dict[str, Any]) -> list[services.NumberSpec]:
    raw = data.get("numbers")
    if not isinstance(raw, list) or not raw:
        raise InvalidParameter("'numbers' must be a non-empty list of {number, line_type}.",
                               details={"field": "numbers"})
    specs = []
    for item in raw:
        if not isinstance(item, dict):
            raise InvalidParameter("Each entry of 'numbers' is an object.", details={"field": "numbers"})
        specs.append(services.NumberSpec(
            number=normalize_number(req_str(item, "number", max_length=40)),
            line_type=get_choice(item, "line_type", services.LINE_TYPES),
        ))
    return specs


@bp.post("/v1/accounts")
@requires(Role.STAFF)
def open_account() -> tuple[Response, int]:
    data = json_body()
    holder = data.get("holder") or {}
    if not isinstance(holder, dict):
        raise InvalidParameter("'holder' must be an object.", details={"field": "holder"})
    settings = _settings()
    account = services.open_account(
        session(),
        plan=get_choice(data, "plan", services.PLANS),
        provider=get_str(data, "provider", required=False, max_length=60) or settings.provider_code,
        our_provider=settings.provider_code,
        holder_name=req_str(holder, "name"),
        holder_email=get_str(holder, "email", required=False, max_length=254) or "",
        holder_address=get_str(holder, "address", required=False, max_length=1000) or "",
        numbers=_number_specs(data),
        credit_limit=get_amount(data, "credit_limit", required=False),
        default_credit_limit=settings.default_credit_limit,
    )
    body = services.account_json(session(), account)
    audit_action("account.open", "account", account.id, body)
    return jsonify(body), 201


@bp.get("/v1/accounts")
@requires(Role.STAFF)
def find_account() -> Response:
    """The account covering ``?number=`` (E.164 or as dialled)."""
    raw = request.args.get("number")
    if not raw:
        raise InvalidParameter("'number' is required.", details={"field": "number"})
    account = services.account_for_number(session(), normalize_number(raw))
    if account is None:
        raise NotFound("No account covers that number.", details={"number": normalize_number(raw)})
    return jsonify(services.account_json(session(), account))


@bp.get("/v1/accounts/<int:account_id>")
@requires(Role.STAFF)
def get_account(account_id: int) -> Response:
    return jsonify(services.account_json(session(), services.get_account(session(), account_id)))


@bp.patch("/v1/accounts/<int:account_id>")
@requires(Role.STAFF)
def update_account(account_id: int) -> Response:
    """Change status (with a reason) or a direct-bill credit limit."""
    data = json_body()
    account = services.get_account(session(), account_id)
    changes: dict[str, Any] = {}
    if "status" in data:
        before = services.set_status(session(), account, get_choice(data, "status", services.STATUSES),
                                     get_str(data, "reason", required=False, max_length=1000) or "")
        changes["status"] = {"before": before, "after": account.status}
    if "credit_limit" in data:
        limit = get_amount(data, "credit_limit")
        assert limit is not None
        before_limit = services.set_credit_limit(account, limit)
        changes["credit_limit"] = {"before": before_limit, "after": account.credit_limit}
    if not changes:
        raise InvalidParameter("Nothing to change: send 'status' or 'credit_limit'.")
    audit_action("account.update", "account", account.id, changes)
    return jsonify(services.account_json(session(), account))


@bp.post("/v1/accounts/<int:account_id>/numbers")
@requires(Role.STAFF)
def add_account_number(account_id: int) -> tuple[Response, int]:
    account = services.get_account(session(), account_id)
    spec = _number_specs({"numbers": [json_body()]})[0]
    services.add_number(session(), account, spec)
    audit_action("account.number_add", "account", account.id, {"number": spec.number, "line_type": spec.line_type})
    return jsonify(services.account_json(session(), account)), 201


@bp.patch("/v1/accounts/<int:account_id>/numbers/<number>")
@requires(Role.STAFF)
def change_account_number(account_id: int, number: str) -> Response:
    account = services.get_account(session(), account_id)
    line_type = get_choice(json_body(), "line_type", services.LINE_TYPES)
    e164 = normalize_number(number)
    before = services.change_line_type(session(), account, e164, line_type)
    audit_action("account.line_type", "account", account.id, {"number": e164, "before": before, "after": line_type})
    return jsonify(services.account_json(session(), account))


@bp.delete("/v1/accounts/<int:account_id>/numbers/<number>")
@requires(Role.STAFF)
def remove_account_number(account_id: int, number: str) -> Response:
    account = services.get_account(session(), account_id)
    e164 = normalize_number(number)
    services.remove_number(session(), account, e164)
    audit_action("account.number_remove", "account", account.id, {"number": e164})
    return jsonify(services.account_json(session(), account))


# --- blocks --------------------------------------------------------------------------------


def block_json(block: Block) -> dict[str, Any]:
    facility = session().get(Facility, block.facility_id) if block.facility_id else None
    return {
        "id": block.id, "number": block.number, "scope": block.scope,
        "facility": facility.code if facility else None, "source": block.source, "reason": block.reason,
        "created_by": block.created_by, "created_at": block.created_at.isoformat(),
        "active": block.lifted_at is None,
        "lifted_at": block.lifted_at.isoformat() if block.lifted_at else None,
        "lifted_by": block.lifted_by, "lift_reason": block.lift_reason,
    }


@bp.post("/v1/blocks")
@requires(Role.STAFF)
def place_block() -> tuple[Response, int]:
    data = json_body()
    scope = get_choice(data, "scope", blocks.SCOPES, default="all")
    facility_id = None
    if scope == "facility":
        facility_id = get_facility(session(), req_str(data, "facility", max_length=40)).id
    block = blocks.place_block(
        session(), number=normalize_number(req_str(data, "number", max_length=40)), scope=scope,
        facility_id=facility_id, source=get_choice(data, "source", blocks.SOURCES),
        reason=get_str(data, "reason", required=False, max_length=1000) or "", actor=principal().actor,
    )
    body = block_json(block)
    audit_action("block.place", "block", block.id, body)
    return jsonify(body), 201


@bp.get("/v1/blocks")
@requires(Role.STAFF)
def list_blocks() -> Response:
    raw = request.args.get("number")
    if not raw:
        raise InvalidParameter("'number' is required.", details={"field": "number"})
    return jsonify({"blocks": [block_json(b) for b in blocks.blocks_for(session(), normalize_number(raw))]})


@bp.post("/v1/blocks/<int:block_id>/lift")
@requires(Role.STAFF)
def lift_block(block_id: int) -> Response:
    data = json_body()
    block = blocks.lift_block(session(), blocks.get_block(session(), block_id), actor=principal().actor,
                              reason=req_str(data, "reason", max_length=1000))
    body = block_json(block)
    audit_action("block.lift", "block", block.id, body)
    return jsonify(body)
