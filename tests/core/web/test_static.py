"""Static files under content-hashed names, with long cache headers; plain names still work."""

import hashlib
import re

from core.templating import STATIC_DIR, environment
from core.web import static


def _digest(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:8]


def test_static_url_carries_the_files_hash():
    assert static.static_url("css/app.css") == f"/static/css/app.{_digest('css/app.css')}.css"
    assert static.static_url("js/app.js") == f"/static/js/app.{_digest('js/app.js')}.js"
    rendered = environment().from_string("{{ static_url('js/place.js') }}").render()
    assert rendered == f"/static/js/place.{_digest('js/place.js')}.js"


def test_a_missing_file_is_a_mistake_not_a_broken_link():
    import pytest

    with pytest.raises(LookupError):
        static.static_url("css/nothing.css")


async def test_a_hashed_name_is_served_for_a_year_and_never_revalidated(client):
    url = static.static_url("css/app.css")
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"].startswith("text/css")
    assert response.content == (STATIC_DIR / "css/app.css").read_bytes()
    script = await client.get(static.static_url("js/app.js"))
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_a_wrong_hash_is_not_found(client):
    wrong = "0" * 8 if _digest("css/app.css") != "0" * 8 else "1" * 8
    response = await client.get(f"/static/css/app.{wrong}.css")
    assert response.status_code == 404
    assert (await client.get("/static/css/nothing.12345678.css")).status_code == 404
    assert (await client.get("/static/../core/app.py")).status_code == 404


async def test_plain_names_keep_working_with_a_short_cache(client):
    response = await client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.content == (STATIC_DIR / "css/app.css").read_bytes()


async def test_pages_link_hashed_static_files_only(client, tenant):
    for path in ("/", "/t/qindu/", "/login"):
        page = (await client.get(path)).text
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        assert linked, path
        for url in linked:
            assert re.search(r"\.[0-9a-f]{8}\.[a-z]+$", url), f"{path} links {url} without its hash"


async def test_a_plugins_static_files_are_still_served_by_its_own_router(tmp_path):
    """Plugins' files live under /static/p/{plugin}/ (their own router): the hashed-name route
    at /static/ does not shadow them."""
    from litestar import Litestar
    from litestar.static_files import create_static_files_router

    from tests.http import http_client

    (tmp_path / "parking.css").write_text("body { color: red; }")
    app = Litestar(route_handlers=[static.static_file, create_static_files_router(
        path="/static/p/parking", directories=[tmp_path], name="static_parking")])
    async with http_client(app) as client:
        response = await client.get("/static/p/parking/parking.css")
        assert response.status_code == 200 and response.text == "body { color: red; }"
        assert (await client.get("/static/css/app.css")).status_code == 200


def test_the_version_changes_with_any_file(monkeypatch):
    before = static.version()
    changed = dict(static.assets())
    first = next(iter(changed))
    changed[first] = static.Asset(first, "ffffffff", "text/css", b"")
    monkeypatch.setattr(static, "assets", lambda: changed)
    static.version.cache_clear()
    try:
        assert static.version() != before
    finally:
        monkeypatch.undo()
        static.version.cache_clear()
