"""Call-cycle benchmark: authorize → accept → complete over HTTP, gunicorn on PostgreSQL.

    .venv/bin/python bench/calls.py [--callers 8] [--seconds 20] [--workers 4]

Creates a fresh ``bench_calls`` database with the demo data plus one person, approved number and
funded prepaid account per caller (distinct accounts), serves the app with gunicorn, and drives it
from ``--callers`` client processes, each on its own account, for ``--seconds``. Prints full cycles
per second and authorize latency percentiles, next to ``pgbench -b tpcb-like`` with the same number
of clients run in the same session (the database's own ceiling on this machine).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import socket
import statistics
import time
from dataclasses import replace
from decimal import Decimal

from common import fresh_postgres, gunicorn, migrate_and_load_demo, pgbench
from moneyed import Money

REQUESTED_AT = "2026-11-25T18:00:00Z"  # noon in Chicago: inside the demo unit's calling window


def number_for(i: int) -> str:
    return f"+1312200{i:04d}"


def set_up(url: str, callers: int) -> None:
    import ledgers
    from billing import create_app
    from billing.accounts import services as accounts
    from billing.config import Settings
    from billing.facilities.services import get_facility
    from billing.people import services as people

    settings = Settings(database_url=url, secret_key="bench", demo=True)
    app = create_app(settings)
    db = app.extensions["billing.db"]
    with db.unit_of_work() as session:
        facility = get_facility(session, "IL-PRISON-DEMO")
        unit = people.get_unit(session, facility, "A-WING")
        clearing = ledgers.house_account(session, "payment_clearing")
        for i in range(callers):
            person = people.create_person(session, facility, unit, id_number=f"B{i:05d}")
            people.add_number(session, person, number_for(i), contact_name="bench", actor="bench", list_size=30)
            account = accounts.open_account(
                session, plan="prepaid", provider=settings.provider_code, our_provider=settings.provider_code,
                holder_name=f"Bench {i}", numbers=[accounts.NumberSpec(number_for(i), "mobile")])
            ledgers.transfer(session, debit=clearing.id, credit=account.ledger_account_id,
                             amount=Money(Decimal("100000.00"), "USD"), idempotency_key=f"bench:fund:{i}",
                             purpose="deposit")
    db.dispose()
    _ = replace


class RawClient:
    """A minimal HTTP/1.1 client: pre-built request bytes over a plain socket.

    The load generator shares the machine's two cores with the server and the database, so it
    must cost as little as it can; ``http.client`` parses every response's headers with the email
    package and costs several times more CPU per request than the request itself needs.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.head = (f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer demo-call-platform\r\n"
                     "Content-Type: application/json\r\nConnection: close\r\n")

    def post(self, path: str, body: dict[str, str]) -> dict[str, object]:
        data = json.dumps(body).encode()
        request = f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(data)}\r\n\r\n".encode() + data
        # One request per connection (gunicorn's sync workers close after each response). Saying
        # so, and half-closing once the request is sent, lets the worker close at once instead of
        # waiting for this process to be scheduled and close its end (gunicorn drains until EOF).
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.sock.sendall(request)
        self.sock.shutdown(socket.SHUT_WR)
        status, _headers, payload = self._read()
        self.close()
        result = json.loads(payload)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {result}")
        return result  # type: ignore[no-any-return]

    def _read(self) -> tuple[int, dict[bytes, bytes], bytes]:
        assert self.sock is not None
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed before the response")
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OSError("connection closed mid-body")
            rest += chunk
        return status, headers, rest[:length]

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def caller(args: tuple[int, int, float, float]) -> tuple[int, list[float], int]:
    """One client: full call cycles on its own account until ``stop``; returns (cycles, authorize ms, errors)."""
    index, port, start, stop = args
    client = RawClient(port)
    while time.time() < start:
        time.sleep(0.001)
    cycles, errors, latencies, n = 0, 0, [], 0
    while time.time() < stop:
        n += 1
        call_id = f"bench-{index}-{n}"
        t0 = time.perf_counter()
        try:
            decision = client.post("/v1/calls", {"call_id": call_id, "facility": "IL-PRISON-DEMO",
                                                 "person": f"B{index:05d}", "to": number_for(index),
                                                 "requested_at": REQUESTED_AT})
            latencies.append((time.perf_counter() - t0) * 1000)
            if not decision["authorized"]:
                raise RuntimeError(decision)
            client.post(f"/v1/calls/{call_id}/accept", {"at": "2026-11-25T18:00:10Z"})
            client.post(f"/v1/calls/{call_id}/complete", {"ended_at": "2026-11-25T18:05:10Z", "end_reason": "hangup"})
            cycles += 1
        except (RuntimeError, OSError) as exc:
            errors += 1
            if errors < 3:
                print("error:", exc)
            client.close()
    client.close()
    return cycles, latencies, errors


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callers", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    url = fresh_postgres("bench_calls")
    migrate_and_load_demo(url)
    set_up(url, args.callers)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "DEMO": "1"}
    with gunicorn("wsgi:app", env, workers=args.workers, worker_class=args.worker_class,
                  threads=args.threads) as port:
        start = time.time() + 1.0
        stop = start + args.seconds
        with mp.Pool(args.callers) as pool:
            results = pool.map(caller, [(i, port, start, stop) for i in range(args.callers)])
    cycles = sum(r[0] for r in results)
    errors = sum(r[2] for r in results)
    latencies = [ms for r in results for ms in r[1]]
    rate = cycles / args.seconds
    tps = pgbench(args.callers, seconds=15, database="bench_pgbench_calls")
    print(f"\nfull call cycles (authorize → accept → complete), {args.callers} callers on distinct accounts, "
          f"gunicorn {args.workers} {args.worker_class} workers, PostgreSQL, {args.seconds} s:")
    print(f"  cycles/s            {rate:8.1f}   (goal ≥ 200; {errors} errors)")
    print(f"  HTTP requests/s     {rate * 3:8.1f}")
    print(f"  authorize p50 ms    {statistics.median(latencies):8.2f}")
    print(f"  authorize p99 ms    {percentile(latencies, 0.99):8.2f}   (goal < 25)")
    print(f"  pgbench tpcb-like -c {args.callers}: {tps:8.1f} tps (same machine, same run)")
    print(f"  cycles per pgbench transaction: {rate / tps:.3f}")


if __name__ == "__main__":
    main()
