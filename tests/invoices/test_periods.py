"""Statement periods are calendar months of the provider's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoices import InvalidPeriod, Period, zone

CHICAGO = zone("America/Chicago")


def test_a_period_is_written_and_read_as_year_and_month() -> None:
    assert str(Period.parse("2026-11")) == "2026-11"
    assert Period.parse(" 2026-01 ") == Period(2026, 1)
    for bad in ("2026-13", "2026-00", "26-11", "2026/11", "2026-1", "", "november"):
        with pytest.raises(InvalidPeriod):
            Period.parse(bad)


def test_months_follow_each_other_across_the_year_end() -> None:
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert Period(2028, 2).last_day == dt.date(2028, 2, 29)


def test_the_bounds_are_local_midnights_so_a_late_evening_call_stays_in_its_month() -> None:
    # November 2026 starts on the night daylight saving time ends (CDT, UTC−5) and ends in CST (UTC−6).
    start, end = Period(2026, 11).bounds(CHICAGO)
    assert start == dt.datetime(2026, 11, 1, 5, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidPeriod):
        zone("America/Atlantis")


@given(st.integers(2001, 2998), st.integers(1, 12), st.sampled_from(["UTC", "America/Chicago", "Pacific/Auckland"]))
def test_consecutive_periods_tile_time_without_gap_or_overlap(year: int, month: int, tz: str) -> None:
    period = Period(year, month)
    start, end = period.bounds(zone(tz))
    assert start < end
    assert period.next().bounds(zone(tz))[0] == end
    assert period.previous().next() == period
    assert Period.containing(period.last_day) == period
