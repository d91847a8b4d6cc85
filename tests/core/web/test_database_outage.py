"""PostgreSQL out of reach: a real `gongzhi serve` reaches its database through a TCP proxy,
which the test cuts and hangs (the shared server is never touched). Requests are answered 503,
in the person's language and within the configured timeouts, nothing is half-written, and once
the proxy forwards again the same process serves them, with no restart."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import faults, servers
from tests.services import admin_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

RESIDENT = "13900000021"  # a demo resident of 秦都区
TIMEOUTS = {"GONGZHI_DATABASE_CONNECT_TIMEOUT": "1", "GONGZHI_DATABASE_COMMAND_TIMEOUT": "1"}


@pytest.fixture
def proxy():
    with faults.tcp_proxy(admin_database_url(), 5432) as running:
        yield running


@pytest.fixture
async def server(redis, tmp_path, proxy):
    async with servers.production_server(redis, tmp_path, workers=1, database_through=proxy.url,
                                         env_extra=TIMEOUTS) as (url, _pid):
        yield url


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def _signed_in(url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=30, headers={"accept-language": "zh-CN"})
    page = await client.get("/t/qindu/login")
    answer = await client.post("/t/qindu/login", data={"identifier": RESIDENT, "password": "gongzhi2026",
                                                       "_csrf_token": _csrf(page.text)})
    assert answer.status_code == 303, answer.text
    return client


async def _suggestion_form(client: httpx.AsyncClient) -> dict[str, str]:
    page = await client.get("/t/qindu/feedback/new")
    category = re.search(r'<select[^>]*name="category".*?<option value="(\d+)"', page.text, re.S).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return {"_csrf_token": _csrf(page.text), "idempotency_key": key, "category": category,
            "description": "停电期间提交的建议：小区南门的路灯不亮。"}


async def _own_items(client: httpx.AsyncClient) -> int:
    page = await client.get("/t/qindu/feedback")
    assert page.status_code == 200
    return len(re.findall(r'<li><a href="/t/qindu/feedback/\d+"', page.text))


async def test_a_cut_database_is_answered_503_and_the_same_process_serves_again(server, proxy):
    client = await _signed_in(server)
    try:
        form = await _suggestion_form(client)
        before = await _own_items(client)

        proxy.cut()
        page = await client.get("/t/qindu/notices")
        assert page.status_code == 503
        assert page.headers["retry-after"] and "text/html" in page.headers["content-type"]
        assert "暂时" in page.text and "请稍后再试" in page.text, page.text
        api = await client.get("/api/v1/t/qindu/notices")
        assert api.status_code == 503 and api.headers["content-type"].startswith("application/problem+json")
        assert api.json()["status"] == 503
        english = await client.get("/t/qindu/notices", headers={"accept-language": "en"})
        assert english.status_code == 503 and "Please try again in a moment" in english.text
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200  # the process itself is fine
        sent = await client.post("/t/qindu/feedback/new", data=form)
        assert sent.status_code == 503

        proxy.restore()
        assert (await client.get("/t/qindu/notices")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        # What was refused during the outage was not written: sent again, it is one new item.
        sent = await client.post("/t/qindu/feedback/new", data=form)
        again = await client.post("/t/qindu/feedback/new", data=form)
        assert sent.status_code == again.status_code == 303
        assert sent.headers["location"] == again.headers["location"]
        assert await _own_items(client) == before + 1
        item = await client.get(sent.headers["location"])
        assert "停电期间提交的建议" in item.text
    finally:
        await client.aclose()


async def test_a_silent_database_is_answered_503_within_the_timeouts(server, proxy):
    client = await _signed_in(server)
    try:
        proxy.hang()
        # Connections in the pool get no answer (the statement timeout), new ones are never
        # accepted (the connect timeout): either way a 503, not a request left waiting.
        for _ in range(3):
            page = await client.get("/t/qindu/notices", timeout=15)
            assert page.status_code == 503
        proxy.restore()
        assert (await client.get("/t/qindu/notices")).status_code == 200
    finally:
        await client.aclose()
