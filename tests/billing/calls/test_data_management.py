"""The data calls depend on, kept by staff and legal: bounded approved lists, attorney lines
approved by legal staff only (who, when, why recorded), and blocks placed and lifted on record."""

from __future__ import annotations

from sqlalchemy import select

from billing.audit import AuditEntry
from billing.db import Database
from tests.billing.calls.conftest import FORMER_FRIEND, JAIL, MOTHER, PERSON, PRISON, Calls, fresh_number, local

# --- approved calling lists -----------------------------------------------------------------------


def test_an_approved_list_holds_at_most_thirty_numbers(calls: Calls) -> None:
    listed = len(calls.staff.get(f"/v1/persons/{PERSON}").json["approved_numbers"])
    for _ in range(30 - listed):
        calls.approve(fresh_number())
    r = calls.staff.post(f"/v1/persons/{PERSON}/numbers", {"number": fresh_number()})
    assert (r.status_code, r.json["code"]) == (409, "APPROVED_LIST_FULL")
    assert len(calls.staff.get(f"/v1/persons/{PERSON}").json["approved_numbers"]) == 30


def test_removing_a_number_makes_room_on_a_full_list(calls: Calls) -> None:
    calls.admin.patch(f"/v1/facilities/{PRISON}", {"approved_list_size": 5})  # the demo list has 5
    number = fresh_number()
    assert calls.staff.post(f"/v1/persons/{PERSON}/numbers", {"number": number}).json["code"] == "APPROVED_LIST_FULL"
    assert calls.staff.delete(f"/v1/persons/{PERSON}/numbers/{FORMER_FRIEND}").status_code == 200
    assert calls.staff.post(f"/v1/persons/{PERSON}/numbers", {"number": number}).status_code == 201


def test_the_list_size_is_set_per_facility(calls: Calls) -> None:
    r = calls.admin.patch(f"/v1/facilities/{JAIL}", {"approved_list_size": 2})
    assert r.status_code == 200, r.json
    person = calls.person_at(JAIL, "J-500")
    calls.approve(fresh_number(), person=person)
    calls.approve(fresh_number(), person=person)
    r = calls.staff.post(f"/v1/persons/{person}/numbers", {"number": fresh_number()})
    assert (r.status_code, r.json["code"]) == (409, "APPROVED_LIST_FULL")
    calls.approve(fresh_number())  # the prison's lists are not affected


def test_a_number_is_listed_once(calls: Calls) -> None:
    r = calls.staff.post(f"/v1/persons/{PERSON}/numbers", {"number": "3125550101"})
    assert (r.status_code, r.json["code"]) == (409, "ALREADY_EXISTS")


def test_the_call_platform_cannot_change_an_approved_list(calls: Calls) -> None:
    assert calls.api.post(f"/v1/persons/{PERSON}/numbers", {"number": fresh_number()}).status_code == 403


# --- privileged (attorney) numbers ------------------------------------------------------------


def test_only_legal_staff_can_approve_an_unmonitored_attorney_line(calls: Calls) -> None:
    number, _ = calls.approved_prepaid()
    for role in ("staff", "admin", "call_platform"):
        r = calls.privilege(number, role=role)
        assert (r.status_code, r.json["code"]) == (403, "FORBIDDEN"), role
    assert calls.authorize(number)["monitored"] is True
    assert calls.privilege(number, "Counsel of record, case 26-CF-1").status_code == 200
    assert calls.authorize(number, at=local("10:00"))["monitored"] is False


def test_an_attorney_line_approval_records_who_when_and_why(calls: Calls, db: Database) -> None:
    number, _ = calls.approved_prepaid()
    r = calls.privilege(number, "Counsel of record, case 26-CF-1")
    entry = r.json
    assert (entry["privileged"], entry["monitored"]) == (True, False)
    privilege = entry["privilege"]
    assert privilege["reason"] == "Counsel of record, case 26-CF-1"
    assert "demo legal" in privilege["approved_by"]
    assert privilege["approved_at"]
    listed = calls.legal.get(f"/v1/persons/{PERSON}").json["approved_numbers"]
    assert next(n for n in listed if n["number"] == number)["privilege"] == privilege
    with db.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "approved_number.privilege")).all()
    assert [(a.role, a.subject_id, a.details["number"]) for a in audit] == [("legal", PERSON, number)]


def test_an_attorney_line_needs_a_reason(calls: Calls) -> None:
    number, _ = calls.approved_prepaid()
    r = calls.put("legal", f"/v1/persons/{PERSON}/numbers/{number}/privileged", {})
    assert r.status_code == 400
    r = calls.privilege(number, "")
    assert (r.status_code, r.json["code"]) == (400, "INVALID_PARAMETER")
    assert calls.authorize(number)["monitored"] is True


def test_only_a_listed_number_can_be_made_privileged(calls: Calls) -> None:
    r = calls.privilege(fresh_number())
    assert r.status_code == 404


