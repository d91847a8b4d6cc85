"""``gongzhi bench scale``: the same scenarios at several sizes, and how their p95 grows.

For each size a database of its own is made, migrated and seeded, and a production-shaped
server (two app processes and an arq worker) is started on it; every scenario then runs at a
fixed rate ``runs`` times and the median of its p95 is kept. Two axes:

- districts: 10, 100 and 1,000 districts of the same size each (no skew: 1,000 feedback items
  and 100 notices a district), so that only the number of districts changes for ``b0000``;
- feedback items: 10 thousand and 1 million items over 1,000 districts, skewed as a province
  is (``b0000``, the largest, holds about 5 % of them), so that its own data grows a hundredfold.

After each size the resident memory of every server process is read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from bench import load
from bench.seed import PASSWORD, Sizes


# The gongzhi command of this interpreter's environment.
GONGZHI = (sys.executable, "-c", "from core.cli import main; main()")


@dataclass(frozen=True)
class Size:
    axis: str
    label: str
    sizes: Sizes


def sizes(residents_per_tenant: int = 1000) -> list[Size]:
    """The sizes of the two axes (the largest of each is the benchmark's full data set)."""
    def even(tenants: int) -> Sizes:
        return Sizes(tenants, residents_per_tenant, 1000 * tenants, 100 * tenants, skew=0.0)

    return [
        Size("districts", "10", even(10)),
        Size("districts", "100", even(100)),
        Size("districts", "1,000", even(1000)),
        Size("feedback items", "10 k", Sizes(1000, residents_per_tenant, 10_000, 100_000)),
        Size("feedback items", "1 M", Sizes(1000, residents_per_tenant, 1_000_000, 100_000)),
    ]


@dataclass
class Measured:
    size: Size
    p95: dict[str, float] = field(default_factory=dict)  # scenario → median p95 (ms)
    errors: dict[str, int] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)  # process → MB resident


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def resident_mb(pid: int) -> float:
    """A process's resident set size in MB (from /proc; 0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The app processes a server started (not multiprocessing's resource tracker)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listed:
            found = [int(child) for child in listed.read().split()]
    except OSError:
        return []
    apps = []
    for child in found:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"resource_tracker" not in cmdline.read():
                    apps.append(child)
        except OSError:
            continue
    return apps


def ratio(measured: list[Measured], scenario: str, first: str, last: str) -> float:
    by_label = {m.size.label: m.p95.get(scenario, float("nan")) for m in measured}
    low, high = by_label.get(first, float("nan")), by_label.get(last, float("nan"))
    return high / low if low else float("nan")


def report(measured: list[Measured]) -> str:
    """One table per axis: each scenario's median p95 at every size, and the last over the first."""
    lines = []
    for axis in dict.fromkeys(m.size.axis for m in measured):
        row = [m for m in measured if m.size.axis == axis]
        labels = [m.size.label for m in row]
        lines.append(f"p95 (ms, median of the runs) by {axis}")
        lines.append(f"{'scenario':<22}" + "".join(f"{label:>10}" for label in labels) + f"{'ratio':>8}")
        scenarios = list(dict.fromkeys(name for m in row for name in m.p95))
        for name in scenarios:
            cells = "".join(f"{m.p95.get(name, float('nan')):>10.1f}" for m in row)
            lines.append(f"{name:<22}{cells}{ratio(row, name, labels[0], labels[-1]):>8.2f}")
        for m in row:
            memory = ", ".join(f"{process} {mb:.0f} MB" for process, mb in m.memory.items())
            errors = sum(m.errors.values())
            lines.append(f"  at {m.size.label}: resident memory {memory}; {errors} errors")
        lines.append("")
    return "\n".join(lines)


