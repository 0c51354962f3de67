"""Property: for any balance and tariff, a call that runs to ``max_duration_seconds`` never costs
more than the balance, and — unless the facility maximum or the schedule window cut it shorter —
one billing increment more would have.

Each example opens a new facility (a random class and state, so a random rate cap) with a random
tariff under that cap, and a new prepaid account holding a random balance, in one test database.
The charge is checked against an independent oracle written here from the tariff's definition.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.billing.calls.conftest import Calls

#: (state, class, average daily population, the per-minute cap that binds from 2026-04-06)
FACILITY_KINDS = [
    ("IL", "prison", None, Decimal("0.07")),  # Illinois statute
    ("WI", "prison", None, Decimal("0.11")),  # FCC 25-75, prisons
    ("TX", "jail", 400, Decimal("0.12")),     # FCC 25-75, jails of 350–999
    ("TX", "jail", 20, Decimal("0.19")),      # FCC 25-75, jails under 50
]
_codes = itertools.count(1)
CLOSING = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)  # 22:00 in Chicago on 2026-11-25


def oracle_charge(per_minute: Decimal, first_minute: Decimal, increment: int, minimum: int, seconds: int) -> Decimal:
    """The tariff's definition: bill max(seconds, minimum) rounded up to increments; the first 60
    billed seconds at the first-minute rate, the rest pro rata; round once, half up, to the cent."""
    if seconds == 0:
        return Decimal("0.00")
    billed = -(-max(seconds, minimum) // increment) * increment
    first = min(billed, 60)
    exact = (first_minute * first + per_minute * (billed - first)) / 60
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    state, kind, adp, cap = draw(st.sampled_from(FACILITY_KINDS))
    micro_cap = int(cap * 1_000_000)
    per_minute = Decimal(draw(st.integers(5_000, micro_cap) | st.integers(1, micro_cap))) / 1_000_000
    first = draw(st.none() | st.integers(1, micro_cap))
    return {
        "state": state, "class": kind, "adp": adp,
        "per_minute": per_minute,
        "first_minute": None if first is None else Decimal(first) / 1_000_000,
        "increment": draw(st.sampled_from([1, 6, 30, 60])),
        "minimum": draw(st.sampled_from([0, 0, 30, 60, 90, 300])),
        # the balance as a share of what the longest allowed call costs: mostly less, sometimes more
        "balance_percent": draw(st.integers(0, 150)),
        "max_call_seconds": draw(st.sampled_from([None, 7200, 7200, 900, 60])),
        "seconds_before_closing": draw(st.integers(30, 15 * 3600)),
    }


def _open_facility(calls: Calls, s: dict[str, object]) -> str:
    code = f"PROP-{next(_codes)}"
    body: dict[str, object] = {"code": code, "name": code, "state": s["state"], "timezone": "America/Chicago",
                               "facility_class": s["class"], "average_daily_population": s["adp"]}
    if s["max_call_seconds"] is not None:
        body["max_call_seconds"] = s["max_call_seconds"]
    r = calls.admin.post("/v1/facilities", body)
    assert r.status_code == 201, r.json
    for jurisdiction in ("intrastate", "interstate"):
        tariff: dict[str, object] = {
            "jurisdiction": jurisdiction, "per_minute": str(s["per_minute"]), "effective_from": "2026-04-06",
            "increment_seconds": s["increment"], "minimum_seconds": s["minimum"],
        }
        if s["first_minute"] is not None:
            tariff["first_minute"] = str(s["first_minute"])
        r = calls.admin.post(f"/v1/facilities/{code}/tariffs", tariff)
        assert r.status_code == 201, r.json
    return code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=scenarios())
def test_a_call_run_to_its_limit_never_costs_more_than_the_balance_and_one_increment_more_would(
    calls: Calls, s: dict[str, object]
) -> None:
    facility = _open_facility(calls, s)
    person = calls.person_at(facility, f"P-{facility}", start="07:00", end="22:00")
    per_minute, increment, minimum = s["per_minute"], int(s["increment"]), int(s["minimum"])  # type: ignore[call-overload]
    first_minute = s["first_minute"] if s["first_minute"] is not None else per_minute
    assert isinstance(per_minute, Decimal) and isinstance(first_minute, Decimal)

    def cost(seconds: int) -> Decimal:
        return oracle_charge(per_minute, first_minute, increment, minimum, seconds)

    limit = min(int(s["max_call_seconds"] or 1800), int(s["seconds_before_closing"]))  # type: ignore[call-overload]
    cents = int(cost(limit) * int(s["balance_percent"]))  # type: ignore[call-overload]
    balance = Decimal(max(cents, 1)) / 100
    number, _ = calls.approved_prepaid(str(balance), person=person)
    requested = CLOSING - dt.timedelta(seconds=int(s["seconds_before_closing"]))  # type: ignore[call-overload]
    at = requested.isoformat().replace("+00:00", "Z")

    decision = calls.authorize(number, person=person, facility=facility, at=at)
    if not decision["authorized"]:
        event("refused: insufficient funds")
        assert decision["code"] == "INSUFFICIENT_FUNDS"
        assert cost(1) > balance  # not even the shortest call was affordable
        return

    longest = decision["max_duration_seconds"]
    assert 0 < longest <= limit
    assert cost(longest) <= balance
    event("limited by the balance" if longest < limit else "limited by the facility or the window")
    if longest < limit:
        assert cost(longest + increment) > balance, (longest, increment)
        assert cost(longest + 1) > balance, longest

    calls.accept(decision["call_id"], at)
    done = calls.complete(decision["call_id"], (requested + dt.timedelta(seconds=longest)).isoformat(), "time_limit")
    assert done["billable_seconds"] == longest
    assert Decimal(done["charge"]) == cost(longest)
    assert Decimal(done["available_balance"]) == balance - cost(longest) >= 0
    assert calls.account(number)["on_hold"] == "0.00"
