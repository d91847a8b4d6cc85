"""Where the test suite finds PostgreSQL and Redis (``GONGZHI_TEST_*``, defaulting to 127.0.0.1)."""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_DB = os.environ.get("GONGZHI_TEST_DB", "sqlite")


def admin_database_url() -> str:
    """A database on the test server that can create and drop test databases."""
    return os.environ.get("GONGZHI_TEST_DATABASE_OWNER_URL") or os.environ.get(
        "GONGZHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )


def database_url_named(name: str) -> str:
    """The admin URL with its database replaced by ``name``."""
    base = admin_database_url()
    prefix, _slash, rest = base.rpartition("/")
    query = ("?" + rest.split("?", 1)[1]) if "?" in rest else ""
    return f"{prefix}/{name}{query}"


def database_url_as(user: str, name: str) -> str:
    """A URL for database ``name`` on the test server, as role ``user``."""
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(database_url_named(name))
    host = parsed.hostname or "127.0.0.1"
    netloc = f"{user}@{host}" + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


# The roles the PostgreSQL pass runs as: migrations as the owner, the app as a role that
# owns nothing (created once per server, idempotently).
TEST_OWNER_ROLE = "gongzhi_test_owner"
TEST_APP_ROLE = "gongzhi_test_app"


def redis_url() -> str:
    return os.environ.get("GONGZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def postgres_reachable() -> bool:
    import asyncpg

    try:
        connection = await asyncpg.connect(admin_database_url(), timeout=3)
    except Exception:
        return False
    await connection.close()
    return True


async def redis_reachable(url: str) -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


def database_dump() -> str:
    """The whole test database as text, as a backup would hold it: pg_dump as the server's
    superuser on PostgreSQL (so Row Level Security hides nothing), the file's own dump on
    SQLite."""
    import sqlite3
    import subprocess
    from urllib.parse import urlparse

    url = os.environ["GONGZHI_DATABASE_URL"]
    if TEST_DB == "postgres":
        name = urlparse(url).path.lstrip("/")
        admin = urlparse(admin_database_url())._replace(path=f"/{name}").geturl()
        return subprocess.run(["pg_dump", "--no-owner", admin], check=True, capture_output=True, text=True).stdout
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return "\n".join(connection.iterdump())
