"""/admin/publishers: only platform admins; grant the publisher role by phone number or email,
revoke it; a revoked publisher can upload neither in the browser nor with a token."""

from __future__ import annotations

from core.accounts import platform_roles, services
from core.accounts.roles import PUBLISHER
from core.audit import services as audit
from tests.core.marketplace.wheels import good
from tests.http import csrf_token

URL = "/admin/publishers"
EN = {"Accept-Language": "en"}
FILENAME = "gongzhi_parking-1.0.0-py3-none-any.whl"


async def _grant(client, identifier: str, headers=EN):
    page = await client.get(URL, headers=headers)
    return await client.post(URL, headers=headers,
                             data={"_csrf_token": csrf_token(page.text), "identifier": identifier})


async def _revoke(client, person_id: int):
    page = await client.get(URL, headers=EN)
    return await client.post(f"{URL}/{person_id}/revoke", headers=EN, data={"_csrf_token": csrf_token(page.text)})


async def test_only_platform_admins(client, make_person, sign_in):
    response = await client.get(URL)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={URL}"
    await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))
    await sign_in(client, "13700000001")
    assert (await client.get(URL)).status_code == 403
    token = csrf_token((await client.get("/account")).text)
    assert (await client.post(URL, data={"_csrf_token": token, "identifier": "13700000001"})).status_code == 403
    me = await services.find_person(services.Identifier("phone", "13700000001"))
    assert (await client.post(f"{URL}/{me.id}/revoke", data={"_csrf_token": token})).status_code == 403
    assert PUBLISHER in await services.platform_roles(me.id)


async def test_the_admin_home_links_to_publishers_and_reviews(client, platform_admin, sign_in):
    await sign_in(client, "13900000000")
    page = await client.get("/admin", headers=EN)
    assert f'href="{URL}"' in page.text and 'href="/admin/marketplace"' in page.text
    assert "Marketplace publishers" in page.text and "Plugin releases to review" in page.text


async def test_grant_by_phone_and_by_email(client, make_person, platform_admin, sign_in):
    chen = await make_person("陈出版", "13700000001")
    lin = await services.create_person("林出版", services.Identifier("email", "lin@example.com"), "pass-word-123")
    await sign_in(client, "13900000000")
    page = await client.get(URL, headers=EN)
    assert page.status_code == 200 and "Grant the publisher role" in page.text and "Mobile number or email" in page.text

    response = await _grant(client, "137 0000 0001")
    assert response.status_code == 303 and response.headers["location"] == URL
    assert (await _grant(client, "Lin@Example.com")).status_code == 303
    assert PUBLISHER in await services.platform_roles(chen.id)
    assert PUBLISHER in await services.platform_roles(lin.id)

    page = await client.get(URL, headers=EN)
    assert f'data-person="{chen.id}"' in page.text and "13700000001" in page.text
    assert f'data-person="{lin.id}"' in page.text and "lin@example.com" in page.text
    assert f'action="{URL}/{chen.id}/revoke"' in page.text
    entries = [e for e in await audit.platform_entries() if e.action == platform_roles.GRANTED]
    assert sorted(e.target for e in entries) == sorted([f"person:{chen.id}", f"person:{lin.id}"])
    assert {e.actor for e in entries} == {"周立平"}


async def test_an_unknown_account_is_named_next_to_the_field_and_kept(client, platform_admin, sign_in):
    await sign_in(client, "13900000000")
    response = await _grant(client, "13700000009")
    assert response.status_code == 422
    assert 'id="e-identifier"' in response.text
    assert "No account signs in with this phone number or email." in response.text
    assert 'value="13700000009"' in response.text
    bad = await _grant(client, "not a number")
    assert bad.status_code == 422 and 'id="e-identifier"' in bad.text and 'value="not a number"' in bad.text
    assert await platform_roles.holders(PUBLISHER) == []


async def test_granting_twice_says_so_and_adds_nothing(client, make_person, platform_admin, sign_in):
    from core.accounts.tables import PlatformRole

    chen = await make_person("陈出版", "13700000001")
    await sign_in(client, "13900000000")
    assert (await _grant(client, "13700000001")).status_code == 303
    again = await _grant(client, "13700000001")
    assert again.status_code == 409
    assert 'id="e-identifier"' in again.text and "陈出版 already holds this role." in again.text
    assert 'value="13700000001"' in again.text
    assert await PlatformRole.count().where(PlatformRole.person == chen.id) == 1


async def test_the_forms_need_the_csrf_token(client, make_person, platform_admin, sign_in):
    chen = await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))
    await sign_in(client, "13900000000")
    assert (await client.post(URL, data={"identifier": "13900000000"})).status_code == 403
    assert (await client.post(f"{URL}/{chen.id}/revoke", data={})).status_code == 403
    assert await services.platform_roles(chen.id) == frozenset({PUBLISHER})


async def test_a_revoked_publisher_can_no_longer_upload(app, client, make_person, platform_admin, sign_in, tmp_path):
    from core.accounts import credentials
    from core.marketplace.tables import MarketplaceRelease
    from tests.http import http_client

    chen = await make_person("陈出版", "13700000001", platform_roles=(PUBLISHER,))
    issued = await credentials.issue("publisher", "ci", ["marketplace:publish"], tenant_id=None, person_id=chen.id)
    # Signed in as the publisher, with the upload form open, when the admin revokes the role.
    publisher = client
    await sign_in(publisher, "13700000001")
    form = await publisher.get("/marketplace/publish")
    assert form.status_code == 200

    async with http_client(app) as admin:
        await sign_in(admin, "13900000000")
        response = await _revoke(admin, chen.id)
        assert response.status_code == 303 and response.headers["location"] == URL
        assert f'data-person="{chen.id}"' not in (await admin.get(URL)).text
        # A second revoke (a resubmitted form) changes nothing more.
        assert (await _revoke(admin, chen.id)).status_code == 303

    assert PUBLISHER not in await services.platform_roles(chen.id)
    [entry] = [e for e in await audit.platform_entries() if e.action == platform_roles.REVOKED]
    assert (entry.actor, entry.target, entry.details["role"]) == ("周立平", f"person:{chen.id}", PUBLISHER)

    wheel = good(tmp_path)
    upload = await publisher.post("/marketplace/publish", data={"_csrf_token": csrf_token(form.text)},
                                  files={"wheel": (FILENAME, wheel, "application/zip")})
    assert upload.status_code == 403
    assert (await publisher.get("/marketplace/publish")).status_code == 403

    api = "/api/v1/marketplace/releases"
    by_token = await client.post(api, headers={"Authorization": f"Bearer {issued.token}"},
                                 files={"wheel": (FILENAME, wheel, "application/zip")})
    assert by_token.status_code == 401  # the token was revoked with the role
    # And a publisher token they might still hold is refused for want of the role.
    fresh = await credentials.issue("publisher", "ci", ["marketplace:publish"], tenant_id=None, person_id=chen.id)
    by_fresh = await client.post(api, headers={"Authorization": f"Bearer {fresh.token}"},
                                 files={"wheel": (FILENAME, wheel, "application/zip")})
    assert by_fresh.status_code == 403
    assert await MarketplaceRelease.count() == 0
