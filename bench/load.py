"""``gongzhi bench load``: drive a running Gongzhi over HTTP and print, per scenario, the
throughput and the latency percentiles.

Two kinds of run, each for every scenario:

- saturating: a closed loop, ``concurrency`` clients each sending the next request when the
  last one answered, for the most a server gives;
- fixed rate: an open model, requests sent on a schedule (``rate`` a second) whatever the
  answers do, each latency measured from the time it was *scheduled* to be sent, so a slow
  server's queue shows in the figures instead of hiding them (coordinated omission).

The generator is this module (asyncio and httpx, one process): a load tool that waits for
answers before sending (most closed-loop tools) cannot make an open model, and Gongzhi's pages
need a signed-in session and a CSRF token per client, which a script says simply.
"""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass
class Result:
    scenario: str
    mode: str
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: int = 0
    seconds: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile (nearest rank) in milliseconds; nan without answers."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000


Request = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


@dataclass
class Scenario:
    name: str
    request: Request
    clients: list[httpx.AsyncClient]


async def _send(scenario: Scenario, client: httpx.AsyncClient, result: Result, since: float) -> None:
    """One request; its latency from ``since`` when answered without an error, else an error."""
    try:
        answer = await scenario.request(client)
        ok = answer.status_code < 400
    except httpx.HTTPError:
        ok = False
    if ok:
        result.latencies.append(time.perf_counter() - since)
    else:
        result.errors += 1


async def saturate(scenario: Scenario, *, seconds: float, concurrency: int) -> Result:
    """The closed loop: ``concurrency`` clients back to back for ``seconds``."""
    result = Result(scenario.name, "saturating")
    stop = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        client = scenario.clients[n % len(scenario.clients)]
        while time.perf_counter() < stop:
            await _send(scenario, client, result, time.perf_counter())

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def fixed_rate(scenario: Scenario, *, seconds: float, rate: float) -> Result:
    """The open model: one request every 1/rate s on a fixed schedule; each latency runs from
    its scheduled time, however late it could be sent."""
    result = Result(scenario.name, f"{rate:g}/s")
    total = int(seconds * rate)
    start = time.perf_counter() + 0.05

    async def one(n: int) -> None:
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await _send(scenario, scenario.clients[n % len(scenario.clients)], result, scheduled)

    await asyncio.gather(*(one(n) for n in range(total)))
    result.seconds = max(time.perf_counter() - start, seconds)
    return result


# Sessions and scenarios -------------------------------------------------------------------


async def plan(owner_url: str, slug: str, password: str) -> dict[str, Any]:
    """What the scenarios need of a seeded district, read as the database's owner: a public
    category, a published notice, the phones of its first residents and of its admin (the
    seed numbers them ``19<district><resident>`` and ``18<district>00000``)."""
    import asyncpg

    connection = await asyncpg.connect(owner_url)
    try:
        await connection.execute("SET app.platform_scope = 'on'")
        tenant = await connection.fetchval("SELECT id FROM tenants_tenant WHERE slug = $1", slug)
        if tenant is None:
            raise RuntimeError(f"there is no district {slug}: seed the database first (gongzhi bench seed)")
        category = await connection.fetchval(
            "SELECT id FROM feedback_category WHERE tenant_id = $1 AND NOT private AND enabled ORDER BY id LIMIT 1",
            tenant)
        notice = await connection.fetchval(
            "SELECT root FROM notices_notice WHERE tenant_id = $1 AND status = 'published' ORDER BY id LIMIT 1",
            tenant)
    finally:
        await connection.close()
    number = int(slug[-4:]) if slug[-4:].isdigit() else 0
    return {"slug": slug, "password": password, "category": category, "notice": notice,
            "residents": [f"19{number:04d}{k:05d}" for k in range(8)], "staff": f"18{number:04d}00000"}


async def signed_in(base_url: str, slug: str, phone: str, password: str) -> httpx.AsyncClient:
    """A client signed in to a district, as a browser would, keeping its cookies."""
    # As many connections as a run has clients: one staff session serves the whole staff
    # scenario, and a pool smaller than the run's clients makes some wait on the generator's side.
    client = httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=200))
    page = await client.get(f"/t/{slug}/login")
    token = TOKEN.search(page.text)
    answer = await client.post(f"/t/{slug}/login", data={"identifier": phone, "password": password,
                                                         "_csrf_token": token.group(1) if token else ""})
    if answer.status_code != 303:
        await client.aclose()
        raise RuntimeError(f"{phone} could not sign in to {slug}: {answer.status_code}")
    return client


async def scenarios(base_url: str, plan: dict[str, Any], *, sessions: int = 8) -> list[Scenario]:
    """The issue's scenarios over the seeded data: ``plan`` names the district (``slug``), the
    phones of residents and staff and the password (``gongzhi bench seed`` prints them)."""
    slug, password = plan["slug"], plan["password"]
    anonymous = httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=200))
    residents = [await signed_in(base_url, slug, phone, password) for phone in plan["residents"][:sessions]]
    staff = [await signed_in(base_url, slug, plan["staff"], password)]
    tokens: dict[int, str] = {}
    for client in residents:
        form = await client.get(f"/t/{slug}/feedback/new")
        match = TOKEN.search(form.text)
        tokens[id(client)] = match.group(1) if match else ""
    notice = plan.get("notice")
    category = plan["category"]
    sent_keys: list[str] = []

    async def submit(client: httpx.AsyncClient) -> httpx.Response:
        # One in ten is a retry of an earlier submission with the same key (one item per key).
        key = secrets.choice(sent_keys) if sent_keys and secrets.randbelow(10) == 0 else secrets.token_hex(12)
        sent_keys.append(key)
        return await client.post(f"/t/{slug}/feedback/new", data={
            "_csrf_token": tokens[id(client)], "category": str(category), "description": "小区东门路灯坏了，晚上很黑，请尽快修理",
            "idempotency_key": key})

    found = [
        Scenario("healthz", lambda c: c.get("/healthz"), [anonymous]),
        Scenario("resident home", lambda c: c.get(f"/t/{slug}/"), residents),
        Scenario("notice list", lambda c: c.get(f"/t/{slug}/notices"), residents),
    ]
    if notice:
        found.append(Scenario("one notice", lambda c: c.get(f"/t/{slug}/notices/{notice}"), residents))
    found += [
        Scenario("submit suggestion", submit, residents),
        Scenario("staff overdue queue", lambda c: c.get(f"/t/{slug}/console/feedback/?overdue=1"), staff),
        Scenario("open311 requests", lambda c: c.get(f"/t/{slug}/open311/v2/requests.json"), [anonymous]),
    ]
    return found


async def close(found: list[Scenario]) -> None:
    for client in {id(c): c for s in found for c in s.clients}.values():
        await client.aclose()


def table(results: list[Result], floor: float | None = None) -> str:
    """The results as a table; saturating throughput also as a share of /healthz's."""
    lines = [f"{'scenario':<22} {'mode':<11} {'req/s':>8} {'of healthz':>10} {'p50 ms':>8} {'p95 ms':>8} "
             f"{'p99 ms':>8} {'errors':>7}"]
    for r in results:
        share = f"{r.throughput / floor:.0%}" if floor and r.mode == "saturating" else ""
        lines.append(f"{r.scenario:<22} {r.mode:<11} {r.throughput:>8.1f} {share:>10} {r.percentile(50):>8.1f} "
                     f"{r.percentile(95):>8.1f} {r.percentile(99):>8.1f} {r.errors:>7}")
    return "\n".join(lines)