def test_withdrawing_the_privilege_makes_calls_monitored_again(calls: Calls) -> None:
    number, _ = calls.approved_prepaid()
    calls.privilege(number)
    assert calls.authorize(number)["monitored"] is False
    r = calls.legal.delete(f"/v1/persons/{PERSON}/numbers/{number}/privileged")
    assert r.status_code == 200, r.json
    assert r.json["privileged"] is False
    assert calls.authorize(number, at=local("10:00"))["monitored"] is True
    assert calls.staff.delete(f"/v1/persons/{PERSON}/numbers/{number}/privileged").status_code == 403


# --- blocks -------------------------------------------------------------------------------------


def test_a_block_records_its_scope_source_reason_who_and_when(calls: Calls) -> None:
    r = calls.staff.post("/v1/blocks", {"number": "(312) 555-0101", "scope": "facility", "facility": PRISON,
                                        "source": "facility", "reason": "security: contraband plot"})
    assert r.status_code == 201, r.json
    block = r.json
    assert (block["number"], block["scope"], block["facility"], block["source"], block["reason"], block["active"]) == (
        MOTHER, "facility", PRISON, "facility", "security: contraband plot", True)
    assert "demo staff" in block["created_by"]
    assert block["created_at"]
    assert calls.blocks(MOTHER) == [block]
    assert calls.code(MOTHER) == "NUMBER_BLOCKED"


def test_a_provider_block_stops_calls_from_every_facility(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-501")
    calls.approve(MOTHER, person=person)
    calls.staff.post("/v1/blocks", {"number": MOTHER, "scope": "all", "source": "provider", "reason": "fraud"})
    assert calls.code(MOTHER) == "NUMBER_BLOCKED"
    assert calls.code(MOTHER, person=person, facility=JAIL) == "NUMBER_BLOCKED"


def test_a_facility_block_stops_calls_from_that_facility_only(calls: Calls) -> None:
    person = calls.person_at(JAIL, "J-502")
    calls.approve(MOTHER, person=person)
    calls.staff.post("/v1/blocks", {"number": MOTHER, "scope": "facility", "facility": JAIL, "source": "facility",
                                    "reason": "victim protection"})
    assert calls.code(MOTHER, person=person, facility=JAIL) == "NUMBER_BLOCKED"
    assert calls.authorize(MOTHER)["authorized"] is True


def test_a_lifted_block_no_longer_blocks_and_the_lift_is_recorded(calls: Calls) -> None:
    [block] = calls.blocks(FORMER_FRIEND)
    assert calls.code(FORMER_FRIEND) == "NUMBER_BLOCKED"
    r = calls.staff.post(f"/v1/blocks/{block['id']}/lift", {"reason": "the called party asked to hear again"})
    assert r.status_code == 200, r.json
    lifted = r.json
    assert (lifted["active"], lifted["lift_reason"]) == (False, "the called party asked to hear again")
    assert "demo staff" in lifted["lifted_by"]
    assert lifted["lifted_at"]
    # the history stays
    assert calls.blocks(FORMER_FRIEND) == [lifted]
    assert calls.authorize(FORMER_FRIEND, at=local("10:00"))["code"] == "INSUFFICIENT_FUNDS"  # its account is empty


def test_lifting_one_block_leaves_another_in_force(calls: Calls) -> None:
    calls.staff.post("/v1/blocks", {"number": FORMER_FRIEND, "scope": "facility", "facility": PRISON,
                                    "source": "facility", "reason": "security"})
    first = calls.blocks(FORMER_FRIEND)[0]
    calls.staff.post(f"/v1/blocks/{first['id']}/lift", {"reason": "asked"})
    assert calls.code(FORMER_FRIEND) == "NUMBER_BLOCKED"


def test_a_block_is_lifted_once_and_with_a_reason(calls: Calls) -> None:
    [block] = calls.blocks(FORMER_FRIEND)
    assert calls.staff.post(f"/v1/blocks/{block['id']}/lift", {}).status_code == 400
    assert calls.staff.post(f"/v1/blocks/{block['id']}/lift", {"reason": "asked"}).status_code == 200
    r = calls.staff.post(f"/v1/blocks/{block['id']}/lift", {"reason": "again"})
    assert (r.status_code, r.json["code"]) == (409, "CONFLICT")
    assert calls.staff.post("/v1/blocks/999999/lift", {"reason": "x"}).status_code == 404


def test_a_block_needs_a_known_scope_and_source(calls: Calls) -> None:
    for body in ({"number": MOTHER, "source": "neighbour"}, {"number": MOTHER, "scope": "state", "source": "facility"},
                 {"number": MOTHER, "scope": "facility", "source": "facility"}):
        assert calls.staff.post("/v1/blocks", body).status_code == 400, body
    assert calls.blocks(MOTHER) == []


def test_the_call_platform_cannot_place_or_lift_blocks(calls: Calls) -> None:
    assert calls.api.post("/v1/blocks", {"number": MOTHER, "source": "provider"}).status_code == 403
    [block] = calls.blocks(FORMER_FRIEND)
    assert calls.api.post(f"/v1/blocks/{block['id']}/lift", {"reason": "x"}).status_code == 403
