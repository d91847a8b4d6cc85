import pytest

from core.app import create_app
from core.config import Settings


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_when_migrated(client):
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


async def test_readyz_reports_unapplied_migrations(client, monkeypatch):
    from core import migrate

    async def one_pending():
        return [migrate.PendingMigration("tenants", "2099-01-01T00:00:00:000000")]

    monkeypatch.setattr(migrate, "pending", one_pending)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert "gongzhi migrate" in response.json()["checks"]["database"]


@pytest.mark.redis
async def test_readyz_checks_redis_when_configured(database, redis, monkeypatch):
    from dataclasses import replace

    from tests.http import http_client

    settings = Settings.from_env()
    async with http_client(create_app(replace(settings, redis_url=redis))) as client:
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"]["redis"] == "ok"
    async with http_client(create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))) as client:
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["redis"].startswith("unreachable")


async def test_unknown_page_is_a_page_not_a_trace(client):
    response = await client.get("/no/such/page", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "页面不存在" in response.text
    assert "Traceback" not in response.text
