"""Quote benchmark: in-process quotes per second, and the HTTP quote under gunicorn vs a bare Flask app.

    .venv/bin/python bench/quote.py [--database-url URL] [--seconds 10] [--rounds 3]

Both HTTP servers run with the same settings (gunicorn, 2 sync workers) and are measured in the same
run with wrk (1 thread, 16 connections), alternating, ``--rounds`` times each; medians are printed.
The quote server uses PostgreSQL (a fresh ``bench_quote`` database with the demo data) unless
``--database-url`` says otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from decimal import Decimal

from common import fresh_postgres, gunicorn, median_run, migrate_and_load_demo, wrk

from rating import Jurisdiction, Tariff, jurisdiction_for, normalize_number, quote, select_tariff


def in_process(seconds: float = 3.0) -> tuple[float, float]:
    """Pure rating (number → jurisdiction → tariff → quote text), and the same through Flask's test client."""
    tariffs = (
        Tariff(jurisdiction=Jurisdiction.INTRASTATE, per_minute=Decimal("0.009"), effective_from=dt.date(2026, 4, 6)),
        Tariff(jurisdiction=Jurisdiction.INTERSTATE, per_minute=Decimal("0.009"), effective_from=dt.date(2026, 4, 6)),
        Tariff(jurisdiction=Jurisdiction.INTERNATIONAL, per_minute=Decimal("0.11"),
               effective_from=dt.date(2026, 4, 6)),
    )
    numbers = ["3125550101", "+12025550123", "+524421234567", "(217) 555-0102"]
    today = dt.date(2026, 11, 25)
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for raw in numbers:
            to = normalize_number(raw)
            t = select_tariff(tariffs, jurisdiction_for("IL", to), to, today)
            quote(t, 15, "en")
            n += 1
    return n / seconds, 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    rate, _ = in_process()
    print(f"in-process quotes (pure rating, 4 destinations): {rate:,.0f} quotes/s "
          f"({1e6 / rate:.1f} µs each)")

    url = args.database_url or fresh_postgres("bench_quote")
    migrate_and_load_demo(url)
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "DEMO": "1"}
    quote_path = "/v1/quote?facility=IL-PRISON-DEMO&to=3125550101&minutes=15"
    auth = {"Authorization": "Bearer demo-call-platform"}
    quote_runs, bare_runs = [], []
    with gunicorn("wsgi:app", env) as qport, gunicorn("bench.bare_app:app", {}) as bport:
        wrk(f"http://127.0.0.1:{qport}{quote_path}", seconds=2, headers=auth)  # warm up both
        wrk(f"http://127.0.0.1:{bport}{quote_path}", seconds=2)
        for _ in range(args.rounds):
            quote_runs.append(wrk(f"http://127.0.0.1:{qport}{quote_path}", seconds=args.seconds, headers=auth))
            bare_runs.append(wrk(f"http://127.0.0.1:{bport}{quote_path}", seconds=args.seconds))
    q, b = median_run(quote_runs), median_run(bare_runs)
    db_kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"\nHTTP, gunicorn 2 sync workers, wrk -t1 -c16 -d{args.seconds}s, median of {args.rounds} ({db_kind}):")
    print(f"  {'endpoint':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    print(f"  {'GET /v1/quote':<22}{q['rps']:>10,.0f}{q['p50']:>10.2f}{q['p99']:>10.2f}{q['non2xx']:>10.0f}")
    print(f"  {'bare Flask constant':<22}{b['rps']:>10,.0f}{b['p50']:>10.2f}{b['p99']:>10.2f}{b['non2xx']:>10.0f}")
    print(f"  ratio quote/bare: {q['rps'] / b['rps']:.2f}   (goal ≥ 0.8; p99 goal < 10 ms)")


if __name__ == "__main__":
    main()
