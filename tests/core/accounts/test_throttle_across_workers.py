"""Throttling holds across app processes: `gongzhi serve --workers 2` on PostgreSQL and Redis,
guessed at over fresh connections that land on either worker."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import servers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
async def production_server(redis, tmp_path):
    async with servers.production_server(redis, tmp_path) as running:
        yield running


async def test_log_in_throttling_is_shared_by_every_worker(production_server):
    url, pid = production_server
    assert len(servers.worker_pids(pid)) >= 2, "gongzhi serve --workers 2 runs two worker processes"
    statuses = []
    identifier = "13900000021"  # a demo resident (秦都区)
    for _ in range(12):
        # A new connection each time, so that requests spread over both workers.
        async with httpx.AsyncClient(base_url=url) as client:
            page = await client.get("/login")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            response = await client.post("/login", data={"identifier": identifier, "password": "wrong-guess-1",
                                                         "_csrf_token": token})
            statuses.append(response.status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]
