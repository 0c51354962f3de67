"""Ledger benchmark: hold + post pairs per second on PostgreSQL, next to pgbench on the same machine.

    .venv/bin/python bench/ledger.py [--database-url URL] [--seconds 15] [--clients 1,8]

Each client is a process (so the GIL does not cap the ledger) with its own connection and its own
prepaid account, and runs what a call does: a hold in one transaction, then a post of part of
it in another. Scenarios, run one after the other for ``--seconds`` each:

- ``distinct``: every client's holds credit a revenue account of its own;
- ``shared``: every client's holds credit ``house:call_revenue:USD`` (the normal case). A house
  account is never locked or updated, so this should run as fast as ``distinct``.

The two alternate in order from round to round (the second run of a pair tends to be slower:
autovacuum and checkpoints catch up with the first), and ``--rounds`` (default 3) medians are
reported, since the machine may be shared.

Then ``pgbench -b tpcb-like`` (scale 1, ``-c N -j N -T seconds``) measures the database's own
limit with the same client counts, in a scratch database. A hold + post pair counts as **two**
transactions when compared with pgbench's tps. Without ``--database-url`` a fresh ``bench_ledger``
database is created and migrated with ``billing.cli.upgrade_database``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from common import fresh_postgres
from sqlalchemy.engine import make_url

import ledgers
from billing.cli import upgrade_database
from billing.db import Database
from rating.money import money

WARMUP_SECONDS = 1.0


@dataclass(frozen=True)
class Result:
    scenario: str
    clients: int
    pairs: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds

    @property
    def tx_per_second(self) -> float:
        return 2 * self.pairs_per_second  # a hold and a post: two transactions


def prepare(url: str, clients: int, tag: str, *, shared: bool) -> list[tuple[int, int]]:
    """(customer, revenue) account ids per client: funded prepaid accounts and revenue accounts."""
    db = Database(url)
    pairs = []
    with db.unit_of_work() as s:
        house = ledgers.ensure_house_accounts(s, "USD")
        for i in range(clients):
            family = ledgers.open_customer_account(s, code=f"bench:{tag}:family:{i}", kind="prepaid", currency="USD")
            revenue = house["call_revenue"] if shared else ledgers.create_account(
                s, code=f"bench:{tag}:revenue:{i}", type=ledgers.AccountType.REVENUE, currency="USD",
                keeps_balance=False)
            s.flush()
            ledgers.transfer(s, debit=house["payment_clearing"], credit=family, amount=money("10000000.00"),
                             idempotency_key=f"bench:{tag}:deposit:{i}", purpose="deposit")
            pairs.append((family.id, revenue.id))
    db.dispose()
    return pairs


@dataclass(frozen=True)
class Job:
    """One client's work: its accounts, the name its idempotency keys start with, and how long."""

    url: str
    customer: int
    revenue: int
    name: str
    seconds: float


def client(job: Job, barrier: Barrier) -> list[float]:
    """Hold + post pairs until the time is up; returns each pair's latency in seconds."""
    url, customer, revenue, name, seconds = job.url, job.customer, job.revenue, job.name, job.seconds
    db = Database(url)
    hold_amount, charge = money("5.00"), money("1.37")
    with db.sessions() as s:
        accounts = (ledgers.get_account(s, customer), ledgers.get_account(s, revenue))

        def pair(n: int) -> None:
            pending = ledgers.hold(s, debit=accounts[0], credit=accounts[1], amount=hold_amount,
                                   idempotency_key=f"{name}:{n}:hold", purpose="call_charge",
                                   reference=f"call:{name}:{n}", timeout=timedelta(minutes=35))
            s.commit()
            ledgers.post(s, pending, amount=charge, idempotency_key=f"{name}:{n}:post")
            s.commit()

        n, end = 0, time.perf_counter() + WARMUP_SECONDS
        while time.perf_counter() < end:
            pair(n := n + 1)
        barrier.wait()
        latencies, end = [], time.perf_counter() + seconds
        while (start := time.perf_counter()) < end:
            pair(n := n + 1)
            latencies.append(time.perf_counter() - start)
    db.dispose()
    return latencies


def _client_process(job: Job, barrier: Barrier, results: Queue[list[float]]) -> None:
    results.put(client(job, barrier))


