"""HTTP: the rate quote, the public rate disclosure, and staff management of facilities and tariffs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from billing.apikeys.models import Role
from billing.errors import InvalidParameter, UnknownFacility
from billing.facilities import services
from billing.facilities.catalog import Catalog, FacilityRates
from billing.facilities.models import Facility, TariffRecord
from billing.http import get_choice, get_date, get_datetime, get_int, json_body, req_str
from billing.web import audit_action, catalog, requires, session
from ledgers.base import utcnow
from rating import (
    InvalidNumber,
    Jurisdiction,
    Rounding,
    Tariff,
    format_amount,
    jurisdiction_for,
    normalize_number,
    quote,
    select_tariff,
)
from rating.money import parse_amount

bp = Blueprint("facilities", __name__)

LANGUAGES = ("en", "es")


def _facility_rates(code: str | None, cat: Catalog | None = None) -> FacilityRates:
    if not code:
        raise InvalidParameter("'facility' is required.", details={"field": "facility"})
    facility = (cat or catalog()).facility(code)
    if facility is None:
        raise UnknownFacility(f"No facility has the code {code!r}.")
    return facility


def _price(facility: FacilityRates, to: str, minutes: int, lang: str, on: dt.date) -> dict[str, Any]:
    jurisdiction = jurisdiction_for(facility.state, to)
    return quote_json(facility.code, to, select_tariff(facility.tariffs, jurisdiction, to, on), minutes, lang)


def quote_options(args: dict[str, Any]) -> tuple[int, str]:
    """``minutes`` (1–1440, default 15) and ``lang`` (en or es) of a quote request."""
    minutes = get_int(args, "minutes", default=15, minimum=1, maximum=1440)
    return minutes, get_choice(args, "lang", LANGUAGES, default="en")


def quote_json(facility_code: str, to: str, tariff: Tariff, minutes: int, lang: str) -> dict[str, Any]:
    """The quote contract (``GET /v1/quote`` and a call's announcement quote) for one tariff."""
    q = quote(tariff, minutes, lang)
    return {
        "facility": facility_code,
        "to": to,
        "jurisdiction": q.jurisdiction.value,
        "currency": q.currency,
        "per_minute": format_amount(q.per_minute),
        "first_minute": format_amount(q.first_minute),
        "billing_increment_seconds": q.billing_increment_seconds,
        "minutes": q.minutes,
        "charge": format_amount(q.charge),
        "text": q.text,
    }


class QuoteMemo:
    """Quotes already priced by this worker, keyed by catalog version and every input.

    A quote is a pure function of the catalog and its inputs, so a repeated question (the same
    number from the same facility on the same day) is a dictionary lookup on the live-call path.
    """

    MAX_ENTRIES = 50_000

    def __init__(self) -> None:
        self._entries: dict[tuple[object, ...], dict[str, Any]] = {}

    def get(self, version: int, facility: FacilityRates, raw_to: str, *, minutes: int, lang: str,
            on: dt.date) -> dict[str, Any]:
        key = (version, facility.code, raw_to, minutes, lang, on)
        payload = self._entries.get(key)
        if payload is None:
            payload = _price(facility, normalize_number(raw_to), minutes, lang, on)
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = payload
        return payload


_memo = QuoteMemo()


def quote_payload(facility: FacilityRates, args: dict[str, Any], at: dt.datetime | None = None,
                  cat: Catalog | None = None) -> dict[str, Any]:
    """The quote contract shared by ``GET /v1/quote`` and a call's announcement quote."""
    raw_to = args.get("to")
    if not raw_to:
        raise InvalidParameter("'to' is required.", details={"field": "to"})
    if not isinstance(raw_to, str):
        raise InvalidParameter("'to' must be a string.", details={"field": "to"})
    if len(raw_to) > 40:
        raise InvalidNumber("'to' is too long to be a phone number.")
    minutes, lang = quote_options(args)
    on = (at or utcnow()).astimezone(facility.timezone).date()
    return _memo.get((cat or catalog()).version, facility, raw_to, minutes=minutes, lang=lang, on=on)


@bp.get("/v1/quote")
@requires()
def get_quote() -> Response:
    """A rate quote for a call from a facility to a number, with a sentence the IVR can speak."""
    args = request.args.to_dict()  # plain dict: MultiDict raises (slowly) on every missing key
    cat = catalog()
    facility = _facility_rates(args.get("facility"), cat)
    at = get_datetime(args, "at", required=False)
    return jsonify(quote_payload(facility, args, at, cat))


# --- public rate disclosure (47 CFR 64.6110) -------------------------------------------------


def _tariff_json(t: Any) -> dict[str, Any]:
    return {
        "jurisdiction": t.jurisdiction.value,
        "destination_prefix": t.destination_prefix or None,
        "currency": t.currency,
        "per_minute": format_amount(t.per_minute),
        "first_minute": format_amount(t.effective_first_minute),
        "billing_increment_seconds": t.increment_seconds,
        "minimum_billable_seconds": t.minimum_seconds,
        "rounding": t.rounding.value,
        "termination_allowance": format_amount(t.termination_allowance) if t.termination_allowance else None,
        "effective_from": t.effective_from.isoformat(),
        "effective_to": t.effective_to.isoformat() if t.effective_to else None,
    }


_ORDER = {Jurisdiction.INTRASTATE: 0, Jurisdiction.INTERSTATE: 1, Jurisdiction.INTERNATIONAL: 2}


def _disclosure(facility: FacilityRates, today: dt.date | None = None) -> dict[str, Any]:
    on = today or utcnow().astimezone(facility.timezone).date()
    current = sorted(
        (t for t in facility.tariffs if t.effective_to is None or t.effective_to >= on),
        key=lambda t: (_ORDER[t.jurisdiction], t.destination_prefix, t.effective_from),
    )
    return {
        "facility": facility.code,
        "name": facility.name,
        "state": facility.state,
        "facility_class": facility.profile.facility_class.value,
        "fees": [],
        "rates": [_tariff_json(t) for t in current],
    }


@bp.get("/v1/rates")
def get_rates() -> Response:
    """Every facility's current and announced rates (public, like the page: 47 CFR 64.6110)."""
    code = request.args.get("facility")
    cat = catalog()
    if code:
        return jsonify(_disclosure(_facility_rates(code)))
    return jsonify({"facilities": [_disclosure(f) for f in cat.facilities.values()]})


@bp.get("/rates")
def rates_page() -> str:
    cat = catalog()
    facilities = [_disclosure(f) for f in cat.facilities.values()]
    return render_template("rates.html", facilities=facilities)


# --- staff: facilities and tariffs -------------------------------------------------------------


def facility_json(f: Facility) -> dict[str, Any]:
    return {
        "code": f.code,
        "name": f.name,
        "state": f.state,
        "timezone": f.timezone,
        "facility_class": f.facility_class,
        "average_daily_population": f.average_daily_population,
        "max_call_seconds": f.max_call_seconds,
        "approved_list_size": f.approved_list_size,
    }


def tariff_record_json(r: TariffRecord) -> dict[str, Any]:
    return {"id": r.id, "facility": r.facility.code, **_tariff_json(services.to_tariff(r))}


def _optional_int(data: dict[str, Any], name: str, minimum: int = 0) -> int | None:
    if data.get(name) is None:
        return None
    return get_int(data, name, minimum=minimum, maximum=10_000_000)


@bp.get("/v1/facilities")
@requires(Role.STAFF, Role.LEGAL, Role.CALL_PLATFORM)
def list_facilities() -> Response:
    return jsonify({"facilities": [facility_json(f) for f in services.list_facilities(session())]})


@bp.get("/v1/facilities/<code>")
@requires(Role.STAFF, Role.LEGAL, Role.CALL_PLATFORM)
def get_facility(code: str) -> Response:
    return jsonify(facility_json(services.get_facility(session(), code)))


@bp.post("/v1/facilities")
@requires(Role.ADMIN)
def create_facility() -> tuple[Response, int]:
    data = json_body()
    facility = services.create_facility(
        session(),
        code=req_str(data, "code", max_length=40),
        name=req_str(data, "name"),
        state=req_str(data, "state", max_length=2),
        timezone=req_str(data, "timezone", max_length=64),
        facility_class=get_choice(data, "facility_class", ("prison", "jail")),
        average_daily_population=_optional_int(data, "average_daily_population"),
        max_call_seconds=_optional_int(data, "max_call_seconds", minimum=60),
        approved_list_size=_optional_int(data, "approved_list_size", minimum=1),
    )
    audit_action("facility.create", "facility", facility.code, facility_json(facility))
    return jsonify(facility_json(facility)), 201


@bp.patch("/v1/facilities/<code>")
@requires(Role.ADMIN)
def update_facility(code: str) -> Response:
    data = json_body()
    facility = services.get_facility(session(), code)
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = req_str(data, "name")
    if "timezone" in data:
        changes["timezone"] = req_str(data, "timezone", max_length=64)
    for name, minimum in (("average_daily_population", 0), ("max_call_seconds", 60), ("approved_list_size", 1)):
        if name in data:
            changes[name] = _optional_int(data, name, minimum=minimum)
    before = services.update_facility(session(), facility, changes)
    audit_action("facility.update", "facility", facility.code, {"before": before, "after": changes})
    return jsonify(facility_json(facility))


def _rate_field(data: dict[str, Any], name: str) -> Decimal | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(f"'{name}' must be a decimal string such as \"0.009\".", details={"field": name})
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise InvalidParameter(f"'{name}' is not a decimal amount: {value!r}.", details={"field": name}) from exc


def _prefix_field(data: dict[str, Any]) -> str:
    prefix = data.get("destination_prefix") or ""
    if not isinstance(prefix, str):
        raise InvalidParameter("'destination_prefix' must be a string of digits.",
                               details={"field": "destination_prefix"})
    return prefix


def parse_tariff_fields(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Tariff fields from a JSON body (rates as decimal strings, dates as YYYY-MM-DD).

    ``partial``: only the fields present (a change); otherwise jurisdiction, per_minute and
    effective_from are required and the rest take the tariff defaults.
    """
    fields: dict[str, Any] = {}
    if not partial or "jurisdiction" in data:
        fields["jurisdiction"] = Jurisdiction(get_choice(data, "jurisdiction", tuple(j.value for j in Jurisdiction)))
    if not partial or "per_minute" in data:
        per_minute = _rate_field(data, "per_minute")
        if per_minute is None:
            raise InvalidParameter("'per_minute' is required.", details={"field": "per_minute"})
        fields["per_minute"] = per_minute
    if "first_minute" in data:
        fields["first_minute"] = _rate_field(data, "first_minute")
    if "termination_allowance" in data:
        fields["termination_allowance"] = _rate_field(data, "termination_allowance") or Decimal(0)
    for name, lo, hi in (("increment_seconds", 1, 3600), ("minimum_seconds", 0, 3600)):
        if name in data:
            fields[name] = get_int(data, name, minimum=lo, maximum=hi)
    if "rounding" in data:
        fields["rounding"] = Rounding(get_choice(data, "rounding", tuple(r.value for r in Rounding)))
    if "currency" in data:
        fields["currency"] = req_str(data, "currency", max_length=3)
    if "destination_prefix" in data:
        fields["destination_prefix"] = _prefix_field(data)
    if not partial or "effective_from" in data:
        fields["effective_from"] = get_date(data, "effective_from")
    if "effective_to" in data:
        fields["effective_to"] = get_date(data, "effective_to", required=False)
    return fields


@bp.get("/v1/facilities/<code>/tariffs")
@requires(Role.STAFF, Role.LEGAL, Role.CALL_PLATFORM)
def list_tariffs(code: str) -> Response:
    facility = services.get_facility(session(), code)
    return jsonify({"tariffs": [tariff_record_json(r) for r in facility.tariffs]})


@bp.post("/v1/facilities/<code>/tariffs")
@requires(Role.ADMIN)
def add_tariff(code: str) -> tuple[Response, int]:
    facility = services.get_facility(session(), code)
    tariff = services.tariff_from_fields(parse_tariff_fields(json_body()))
    record = services.add_tariff(session(), facility, tariff)
    body = tariff_record_json(record)
    audit_action("tariff.create", "tariff", record.id, body)
    return jsonify(body), 201


@bp.patch("/v1/tariffs/<int:tariff_id>")
@requires(Role.ADMIN)
def change_tariff(tariff_id: int) -> Response:
    record = services.get_tariff(session(), tariff_id)
    before = services.change_tariff(session(), record, parse_tariff_fields(json_body(), partial=True))
    body = tariff_record_json(record)
    audit_action("tariff.update", "tariff", record.id, {"before": _tariff_json(before), "after": body})
    return jsonify(body)
