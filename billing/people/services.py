"""Living units, schedules, persons and approved calling lists (staff and legal actions).

Every change is made by an actor (an API key) and recorded in the audit trail by the views.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.errors import AlreadyExists, Conflict, InvalidParameter, NotFound, UnknownPerson
from billing.facilities.models import Facility
from billing.people.models import ApprovedNumber, CallingWindow, LivingUnit, Person
from ledgers.base import utcnow

PERSON_STATUSES = ("active", "restricted", "released")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class ListFull(Conflict):
    """The approved calling list already holds as many numbers as the facility allows."""

    code = "APPROVED_LIST_FULL"


def _minutes(text: object, field: str) -> int:
    match = _CLOCK.match(text) if isinstance(text, str) else None
    if match is None or (match.group(1) == "24" and match.group(2) != "00"):
        raise InvalidParameter(f"'{field}' must be a time like \"07:00\" (00:00–24:00).", details={"field": field})
    return int(match.group(1)) * 60 + int(match.group(2))


@dataclass(frozen=True, slots=True)
class Window:
    weekday: int
    start_minute: int
    end_minute: int


def parse_schedule(entries: Any) -> list[Window]:
    """``[{"days": ["mon", …] or "daily", "start": "07:00", "end": "22:00"}, …]`` → windows.

    Windows of one day may not overlap; a day without windows has no calling.
    """
    if not isinstance(entries, list):
        raise InvalidParameter("'schedule' must be a list of windows.", details={"field": "schedule"})
    windows: list[Window] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise InvalidParameter("Each schedule window must be an object.", details={"field": "schedule"})
        days = entry.get("days", "daily")
        if days == "daily":
            days = list(WEEKDAYS)
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            raise InvalidParameter(f"'days' must be \"daily\" or a list of {', '.join(WEEKDAYS)}.",
                                   details={"field": "days"})
        start, end = _minutes(entry.get("start"), "start"), _minutes(entry.get("end"), "end")
        if start >= end:
            raise InvalidParameter("A window must end after it starts (use two windows to cross midnight).",
                                   details={"field": "end"})
        windows.extend(Window(WEEKDAYS.index(d), start, end) for d in days)
    by_day: dict[int, list[Window]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append(w)
    for day in by_day.values():
        day.sort(key=lambda w: w.start_minute)
        for a, b in itertools.pairwise(day):
            if b.start_minute < a.end_minute:
                raise InvalidParameter("Windows of the same day overlap.", details={"field": "schedule"})
    return sorted(windows, key=lambda w: (w.weekday, w.start_minute))


def schedule_json(unit: LivingUnit) -> list[dict[str, Any]]:
    return [
        {"day": WEEKDAYS[w.weekday], "start": f"{w.start_minute // 60:02d}:{w.start_minute % 60:02d}",
         "end": f"{w.end_minute // 60:02d}:{w.end_minute % 60:02d}"}
        for w in unit.windows
    ]


def seconds_left_in_window(windows: Iterable[Window | CallingWindow], tz: ZoneInfo, at: dt.datetime) -> int:
    """Seconds from ``at`` to the end of the schedule window it falls in; 0 when outside every window.

    A window ending at 24:00 runs on into a window starting at 00:00 the next day.
    """
    local = at.astimezone(tz)
    minute = local.hour * 60 + local.minute
    by_day: dict[int, list[Window | CallingWindow]] = {}
    for w in windows:
        by_day.setdefault(w.weekday, []).append(w)
    current = next((w for w in by_day.get(local.weekday(), []) if w.start_minute <= minute < w.end_minute), None)
    if current is None:
        return 0
    end_day, end_minute = local.date(), current.end_minute
    if end_minute == 1440:
        following = (local.weekday() + 1) % 7
        cont = next((w for w in by_day.get(following, []) if w.start_minute == 0), None)
        end_day = end_day + dt.timedelta(days=1)
        end_minute = cont.end_minute if cont is not None else 0
    end_local = dt.datetime.combine(end_day, dt.time(0), tzinfo=tz) + dt.timedelta(minutes=end_minute)
    # Wall-clock arithmetic in the zone, then real elapsed seconds (DST-safe).
    return max(0, int((end_local.astimezone(dt.UTC) - at.astimezone(dt.UTC)).total_seconds()))


# --- units ---------------------------------------------------------------------------------


def create_unit(session: Session, facility: Facility, *, code: str, name: str, windows: list[Window]) -> LivingUnit:
    if session.scalar(select(LivingUnit.id).where(LivingUnit.facility_id == facility.id,
                                                  LivingUnit.code == code)) is not None:
        raise AlreadyExists(f"The facility already has a living unit {code!r}.")
    unit = LivingUnit(facility_id=facility.id, code=code, name=name)
    unit.windows = [CallingWindow(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
                    for w in windows]
    session.add(unit)
    session.flush()
    return unit


def get_unit(session: Session, facility: Facility, code: str) -> LivingUnit:
    unit = session.scalar(select(LivingUnit).where(LivingUnit.facility_id == facility.id, LivingUnit.code == code))
    if unit is None:
        raise NotFound(f"No living unit {code!r} at {facility.code}.")
    return unit


def set_schedule(session: Session, unit: LivingUnit, windows: list[Window]) -> None:
    unit.windows = [CallingWindow(weekday=w.weekday, start_minute=w.start_minute, end_minute=w.end_minute)
                    for w in windows]
    session.flush()


# --- persons -------------------------------------------------------------------------------


def get_person(session: Session, id_number: str) -> Person:
    person = session.scalar(select(Person).where(Person.id_number == id_number))
    if person is None:
        raise UnknownPerson(f"No person has the id number {id_number!r}.")
    return person


def create_person(session: Session, facility: Facility, unit: LivingUnit, *, id_number: str, name: str = "",
                  status: str = "active") -> Person:
    if status not in PERSON_STATUSES:
        raise InvalidParameter(f"'status' must be one of {', '.join(PERSON_STATUSES)}.", details={"field": "status"})
    if session.scalar(select(Person.id).where(Person.id_number == id_number)) is not None:
        raise AlreadyExists(f"A person with the id number {id_number!r} exists.")
    person = Person(id_number=id_number, name=name, facility_id=facility.id, unit_id=unit.id, status=status,
                    created_at=utcnow())
    session.add(person)
    session.flush()
    return person


def active_numbers(session: Session, person: Person) -> list[ApprovedNumber]:
    return list(session.scalars(
        select(ApprovedNumber).where(ApprovedNumber.person_id == person.id, ApprovedNumber.removed_at.is_(None))
        .order_by(ApprovedNumber.id)
    ))


def find_approved(session: Session, person_id: int, number: str) -> ApprovedNumber | None:
    return session.scalar(select(ApprovedNumber).where(
        ApprovedNumber.person_id == person_id, ApprovedNumber.number == number, ApprovedNumber.removed_at.is_(None)
    ))


def add_number(session: Session, person: Person, number: str, *, contact_name: str, actor: str,
               list_size: int) -> ApprovedNumber:
    """Add a number to the approved list; refused past the facility's list size."""
    # Lock the person: two staff adding numbers at once must not both fit under the bound.
    session.execute(select(Person.id).where(Person.id == person.id).with_for_update())
    if find_approved(session, person.id, number) is not None:
        raise AlreadyExists(f"{number} is already on the approved list.")
    count = session.scalar(select(func.count()).select_from(ApprovedNumber).where(
        ApprovedNumber.person_id == person.id, ApprovedNumber.removed_at.is_(None))) or 0
    if count >= list_size:
        raise ListFull(f"The approved calling list is full ({list_size} numbers); remove one first.")
    entry = ApprovedNumber(person_id=person.id, number=number, contact_name=contact_name, added_by=actor,
                           added_at=utcnow())
    session.add(entry)
    session.flush()
    return entry


def remove_number(session: Session, person: Person, number: str, *, actor: str) -> ApprovedNumber:
    entry = find_approved(session, person.id, number)
    if entry is None:
        raise NotFound(f"{number} is not on the approved list.")
    entry.removed_at = utcnow()
    entry.removed_by = actor
    return entry


def set_privileged(session: Session, person: Person, number: str, *, actor: str, reason: str | None,
                   privileged: bool) -> ApprovedNumber:
    """Legal staff mark (or unmark) an approved number as a privileged attorney line."""
    entry = find_approved(session, person.id, number)
    if entry is None:
        raise NotFound(f"{number} is not on the approved list.")
    if privileged:
        if not reason:
            raise InvalidParameter("Approving an unmonitored attorney line needs a 'reason'.",
                                   details={"field": "reason"})
        entry.privileged, entry.privileged_by, entry.privileged_at = True, actor, utcnow()
        entry.privileged_reason = reason
    else:
        entry.privileged, entry.privileged_by, entry.privileged_at, entry.privileged_reason = False, None, None, None
    return entry
