"""Enabling and disabling a plugin holds on the next request in every app process:
`gongzhi serve --workers 2` on PostgreSQL and Redis, with the example plugin (社区停车管理)
installed as a third party's, probed over fresh connections that land on either worker."""

from __future__ import annotations

import re

import httpx
import pytest

from tests import servers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PROBES = 16  # fresh connections per look: both workers answer some of them


@pytest.fixture
async def production_server(redis, tmp_path):
    from core.plugins.host import host

    assert "parking" in host().plugins, "the example plugin is installed (make test installs it)"
    async with servers.production_server(redis, tmp_path) as running:
        yield running


async def _statuses(url: str, cookies, path: str) -> set[int]:
    seen = set()
    for _ in range(PROBES):
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as client:
            seen.add((await client.get(path)).status_code)
    return seen


async def _switch(admin: httpx.AsyncClient, action: str) -> None:
    page = await admin.get("/t/qindu/console/plugins")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    answer = await admin.post(f"/t/qindu/console/plugins/parking/{action}", data={"_csrf_token": token, "accept": "1"})
    assert answer.status_code == 303, answer.text


async def test_enabling_holds_at_once_in_every_worker(production_server):
    url, pid = production_server
    assert len(servers.worker_pids(pid)) >= 2, "gongzhi serve --workers 2 runs two worker processes"
    async with httpx.AsyncClient(base_url=url) as admin:
        login = await admin.get("/t/qindu/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text).group(1)
        signed = await admin.post("/t/qindu/login", data={"identifier": "13900000001", "password": "gongzhi2026",
                                                          "_csrf_token": token})
        assert signed.status_code == 303
        page = "/t/qindu/p/parking/"
        # Every worker has read (and cached) the district's plugins: none yet.
        assert await _statuses(url, admin.cookies, page) == {404}
        await _switch(admin, "enable")
        assert 404 not in await _statuses(url, admin.cookies, page)
        home = await _statuses(url, admin.cookies, "/t/weicheng/p/parking/")
        assert home == {404}, "the other district has not enabled it"
        await _switch(admin, "disable")
        assert await _statuses(url, admin.cookies, page) == {404}
        await _switch(admin, "enable")
        assert 404 not in await _statuses(url, admin.cookies, page)
