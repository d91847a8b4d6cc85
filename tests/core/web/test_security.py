"""Security headers on every response, pages and errors alike."""

import re

import pytest


@pytest.mark.parametrize("path", ["/", "/t/qindu/", "/login", "/no/such/page", "/t/nowhere/", "/healthz"])
async def test_security_headers(client, tenant, path):
    response = await client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # plain http here


async def test_the_inline_theme_style_carries_this_responses_nonce(client, tenant):
    first = await client.get("/t/qindu/")
    nonce = re.search(r'<style nonce="([^"]+)">', first.text).group(1)
    assert f"'nonce-{nonce}'" in first.headers["content-security-policy"]
    second = await client.get("/t/qindu/")
    assert nonce not in second.text
    assert "<script>" not in first.text


async def test_hsts_behind_https(database):
    from dataclasses import replace

    from core.app import create_app
    from core.config import Settings
    from tests.http import http_client

    async with http_client(create_app(replace(Settings.from_env(), secure_cookies=True))) as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_only_pages_set_the_csrf_cookie_not_the_files_they_load(client, tenant):
    """A script answered after its page would otherwise replace the cookie the page's form token
    belongs to, and the form would be refused (seen when a browser's cookies were cleared
    between a page and the files it loads)."""
    from core.web.static import static_url

    page = await client.get("/t/qindu/login")
    assert "gongzhi_csrf" in page.headers.get("set-cookie", "")
    for path in (static_url("css/app.css"), "/t/qindu/sw.js", "/t/qindu/manifest.webmanifest", "/healthz"):
        client.cookies.clear()
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert "gongzhi_csrf" not in answer.headers.get("set-cookie", ""), path
