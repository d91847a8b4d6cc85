"""The load generator's arithmetic and its two kinds of run, against a stand-in server (no
network, and no assertion about how fast anything was)."""

from __future__ import annotations

import math

import httpx

from bench import load


def test_percentiles_are_nearest_rank_in_milliseconds():
    result = load.Result("x", "saturating", latencies=[i / 1000 for i in range(1, 101)], seconds=2.0)
    assert (result.percentile(50), result.percentile(95), result.percentile(99)) == (50.0, 95.0, 99.0)
    assert result.throughput == 50.0 and result.count == 100
    assert math.isnan(load.Result("y", "saturating").percentile(50))


def _server(fail_every: int = 0):
    seen = {"n": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        seen["n"] += 1
        failing = fail_every and seen["n"] % fail_every == 0
        return httpx.Response(500 if failing else 200, text="ok")

    return httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://bench"), seen


async def test_a_fixed_rate_run_sends_its_schedule_and_counts_errors():
    client, seen = _server(fail_every=4)
    scenario = load.Scenario("stand-in", lambda c: c.get("/"), [client])
    result = await load.fixed_rate(scenario, seconds=0.2, rate=100)
    assert seen["n"] == 20 and result.count == 20
    assert result.errors == 5 and len(result.latencies) == 15
    assert result.mode == "100/s"
    await client.aclose()


async def test_a_saturating_run_keeps_every_client_busy_and_prints_its_share_of_the_floor():
    client, seen = _server()
    scenario = load.Scenario("stand-in", lambda c: c.get("/"), [client])
    result = await load.saturate(scenario, seconds=0.1, concurrency=4)
    assert result.errors == 0 and len(result.latencies) == seen["n"] > 0
    floor = load.Result("healthz", "saturating", latencies=[0.001] * 10, seconds=1.0)
    shown = load.table([floor, result], floor.throughput)
    assert shown.splitlines()[0].split()[:3] == ["scenario", "mode", "req/s"]
    assert "100%" in shown.splitlines()[1]
    await client.aclose()
