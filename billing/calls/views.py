"""The call platform's API: authorize, quote, accept, block, complete; staff: calls and incidents."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from billing.apikeys.models import Role
from billing.calls import services, settlement
from billing.calls.models import END_REASONS, Call, Incident
from billing.config import Settings
from billing.errors import InvalidParameter
from billing.facilities.models import Facility
from billing.facilities.services import get_facility
from billing.facilities.views import quote_json, quote_options, quote_payload
from billing.http import get_choice, get_datetime, json_body, req_str
from billing.web import catalog, requires, session
from rating import format_amount, from_minor, normalize_number

bp = Blueprint("calls", __name__)


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["billing.settings"])


def _rate(call: Call) -> str | None:
    return format_amount(call.per_minute) if call.per_minute is not None and call.authorized else None


def decision_json(call: Call) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "authorized": call.authorized,
        "code": call.code,
        "message": call.message,
        "max_duration_seconds": call.max_duration_seconds,
        "monitored": call.monitored,
        "caller_id": _settings().caller_id,
        "per_minute": _rate(call),
        "currency": call.currency if call.authorized else None,
    }


def completion_json(call: Call, available: Any) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "billable_seconds": call.billable_seconds or 0,
        "charge": format_amount(settlement.charge_money(call)),
        "per_minute": _rate(call),
        "available_balance": format_amount(available) if available is not None else None,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def call_json(call: Call) -> dict[str, Any]:
    body = decision_json(call)
    body.update({
        "facility": catalog().code_of(call.facility_id),
        "person": call.person_ref,
        "to": call.number,
        "state": call.state,
        "plan": call.plan,
        "account_id": call.account_id,
        "requested_at": _iso(call.requested_at),
        "accepted_at": _iso(call.accepted_at),
        "ended_at": _iso(call.ended_at),
        "end_reason": call.end_reason,
        "billable_seconds": call.billable_seconds,
        "charge": format_amount(settlement.charge_money(call)) if call.charge is not None else None,
        "charge_note": call.charge_note or None,
        "held": format_amount(from_minor(call.hold_amount, call.currency or "USD")) if call.hold_amount else None,
        "rate": None if call.per_minute is None else {
            "jurisdiction": call.jurisdiction,
            "currency": call.currency,
            "per_minute": format_amount(call.per_minute),
            "first_minute": format_amount(call.first_minute if call.first_minute is not None else call.per_minute),
            "billing_increment_seconds": call.increment_seconds,
            "minimum_billable_seconds": call.minimum_seconds,
            "rounding": call.rounding,
        },
    })
    return body


@bp.post("/v1/calls")
@requires(Role.CALL_PLATFORM)
def authorize() -> Response:
    """May this person call this number now, and for how long? A refusal is a decision, not an error."""
    data = json_body()
    req = services.AuthorizeRequest(
        call_id=req_str(data, "call_id", max_length=100),
        facility=req_str(data, "facility", max_length=40),
        person=req_str(data, "person", max_length=40),
        to=normalize_number(req_str(data, "to", max_length=40)),
        requested_at=cast(Any, get_datetime(data, "requested_at")),
    )
    call = services.authorize(session(), _settings(), catalog(), req)
    return jsonify(decision_json(call))


@bp.post("/v1/calls/<call_id>/quote")
@requires(Role.CALL_PLATFORM)
def quote(call_id: str) -> Response:
    """The announcement's rate-quote option, for this call's facility and number."""
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise InvalidParameter("The request body must be a JSON object.")
    call = services.get_call(session(), call_id)
    cat = catalog()
    code = cat.code_of(call.facility_id)
    assert code is not None
    if call.per_minute is not None:  # the rate this call will be charged, whatever changed since
        minutes, lang = quote_options(data)
        return jsonify(quote_json(code, call.number, services.snapshot_tariff(call), minutes, lang))
    rates = cat.facility(code)
    assert rates is not None
    return jsonify(quote_payload(rates, {**data, "to": call.number}, call.requested_at, cat))


@bp.post("/v1/calls/<call_id>/accept")
@requires(Role.CALL_PLATFORM)
def accept(call_id: str) -> Response:
    data = json_body()
    done = services.accept(session(), call_id, cast(Any, get_datetime(data, "at")))
    return jsonify({"call_id": done.call_id, "state": done.state, "accepted_at": _iso(done.accepted_at),
                    "max_duration_seconds": done.max_duration_seconds, "monitored": done.monitored})


@bp.post("/v1/calls/<call_id>/block")
@requires(Role.CALL_PLATFORM)
def block(call_id: str) -> Response:
    data = json_body()
    at = cast(Any, get_datetime(data, "at"))
    scope = get_choice(data, "scope", ("all", "facility"), default="all")
    call, block_id = services.block_at_announcement(session(), call_id, at, scope)
    return jsonify({"call_id": call.call_id, "blocked": True, "block_id": block_id, "scope": scope,
                    "charge": format_amount(settlement.charge_money(call))})


@bp.post("/v1/calls/<call_id>/complete")
@requires(Role.CALL_PLATFORM)
def complete(call_id: str) -> Response:
    data = json_body()
    done = settlement.complete(
        session(), _settings(), call_id, cast(Any, get_datetime(data, "ended_at")),
        get_choice(data, "end_reason", END_REASONS),
    )
    return jsonify(completion_json(done.call, done.available_balance))


@bp.get("/v1/calls/<call_id>")
@requires(Role.CALL_PLATFORM, Role.STAFF)
def get_call(call_id: str) -> Response:
    return jsonify(call_json(services.get_call(session(), call_id)))


@bp.get("/v1/incidents")
@requires(Role.STAFF)
def incidents() -> Response:
    """Three-way calls detected, newest first, for the facility's discipline process."""
    query = select(Incident, Call).join(Call, Call.id == Incident.call_id).order_by(Incident.id.desc()).limit(500)
    code = request.args.get("facility")
    if code:
        query = query.where(Incident.facility_id == get_facility(session(), code).id)
    rows = session().execute(query).all()
    facilities = {f.id: f.code for f in session().scalars(select(Facility))}
    return jsonify({"incidents": [
        {"id": i.id, "kind": i.kind, "call_id": c.call_id, "facility": facilities.get(i.facility_id),
         "person": c.person_ref, "number": i.number, "occurred_at": _iso(i.occurred_at)}
        for i, c in rows
    ]})
