"""A real ``gongzhi serve --workers 2`` in the production shape (PostgreSQL and Redis), on a
database of its own with the demo loaded, for tests that must cross app processes."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def production_server(redis_url: str, folder: Path, *, workers: int = 2,
                            database_through: Callable[[str], str] | None = None,
                            env_extra: dict[str, str] | None = None):
    """Yields ``(base URL, pid of the serving process)``; the database is dropped after.
    ``database_through`` rewrites the database URL the server (not migrate or demo) uses, e.g.
    to reach it through a proxy; ``env_extra`` adds settings."""
    import asyncpg

    from tests.services import admin_database_url, database_url_named

    name = f"gongzhi_workers_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_database_url())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATABASE_URL=database_url_named(name), GONGZHI_REDIS_URL=redis_url,
               GONGZHI_REDIS_PREFIX=name, GONGZHI_VAR_DIR=str(folder), LANG="en_US.UTF-8")
    gongzhi = [sys.executable, "-m", "core.cli"]
    subprocess.run(gongzhi + ["migrate"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(gongzhi + ["demo"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    log_path = folder / "serve.log"
    log = log_path.open("w")
    serve_env = dict(env, **(env_extra or {}))
    if database_through is not None:
        serve_env["GONGZHI_DATABASE_URL"] = database_through(env["GONGZHI_DATABASE_URL"])
    process = subprocess.Popen(gongzhi + ["serve", "--port", str(port), "--workers", str(workers)], env=serve_env,
                               stdout=log, stderr=subprocess.STDOUT)
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
                    raise RuntimeError(log_path.read_text()) from None
                time.sleep(0.3)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()
        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def worker_pids(pid: int) -> list[str]:
    """The worker processes of a ``gongzhi serve`` process."""
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
