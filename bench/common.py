"""Shared pieces of the benchmarks: databases, servers, wrk and percentiles."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fresh_postgres(name: str) -> str:
    """Drop and create database ``name``; returns its URL."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def migrate_and_load_demo(url: str) -> None:
    from billing import create_app
    from billing.cli import upgrade_database
    from billing.config import Settings
    from billing.demo import load_demo

    settings = Settings(database_url=url, secret_key="bench", demo=True)
    app = create_app(settings)
    db = app.extensions["billing.db"]
    upgrade_database(db)
    with db.unit_of_work() as session:
        load_demo(session, replace(settings))
    db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int = 2, worker_class: str = "sync",
             threads: int = 1) -> Iterator[int]:
    port = free_port()
    proc = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--worker-class", worker_class,
         "--threads", str(threads), "--keep-alive", "30",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
    )
    try:
        wait_for(port)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", value)
    if not m:
        raise ValueError(value)
    return float(m.group(1)) * _UNITS[m.group(2)]  # float-ok: latency, not money


def wrk(url: str, *, seconds: int = 10, connections: int = 16, threads: int = 1,
        headers: dict[str, str] | None = None) -> dict[str, float]:
    """Run wrk; returns requests/s, p50 and p99 in ms, and the non-2xx count."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": float(bad.group(1)) if bad else 0.0}


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def pgbench(clients: int, seconds: int = 15, scale: int = 10, database: str = "bench_pgbench") -> float:
    """``pgbench -b tpcb-like`` with ``clients`` clients on a scratch database; returns tps."""
    fresh_postgres(database)
    base = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["pgbench", *base, "-i", "-q", "-s", str(scale), database], check=True,
                   capture_output=True)
    run = subprocess.run(["pgbench", *base, "-b", "tpcb-like", "-c", str(clients), "-j", str(clients),
                          "-T", str(seconds), database], capture_output=True, text=True, check=False)
    match = re.search(r"tps = ([\d.]+)", run.stdout)
    if match is None:
        raise RuntimeError(f"pgbench failed: {run.stdout}\n{run.stderr}")
    return float(match.group(1))  # float-ok: a throughput, not money