def run_ledger(url: str, scenario: str, clients: int, seconds: float, tag: str) -> Result:
    name = f"{scenario}{clients}{tag}"
    accounts = prepare(url, clients, name, shared=scenario == "shared")
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(clients), ctx.Queue()
    jobs = [Job(url, customer, revenue, f"{name}:{i}", seconds) for i, (customer, revenue) in enumerate(accounts)]
    processes = [ctx.Process(target=_client_process, args=(job, barrier, results)) for job in jobs]
    for p in processes:
        p.start()
    latencies = [lat for _ in processes for lat in results.get(timeout=seconds + 120)]
    for p in processes:
        p.join()
    cuts = statistics.quantiles(latencies, n=100)
    return Result(scenario, clients, len(latencies), seconds, 1000 * cuts[49], 1000 * cuts[98])


def run_pgbench(clients: int, seconds: int) -> float:
    """pgbench's tps (tpcb-like, scale 1, ``-c N -j N``) on a fresh scratch database."""
    scratch = make_url(fresh_postgres("bench_pgbench"))
    args = ["-h", scratch.host or "127.0.0.1", "-p", str(scratch.port or 5432), "-U", scratch.username or "postgres"]
    subprocess.run(["pgbench", *args, "-i", "-q", scratch.database or ""], check=True, capture_output=True)
    done = subprocess.run(
        ["pgbench", *args, "-b", "tpcb-like", "-c", str(clients), "-j", str(clients), "-T", str(seconds),
         scratch.database or ""], capture_output=True, text=True, check=False,
    )
    if done.returncode:
        raise RuntimeError(f"pgbench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    out = done.stdout
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    if not found:
        raise RuntimeError(f"could not read pgbench's tps:\n{out}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--clients", default="1,8", help="client counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, alternating ledger and pgbench; "
                        "medians are reported (the machine may be shared)")
    args = parser.parse_args()
    url = args.database_url or fresh_postgres("bench_ledger")
    if not args.database_url:
        db = Database(url)
        upgrade_database(db)
        db.dispose()
    counts = [int(c) for c in args.clients.split(",")]
    ledger: dict[tuple[str, int], list[Result]] = {}
    pgbench: dict[int, list[float]] = {}
    for r in range(args.rounds):
        for n in counts:
            scenarios = ("distinct", "shared") if n > 1 else ("distinct",)
            for scenario in scenarios if r % 2 == 0 else scenarios[::-1]:  # alternate: no order bias
                result = run_ledger(url, scenario, n, args.seconds, f"r{r}")
                ledger.setdefault((scenario, n), []).append(result)
                print(f"round {r + 1}: {scenario} x{n}: {result.tx_per_second:.0f} tx/s", flush=True)
            pgbench.setdefault(n, []).append(run_pgbench(n, args.seconds))
            print(f"round {r + 1}: pgbench x{n}: {pgbench[n][-1]:.0f} tps", flush=True)
    print_table(ledger, {n: statistics.median(v) for n, v in pgbench.items()}, args)
    with Database(url).sessions() as s:
        report = ledgers.verify(s)
    print(f"\nverify after the run: {'OK' if report.ok else 'BROKEN'}; {dict(report.counts)}")


def print_table(ledger: dict[tuple[str, int], list[Result]], pgbench: dict[int, float],
                args: argparse.Namespace) -> None:
    print(f"\nLedger: hold + post pairs; median of {args.rounds} round(s) of {args.seconds} s "
          "(one pair = 2 transactions)\n")
    print(f"{'scenario':<10}{'clients':>8}{'pairs/s':>10}{'ledger tx/s':>13}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'pgbench tps':>13}{'ratio':>7}")
    median_tx = {}
    for (scenario, n), runs in ledger.items():
        mid = sorted(runs, key=lambda r: r.tx_per_second)[len(runs) // 2]
        median_tx[(scenario, n)] = mid.tx_per_second
        print(f"{scenario:<10}{n:>8}{mid.pairs_per_second:>10.0f}{mid.tx_per_second:>13.0f}"
              f"{mid.p50_ms:>9.2f}{mid.p99_ms:>9.2f}{pgbench[n]:>13.0f}{mid.tx_per_second / pgbench[n]:>7.2f}")
    for (scenario, n), tx in median_tx.items():
        if scenario == "shared":
            change = tx / median_tx[("distinct", n)] - 1
            print(f"\nshared call_revenue vs distinct revenue accounts, {n} clients: {change:+.1%}")


if __name__ == "__main__":
    main()
