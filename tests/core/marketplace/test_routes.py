"""The marketplace's pages: a publisher uploads a wheel and reads its review; a platform admin
sees what a pending release asks for and approves it, or rejects it with a reason (required);
nobody else may do either."""

from __future__ import annotations

from tests.core.marketplace.wheels import MANIFEST, edit, good, project, wheel
from tests.http import csrf_token

FILENAME = "gongzhi_parking-1.0.0-py3-none-any.whl"
EN = {"Accept-Language": "en"}


async def _upload(client, data: bytes, changelog: str = ""):
    page = await client.get("/marketplace/publish", headers=EN)
    return await client.post("/marketplace/publish", headers=EN,
                             data={"_csrf_token": csrf_token(page.text), "changelog": changelog},
                             files={"wheel": (FILENAME, data, "application/zip")})


async def test_a_publisher_uploads_and_sees_the_release_pending(client, sign_in, publisher, tmp_path):
    await sign_in(client, "13700000001")
    response = await _upload(client, good(tmp_path), "First release.")
    assert response.status_code == 303 and response.headers["location"] == "/marketplace/publish"
    page = await client.get("/marketplace/publish", headers=EN)
    assert 'data-release="parking==1.0.0"' in page.text and "Pending review" in page.text


async def test_a_refused_upload_names_the_problem_next_to_the_field(client, sign_in, publisher, tmp_path):
    from core.marketplace.tables import MarketplaceRelease

    await sign_in(client, "13700000001")
    folder = project(tmp_path)
    edit(folder / MANIFEST, 'core = ">=1.0,<2"', 'core = ">=2.0,<3"')
    response = await _upload(client, wheel(folder), "kept")
    assert response.status_code == 422
    assert 'id="e-wheel"' in response.text and "the range &#39;&gt;=2.0,&lt;3&#39; excludes this core" in response.text
    assert ">kept</textarea>" in response.text
    assert await MarketplaceRelease.count() == 0


async def test_someone_not_a_publisher_cannot_upload(client, sign_in, make_person, tmp_path):
    from core.marketplace.tables import MarketplaceRelease

    await make_person("李居民", "13600000001")
    await sign_in(client, "13600000001")
    assert (await client.get("/marketplace/publish")).status_code == 403
    page = await client.get("/account")
    response = await client.post("/marketplace/publish", data={"_csrf_token": csrf_token(page.text)},
                                 files={"wheel": (FILENAME, good(tmp_path), "application/zip")})
    assert response.status_code == 403
    assert await MarketplaceRelease.count() == 0


async def _pending(settings, publisher, tmp_path, version="1.0.0"):
    from core.marketplace import services

    return await services.publish(settings, good(tmp_path, version), FILENAME, publisher_id=publisher.id)


async def test_the_admin_reviews_and_approves(client, sign_in, settings, publisher, platform_admin, tmp_path):
    from core.marketplace import services

    release = await _pending(settings, publisher, tmp_path)
    await sign_in(client, "13900000000")
    page = await client.get("/admin/marketplace", headers=EN)
    assert page.status_code == 200
    assert 'data-release="parking==1.0.0"' in page.text
    assert "Send notifications to people" in page.text and "notify:send" in page.text
    assert "No version of this plugin has been approved before." in page.text
    assert "The check found no problem." in page.text and "社区停车管理" in page.text
    response = await client.post(f"/admin/marketplace/{release.id}/approve",
                                 data={"_csrf_token": csrf_token(page.text)})
    assert response.status_code == 303
    assert (await services.release(release.id)).status == "approved"
    assert 'data-release="parking==1.0.0"' not in (await client.get("/admin/marketplace")).text

    await _pending(settings, publisher, tmp_path, "1.1.0")
    page = await client.get("/admin/marketplace", headers=EN)
    assert "Since version 1.0.0, the last approved:" in page.text
    assert "No change in capabilities or settings." in page.text


async def test_a_rejection_needs_a_reason_and_the_publisher_sees_it(client, sign_in, settings, publisher,
                                                                     platform_admin, app, tmp_path):
    from core.marketplace import services
    from tests.http import http_client

    release = await _pending(settings, publisher, tmp_path)
    await sign_in(client, "13900000000")
    page = await client.get("/admin/marketplace", headers=EN)
    response = await client.post(f"/admin/marketplace/{release.id}/reject", headers=EN,
                                 data={"_csrf_token": csrf_token(page.text), "reason": "  "})
    assert response.status_code == 422
    assert f'id="e-reason-{release.id}"' in response.text and "the publisher reads it" in response.text
    assert (await services.release(release.id)).status == "pending"
    response = await client.post(f"/admin/marketplace/{release.id}/reject",
                                 data={"_csrf_token": csrf_token(page.text), "reason": "停车数据不应外传。"})
    assert response.status_code == 303

    async with http_client(app) as publisher_client:
        await sign_in(publisher_client, "13700000001")
        page = await publisher_client.get("/marketplace/publish", headers=EN)
    assert "Rejected" in page.text and "停车数据不应外传。" in page.text


async def test_someone_not_an_admin_cannot_review(client, sign_in, settings, publisher, tmp_path):
    from core.marketplace import services

    release = await _pending(settings, publisher, tmp_path)
    await sign_in(client, "13700000001")
    assert (await client.get("/admin/marketplace")).status_code == 403
    token = csrf_token((await client.get("/marketplace/publish")).text)
    for action, data in (("approve", {}), ("reject", {"reason": "no"})):
        response = await client.post(f"/admin/marketplace/{release.id}/{action}", data={"_csrf_token": token, **data})
        assert response.status_code == 403
    assert (await services.release(release.id)).status == "pending"
