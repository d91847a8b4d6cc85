"""A district's installable app: its manifest, icons, service worker and offline page, and
what district pages link (platform pages link none of it)."""

import io
import json
import re
from dataclasses import replace
from importlib import metadata

import pytest
from PIL import Image

from core.config import Settings
from core.i18n import Message, translate
from core.web import static
from tenants import logo, pwa
from tenants.pwa_routes import OFFLINE_TEXT
from tenants.resolution import ResolvedTenant
from tenants.tables import Tenant

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


def _district(**changes) -> ResolvedTenant:
    values = dict(id=1, slug="qindu", name="秦都区", display_name="咸阳市秦都区", division_code="610402",
                  province="陕西省", city="咸阳市", status="active", status_reason="", theme_colour="#c8102e")
    return ResolvedTenant(**{**values, **changes})


def test_short_names_are_the_districts_own_name_without_province_or_city():
    assert pwa.short_name(_district()) == "秦都区"
    assert pwa.short_name(_district(name="咸阳市渭城区")) == "渭城区"
    assert pwa.short_name(_district(name="陕西省西咸新区沣东新城管理委员会")) == "西咸新区沣东新城管理委员"
    assert len(pwa.short_name(_district(name="西咸新区沣东新城管理委员会办公室"))) == 12


async def test_the_manifest_names_the_district_and_its_icons(client, tenant):
    response = await client.get("/t/qindu/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    assert "max-age" in response.headers["cache-control"]
    manifest = json.loads(response.content)
    assert manifest["name"] == "咸阳市秦都区" and manifest["short_name"] == "秦都区"
    assert manifest["lang"] == "zh-CN" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/t/qindu/" and manifest["scope"] == "/t/qindu/"
    assert manifest["theme_color"] == "#c8102e" and re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for (sizes, purpose), icon in icons.items():
        assert icon["type"] == "image/png" and icon["src"].startswith("/t/qindu/icons/")
        fetched = await client.get(icon["src"])
        assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"
        assert fetched.headers["cache-control"] == "public, max-age=31536000, immutable"
        with Image.open(io.BytesIO(fetched.content)) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == sizes
            if purpose == "maskable":
                assert image.mode == "RGB"  # opaque to the edges


async def test_default_icons_are_the_theme_colour(client, tenant):
    maskable = await client.get("/t/qindu/icons/maskable-512.png")
    with Image.open(io.BytesIO(maskable.content)) as image:
        assert image.getpixel((2, 2)) == (200, 16, 46) and image.getpixel((509, 509)) == (200, 16, 46)
        # something is drawn in the middle, inside the safe zone
        assert image.crop((128, 128, 384, 384)).convert("RGB").getcolors(65536) != [(256 * 256, (200, 16, 46))]
    plain = await client.get("/t/qindu/icons/192.png")
    with Image.open(io.BytesIO(plain.content)) as image:
        assert image.convert("RGBA").getpixel((96, 4))[:3] == (200, 16, 46)


async def test_an_unversioned_or_unknown_icon(client, tenant):
    unversioned = await client.get("/t/qindu/icons/512.png")
    assert unversioned.status_code == 200 and unversioned.headers["cache-control"] == "public, max-age=300"
    assert (await client.get("/t/qindu/icons/1024.png")).status_code == 404
    assert (await client.get("/t/qindu/icons/..%2Fmanifest.webmanifest")).status_code == 404


async def test_the_worker_is_javascript_revalidated_every_time(app, client, tenant):
    response = await client.get("/t/qindu/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "service-worker-allowed" not in response.headers  # its scope is its own folder
    text = response.text
    assert f'var VERSION = "{pwa.worker_version(app.state.settings)}";' in text
    assert 'var PREFIX = "gongzhi/" + SLUG + "/";' in text and 'var SLUG = "qindu";' in text
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", text).group(1))
    assert static.static_url("css/app.css") in shell and static.static_url("js/app.js") in shell
    assert "/t/qindu/offline" in shell
    assert not any(url == "/t/qindu/" or "/console" in url for url in shell)  # no page with a session
    never = json.loads(re.search(r"var NEVER_CACHED = (\[.*?\]);", text).group(1))
    assert set(never) == {"/t/qindu/console/", "/t/qindu/p/legal_aid/", "/t/qindu/p/mental_health/"}
    assert "private|no-store" in text
    assert "caches.delete" in text and "skipWaiting" in text


async def test_the_worker_keeps_pages_read_and_sends_the_queue(client, tenant):
    """Notices, the home page and the feedback form are kept as they are read (never the
    console); the worker loads the same queue script as the pages, for Background Sync."""
    text = (await client.get("/t/qindu/sw.js")).text
    kept = json.loads(re.search(r"var KEPT = (\[.*?\]);", text).group(1))
    assert {"/t/qindu/", "/t/qindu/notices/*", "/t/qindu/feedback/new"} <= set(kept)
    assert not any(path.startswith("/t/qindu/console") or "/p/" in path for path in kept)
    assert f'importScripts("{static.static_url("js/queue.js")}", "{static.static_url("js/notify.js")}");' in text
    assert 'event.tag === "gongzhi-queue"' in text and "GongzhiQueue.flush(SLUG)" in text
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", text).group(1))
    assert static.static_url("js/queue.js") in shell and static.static_url("js/offline.js") in shell
    assert static.static_url("js/notify.js") in shell  # the worker imports it: kept with it


async def test_the_worker_shows_pushes_as_the_districts_notifications(client, tenant):
    text = (await client.get("/t/qindu/sw.js")).text
    assert 'self.addEventListener("push"' in text and 'self.addEventListener("notificationclick"' in text
    assert 'var NAME = "' in text and re.search(r'var ICON = "/t/qindu/icons/192\.png\?v=[^"]+";', text)


async def test_the_feedback_form_may_be_kept_offline_and_its_item_names_its_number(client, tenant, make_person,
                                                                                   sign_in):
    await make_person("王芳", "13800000001")
    await sign_in(client, "13800000001")
    form = (await client.get("/t/qindu/feedback/new")).text
    assert "data-offline" in form and 'name="idempotency_key"' in form and "data-kept" in form
    assert 'data-queue="qindu"' in form and static.static_url("js/offline.js") in form


def test_the_worker_version_follows_the_static_files_and_the_release(monkeypatch, tmp_path):
    settings = Settings(var_dir=tmp_path, database_url="sqlite:///:memory:")
    before = pwa.worker_version(settings)
    assert pwa.release(settings) == metadata.version("gongzhi")  # without GONGZHI_RELEASE
    assert pwa.worker_version(replace(settings, release="2026.11.28-a1b2c3")) != before
    monkeypatch.setattr(static, "version", lambda: "something-else")
    assert pwa.worker_version(settings) != before


async def test_the_offline_page_speaks_both_languages_and_holds_nothing_personal(client, tenant, make_person, sign_in):
    from core.accounts import services

    person = await make_person("王芳", "13800000001")
    await services.add_membership(_scope(tenant), person.id, ["resident"])
    await sign_in(client, "13800000001", login_path="/t/qindu/login")
    response = await client.get("/t/qindu/offline", headers=PAGE)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
    assert "private" not in response.headers["cache-control"]
    # (The Chinese comes from the catalogue, whatever it says.)
    chinese, english_title = (translate(OFFLINE_TEXT[0], "zh-Hans"), translate(OFFLINE_TEXT[0], "en"))
    assert english_title == "You are offline"
    text = response.text
    assert '<section lang="zh-CN">' in text and '<section lang="en">' in text
    assert text.index('<section lang="zh-CN">') < text.index('<section lang="en">')
    assert f"<h1>{chinese}</h1>" in text and f"<h2>{english_title}</h2>" in text
    assert "王芳" not in text and "_csrf_token" not in text and "/logout" not in text
    english = await client.get("/t/qindu/offline", headers={"Accept-Language": "en"})
    assert english.text.index('<section lang="en">') < english.text.index('<section lang="zh-CN">')
    assert "<h1>You are offline</h1>" in english.text


def _scope(tenant):
    from core.tenancy import TenantScope

    return TenantScope(tenant.id)


async def test_district_pages_link_the_manifest_the_worker_and_the_install_offer(client, tenant):
    page = (await client.get("/t/qindu/", headers=PAGE)).text
    assert '<link rel="manifest" href="/t/qindu/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#c8102e">' in page
    script = static.static_url("js/app.js")
    assert (f'<script src="{script}" defer data-scope="/t/qindu/" data-worker="/t/qindu/sw.js"></script>'
            in page)
    offer = translate(Message("Add to home screen"), "zh-Hans")
    assert ('<p class="install-app" data-install hidden><button type="button" class="secondary">'
            f"{offer}</button></p>") in page
    english = (await client.get("/t/qindu/", headers={"Accept-Language": "en"})).text
    assert "Add to home screen" in english
    assert "<script>" not in page  # no inline script: the policy allows none


async def test_platform_pages_have_no_district_app(client, tenant):
    for path in ("/", "/login"):
        page = (await client.get(path, headers=PAGE)).text
        assert 'rel="manifest"' not in page and "theme-color" not in page and "data-install" not in page
        assert "js/app." not in page


async def test_the_policy_allows_the_worker_the_manifest_and_the_script(client, tenant):
    csp = (await client.get("/t/qindu/")).headers["content-security-policy"]
    assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp


@pytest.mark.parametrize("status", ["suspended", "pending"])
async def test_an_unavailable_district_has_no_app(client, make_tenant, status):
    await make_tenant("xingping", "兴平市", "610481", status)
    for path in ("manifest.webmanifest", "sw.js", "offline", "icons/192.png"):
        response = await client.get(f"/t/xingping/{path}", headers=PAGE)
        assert response.status_code == 423, path
    page = await client.get("/t/xingping/", headers=PAGE)
    assert page.status_code == 423 and 'rel="manifest"' not in page.text and "sw.js" not in page.text


async def test_an_unknown_district_has_no_app(client, database):
    assert (await client.get("/t/nowhere/manifest.webmanifest")).status_code == 404
    assert (await client.get("/t/nowhere/sw.js")).status_code == 404


async def test_new_icons_follow_a_new_theme_colour(client, tenant):
    before = json.loads((await client.get("/t/qindu/manifest.webmanifest")).content)
    await Tenant.update({Tenant.theme_colour: "#1a5fb4"}).where(Tenant.id == tenant.id)
    after = json.loads((await client.get("/t/qindu/manifest.webmanifest")).content)
    assert after["theme_color"] == "#1a5fb4"
    assert {i["src"] for i in after["icons"]}.isdisjoint({i["src"] for i in before["icons"]})
    maskable = next(i["src"] for i in after["icons"] if i["purpose"] == "maskable")
    with Image.open(io.BytesIO((await client.get(maskable)).content)) as image:
        assert image.getpixel((1, 1)) == (26, 95, 180)


def test_the_default_mark_without_a_font_is_still_an_icon(monkeypatch):
    monkeypatch.setattr(logo, "_font_path", lambda: None)
    png = logo.render("maskable-192.png", logo=None, theme_colour="#c8102e", mark="秦")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (192, 192)
        assert len(image.getcolors(65536)) > 1
