"""Staff and legal endpoints: living units and schedules, persons, approved calling lists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from billing.apikeys.models import Role
from billing.config import Settings
from billing.facilities.models import Facility
from billing.facilities.services import get_facility
from billing.http import get_choice, get_str, json_body, req_str
from billing.people import services
from billing.people.models import ApprovedNumber, LivingUnit, Person
from billing.web import audit_action, principal, requires, session
from rating import normalize_number

bp = Blueprint("people", __name__)


def unit_json(unit: LivingUnit, facility_code: str) -> dict[str, Any]:
    return {"facility": facility_code, "code": unit.code, "name": unit.name,
            "schedule": services.schedule_json(unit)}


def number_json(entry: ApprovedNumber) -> dict[str, Any]:
    body: dict[str, Any] = {"number": entry.number, "contact_name": entry.contact_name,
                            "privileged": entry.privileged, "monitored": not entry.privileged,
                            "added_at": entry.added_at.isoformat(), "added_by": entry.added_by}
    if entry.privileged:
        body["privilege"] = {"approved_by": entry.privileged_by, "reason": entry.privileged_reason,
                             "approved_at": entry.privileged_at.isoformat() if entry.privileged_at else None}
    return body


def person_json(person: Person, facility_code: str) -> dict[str, Any]:
    return {"id_number": person.id_number, "name": person.name, "facility": facility_code,
            "unit": person.unit.code, "status": person.status}


@bp.post("/v1/facilities/<code>/units")
@requires(Role.STAFF)
def create_unit(code: str) -> tuple[Response, int]:
    data = json_body()
    facility = get_facility(session(), code)
    unit = services.create_unit(session(), facility, code=req_str(data, "code", max_length=40),
                                name=get_str(data, "name", required=False) or req_str(data, "code"),
                                windows=services.parse_schedule(data.get("schedule", [])))
    body = unit_json(unit, facility.code)
    audit_action("unit.create", "living_unit", f"{facility.code}/{unit.code}", body)
    return jsonify(body), 201


@bp.get("/v1/facilities/<code>/units/<unit_code>")
@requires(Role.STAFF, Role.LEGAL, Role.CALL_PLATFORM)
def get_unit(code: str, unit_code: str) -> Response:
    facility = get_facility(session(), code)
    return jsonify(unit_json(services.get_unit(session(), facility, unit_code), facility.code))


@bp.put("/v1/facilities/<code>/units/<unit_code>/schedule")
@requires(Role.STAFF)
def set_schedule(code: str, unit_code: str) -> Response:
    data = json_body()
    facility = get_facility(session(), code)
    unit = services.get_unit(session(), facility, unit_code)
    before = services.schedule_json(unit)
    services.set_schedule(session(), unit, services.parse_schedule(data.get("schedule")))
    body = unit_json(unit, facility.code)
    audit_action("unit.schedule", "living_unit", f"{facility.code}/{unit.code}",
           {"before": before, "after": body["schedule"]})
    return jsonify(body)


@bp.post("/v1/persons")
@requires(Role.STAFF)
def create_person() -> tuple[Response, int]:
    data = json_body()
    facility = get_facility(session(), req_str(data, "facility", max_length=40))
    unit = services.get_unit(session(), facility, req_str(data, "unit", max_length=40))
    person = services.create_person(
        session(), facility, unit, id_number=req_str(data, "id_number", max_length=40),
        name=get_str(data, "name", required=False) or "",
        status=get_choice(data, "status", services.PERSON_STATUSES, default="active"),
    )
    body = person_json(person, facility.code)
    audit_action("person.create", "person", person.id_number, body)
    return jsonify(body), 201


def _person_and_facility(id_number: str) -> tuple[Person, Any]:
    person = services.get_person(session(), id_number)
    facility = session().get(Facility, person.facility_id)
    return person, facility


@bp.get("/v1/persons/<id_number>")
@requires(Role.STAFF, Role.LEGAL, Role.CALL_PLATFORM)
def get_person(id_number: str) -> Response:
    person, facility = _person_and_facility(id_number)
    body = person_json(person, facility.code)
    body["approved_numbers"] = [number_json(n) for n in services.active_numbers(session(), person)]
    return jsonify(body)


@bp.patch("/v1/persons/<id_number>")
@requires(Role.STAFF)
def update_person(id_number: str) -> Response:
    """Change a person's status (active, restricted, released) or living unit (a move)."""
    data = json_body()
    person, facility = _person_and_facility(id_number)
    before = person_json(person, facility.code)
    if "facility" in data:
        facility = get_facility(session(), req_str(data, "facility", max_length=40))
        person.facility_id = facility.id
    if "unit" in data or "facility" in data:
        person.unit = services.get_unit(session(), facility, req_str(data, "unit", max_length=40))
    if "status" in data:
        person.status = get_choice(data, "status", services.PERSON_STATUSES)
    if "name" in data:
        person.name = get_str(data, "name", required=False) or ""
    session().flush()
    body = person_json(person, facility.code)
    audit_action("person.update", "person", person.id_number, {"before": before, "after": body})
    return jsonify(body)


def _list_size(facility: Any) -> int:
    settings: Settings = current_app.extensions["billing.settings"]
    return int(facility.approved_list_size or settings.approved_list_size)


@bp.post("/v1/persons/<id_number>/numbers")
@requires(Role.STAFF)
def add_number(id_number: str) -> tuple[Response, int]:
    """Add a number to the approved calling list (refused past the facility's list size)."""
    data = json_body()
    person, facility = _person_and_facility(id_number)
    number = normalize_number(req_str(data, "number", max_length=40))
    entry = services.add_number(session(), person, number, actor=principal().actor,
                                contact_name=get_str(data, "contact_name", required=False) or "",
                                list_size=_list_size(facility))
    body = number_json(entry)
    audit_action("approved_number.add", "person", person.id_number, body)
    return jsonify(body), 201


@bp.delete("/v1/persons/<id_number>/numbers/<number>")
@requires(Role.STAFF)
def remove_number(id_number: str, number: str) -> Response:
    person, _ = _person_and_facility(id_number)
    entry = services.remove_number(session(), person, normalize_number(number), actor=principal().actor)
    audit_action("approved_number.remove", "person", person.id_number, {"number": entry.number})
    return jsonify({"number": entry.number, "removed": True})


@bp.put("/v1/persons/<id_number>/numbers/<number>/privileged")
@requires(Role.LEGAL)
def mark_privileged(id_number: str, number: str) -> Response:
    """Legal staff approve an unmonitored attorney line; who, when and why are recorded."""
    data = json_body()
    person, _ = _person_and_facility(id_number)
    entry = services.set_privileged(session(), person, normalize_number(number), actor=principal().actor,
                                    reason=get_str(data, "reason", required=False, max_length=1000),
                                    privileged=True)
    body = number_json(entry)
    audit_action("approved_number.privilege", "person", person.id_number, body)
    return jsonify(body)


@bp.delete("/v1/persons/<id_number>/numbers/<number>/privileged")
@requires(Role.LEGAL)
def unmark_privileged(id_number: str, number: str) -> Response:
    person, _ = _person_and_facility(id_number)
    entry = services.set_privileged(session(), person, normalize_number(number), actor=principal().actor,
                                    reason=None, privileged=False)
    body = number_json(entry)
    audit_action("approved_number.unprivilege", "person", person.id_number, body)
    return jsonify(body)
