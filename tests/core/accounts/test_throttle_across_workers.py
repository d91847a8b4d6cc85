"""Throttling holds across app processes: `gongzhi serve --workers 2` on PostgreSQL and Redis,
guessed at over fresh connections that land on either worker."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest

from tests.services import admin_database_url, database_url_named

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def production_server(redis, tmp_path):
    import asyncpg

    name = f"gongzhi_workers_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_database_url())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATABASE_URL=database_url_named(name), GONGZHI_REDIS_URL=redis,
               GONGZHI_REDIS_PREFIX=name, GONGZHI_VAR_DIR=str(tmp_path), LANG="en_US.UTF-8")
    gongzhi = [sys.executable, "-m", "core.cli"]
    subprocess.run(gongzhi + ["migrate"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(gongzhi + ["demo"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(gongzhi + ["serve", "--port", str(port), "--workers", "2"], env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "serve.log").read_text()) from None
                time.sleep(0.3)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)
        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_log_in_throttling_is_shared_by_every_worker(production_server):
    url, pid = production_server
    workers = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) >= 2, "gongzhi serve --workers 2 runs two worker processes"
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
