"""Calls happen in the times the living unit's schedule sets, read in the facility's local time."""

from __future__ import annotations

from tests.billing.calls.conftest import MOTHER, PERSON, PRISON, Calls, local


def _put_schedule(calls: Calls, unit: str, schedule: list[dict[str, object]]) -> None:
    r = calls.put("staff", f"/v1/facilities/{PRISON}/units/{unit}/schedule", {"schedule": schedule})
    assert r.status_code == 200, r.json


def test_a_unit_that_calls_only_at_weekends_cannot_call_on_a_wednesday(calls: Calls) -> None:
    _put_schedule(calls, "A-WING", [{"days": ["sat", "sun"], "start": "08:00", "end": "20:00"}])
    assert calls.code(MOTHER, at=local("12:00")) == "OUTSIDE_CALLING_SCHEDULE"  # Wednesday 2026-11-25
    assert calls.authorize(MOTHER, at=local("12:00", day=28))["authorized"] is True  # Saturday


def test_a_schedule_change_applies_to_the_next_call(calls: Calls) -> None:
    assert calls.authorize(MOTHER, at=local("20:00"))["max_duration_seconds"] == 1800
    _put_schedule(calls, "A-WING", [{"days": "daily", "start": "07:00", "end": "12:00"},
                                    {"days": "daily", "start": "13:00", "end": "20:10"}])
    assert calls.code(MOTHER, at=local("12:30")) == "OUTSIDE_CALLING_SCHEDULE"
    assert calls.authorize(MOTHER, at=local("11:55"))["max_duration_seconds"] == 300
    assert calls.authorize(MOTHER, at=local("20:00"))["max_duration_seconds"] == 600


def test_a_move_to_another_unit_brings_that_units_schedule(calls: Calls) -> None:
    r = calls.staff.post(f"/v1/facilities/{PRISON}/units",
                         {"code": "SEG", "schedule": [{"days": "daily", "start": "10:00", "end": "11:00"}]})
    assert r.status_code == 201, r.json
    assert calls.staff.patch(f"/v1/persons/{PERSON}", {"unit": "SEG"}).status_code == 200
    assert calls.code(MOTHER, at=local("09:00")) == "OUTSIDE_CALLING_SCHEDULE"
    assert calls.authorize(MOTHER, at=local("10:45"))["max_duration_seconds"] == 900


def test_a_window_ending_at_midnight_runs_on_into_the_next_days_early_window(calls: Calls) -> None:
    _put_schedule(calls, "A-WING", [{"days": "daily", "start": "00:00", "end": "00:20"},
                                    {"days": "daily", "start": "23:00", "end": "24:00"}])
    # 23:50 Wednesday → 00:20 Thursday: 30 minutes
    assert calls.authorize(MOTHER, at=local("23:50"))["max_duration_seconds"] == 1800
    assert calls.authorize(MOTHER, at=local("00:10", day=26))["max_duration_seconds"] == 600


def test_the_window_is_counted_in_real_seconds_across_the_autumn_clock_change(calls: Calls) -> None:
    # Sunday 2026-11-01: Chicago's clocks go back from 02:00 CDT to 01:00 CST
    _put_schedule(calls, "A-WING", [{"days": "daily", "start": "00:30", "end": "03:00"}])
    calls.admin.patch(f"/v1/facilities/{PRISON}", {"max_call_seconds": 4 * 3600})
    # 01:30 CDT (06:30 UTC) to 03:00 CST (09:00 UTC) is two and a half hours
    assert calls.authorize(MOTHER, at="2026-11-01T06:30:00Z")["max_duration_seconds"] == 9000
    # the second 01:30 (CST, 07:30 UTC) has an hour and a half left
    assert calls.authorize(MOTHER, at="2026-11-01T07:30:00Z")["max_duration_seconds"] == 5400