class Stack:
    """A database made for one size, and the server and worker started on it."""

    def __init__(self, admin_url: str, app_url: str, owner_url: str, name: str, port: int,
                 say: Callable[[str], None]) -> None:
        self.admin_url, self.name, self.port, self.say = admin_url, name, port, say
        self.app_url, self.owner_url = with_database(app_url, name), with_database(owner_url, name)
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.env = {**os.environ, "GONGZHI_DATABASE_URL": self.app_url, "GONGZHI_DATABASE_OWNER_URL": self.owner_url,
                    "GONGZHI_REDIS_PREFIX": f"bench-{name}", "GONGZHI_VAR_DIR": f"/tmp/gongzhi-{name}"}

    def gongzhi(self, *args: str, **options) -> subprocess.Popen:
        return subprocess.Popen([*GONGZHI, *args], env=self.env, **options)

    def check(self, *args: str) -> None:
        finished = subprocess.run([*GONGZHI, *args], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True)
        if finished.returncode:
            raise RuntimeError(f"gongzhi {' '.join(args)} failed: {finished.stderr[-2000:]}")

    async def recreate(self) -> None:
        import asyncpg

        owner = urlsplit(self.owner_url).username
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{self.name}" OWNER "{owner}"')
        finally:
            await admin.close()

    async def drop(self) -> None:
        import asyncpg

        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()

    async def start(self, size: Sizes) -> None:
        await self.recreate()
        self.check("migrate")
        started = time.monotonic()
        self.check("bench", "seed", "--tenants", str(size.tenants), "--residents-per-tenant",
                   str(size.residents_per_tenant), "--feedback", str(size.feedback), "--notices", str(size.notices),
                   "--skew", str(size.skew))
        self.say(f"  seeded in {time.monotonic() - started:.0f} s")
        self.server = self.gongzhi("serve", "--workers", "2", "--port", str(self.port),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.worker = self.gongzhi("worker", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        async with httpx.AsyncClient() as client:
            for _ in range(120):
                try:
                    if (await client.get(f"{self.base_url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise RuntimeError("the server did not start")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory(self) -> dict[str, float]:
        found = {}
        if self.server is not None:
            for n, pid in enumerate(children(self.server.pid), start=1):
                found[f"app {n}"] = resident_mb(pid)
        if self.worker is not None:
            found["worker"] = resident_mb(self.worker.pid)
        return found

    def stop(self) -> None:
        for process in (self.server, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.server = self.worker = None


async def measure(stack: Stack, size: Size, *, runs: int, seconds: float, rate: float) -> Measured:
    """Every scenario at ``rate`` a second, ``runs`` times; the median of its p95."""
    measured = Measured(size)
    details = await load.plan(stack.owner_url, "b0000", PASSWORD)
    found = await load.scenarios(stack.base_url, details)
    try:
        for scenario in found:
            p95s = []
            for _ in range(runs):
                result = await load.fixed_rate(scenario, seconds=seconds, rate=rate)
                p95s.append(result.percentile(95))
                measured.errors[scenario.name] = measured.errors.get(scenario.name, 0) + result.errors
            measured.p95[scenario.name] = statistics.median(p95s)
    finally:
        await load.close(found)
    measured.memory = stack.memory()
    return measured


async def run(admin_url: str, app_url: str, owner_url: str, *, database: str, port: int, runs: int, seconds: float,
              rate: float, only_axis: str | None = None, residents_per_tenant: int = 1000,
              say: Callable[[str], None] = print) -> list[Measured]:
    results = []
    stack = Stack(admin_url, app_url, owner_url, database, port, say)
    try:
        for size in sizes(residents_per_tenant):
            if only_axis and size.axis != only_axis:
                continue
            say(f"{size.axis}: {size.label} ({size.sizes.tenants:,} districts, {size.sizes.feedback:,} items)")
            await stack.start(size.sizes)
            try:
                results.append(await measure(stack, size, runs=runs, seconds=seconds, rate=rate))
            finally:
                stack.stop()
    finally:
        stack.stop()
        await stack.drop()
    return results
