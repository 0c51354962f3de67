"""CPU per call cycle, in-process: the application's and PostgreSQL's, without HTTP or contention.

    .venv/bin/python bench/call_cpu.py [--cycles 1000]

Runs authorize → accept → complete through Flask's test client on a fresh ``bench_call_cpu``
database (demo data plus one funded caller), after a warm-up, and prints the process's CPU time
per cycle and the CPU time all PostgreSQL server processes spent meanwhile (from ``/proc``; run it
on a machine where nothing else uses the database). Less noisy than the HTTP benchmark, so it
shows what a change to the live-call path costs or saves.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

import calls as cycle_bench
from common import fresh_postgres, migrate_and_load_demo


def postgres_cpu_seconds() -> float:
    """CPU seconds used so far by every process of the ``postgres`` user."""
    pids = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True, check=False).stdout.split()
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=1000)
    args = parser.parse_args()

    url = fresh_postgres("bench_call_cpu")
    migrate_and_load_demo(url)
    cycle_bench.set_up(url, 1)
    from billing import create_app
    from billing.config import Settings

    app = create_app(Settings(database_url=url, secret_key="bench", demo=True, auth_cache_ms=1000))
    client = app.test_client()
    headers = {"Authorization": "Bearer demo-call-platform"}

    def cycle(n: int) -> None:
        call_id = f"cpu-{n}"
        decision = client.post("/v1/calls", headers=headers, json={
            "call_id": call_id, "facility": "IL-PRISON-DEMO", "person": "B00000",
            "to": cycle_bench.number_for(0), "requested_at": cycle_bench.REQUESTED_AT})
        assert decision.json is not None and decision.json["authorized"], decision.json
        accepted = client.post(f"/v1/calls/{call_id}/accept", headers=headers, json={"at": "2026-11-25T18:00:10Z"})
        completed = client.post(f"/v1/calls/{call_id}/complete", headers=headers,
                                json={"ended_at": "2026-11-25T18:05:10Z", "end_reason": "hangup"})
        assert accepted.status_code == completed.status_code == 200

    for n in range(200):  # warm-up: caches, prepared statements
        cycle(n)
    pg_before, app_before = postgres_cpu_seconds(), time.process_time()
    for n in range(200, 200 + args.cycles):
        cycle(n)
    pg_after, app_after = postgres_cpu_seconds(), time.process_time()
    print(f"\nper call cycle, {args.cycles} cycles, one caller, in-process (Flask test client), PostgreSQL:")
    print(f"  application CPU   {(app_after - app_before) / args.cycles * 1000:7.2f} ms")
    print(f"  PostgreSQL CPU    {(pg_after - pg_before) / args.cycles * 1000:7.2f} ms")
    app.extensions["billing.db"].dispose()


if __name__ == "__main__":
    main()
