"""POST /api/v1/marketplace/releases: a publisher's platform token uploads a wheel (201);
a refusal is problem-details JSON naming the problem (422); no token, a token without the
scope, or the token of someone who is not a publisher cannot upload."""

from __future__ import annotations

from tests.core.marketplace.wheels import MANIFEST, edit, good, project, wheel

URL = "/api/v1/marketplace/releases"
FILENAME = "gongzhi_parking-1.0.0-py3-none-any.whl"


async def _token(person, scopes=("marketplace:publish",), kind="publisher", tenant_id=None) -> str:
    from core.accounts import credentials

    issued = await credentials.issue(kind, "upload", list(scopes), tenant_id=tenant_id, person_id=person.id)
    return issued.token


def _post(client, token: str, data: bytes, changelog: str = ""):
    return client.post(URL, headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
                       files={"wheel": (FILENAME, data, "application/zip")}, data={"changelog": changelog})


async def test_a_publisher_uploads_a_release(client, publisher, tmp_path):
    from core.marketplace.tables import MarketplaceRelease

    response = await _post(client, await _token(publisher), good(tmp_path), "First release.")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["plugin"], body["version"], body["status"]) == ("parking", "1.0.0", "pending")
    row = await MarketplaceRelease.objects().where(MarketplaceRelease.id == body["id"]).first()
    assert (row.sha256, row.changelog, row.filename) == (body["sha256"], "First release.", FILENAME)


async def test_a_refusal_is_problem_details_naming_the_problem(client, publisher, tmp_path):
    from core.marketplace.tables import MarketplaceRelease

    folder = project(tmp_path)
    edit(folder / MANIFEST, 'core = ">=1.0,<2"', 'core = ">=2.0,<3"')
    response = await _post(client, await _token(publisher), wheel(folder))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "the range '>=2.0,<3' excludes this core" in response.json()["errors"]["wheel"]
    assert await MarketplaceRelease.count() == 0

    response = await client.post(URL, headers={"Authorization": f"Bearer {await _token(publisher)}",
                                                "Accept-Language": "en"},
                                 data={"changelog": "no file"})
    assert response.status_code == 422 and "wheel" in response.json()["errors"]


async def test_who_cannot_upload(client, publisher, make_person, tenant, tmp_path):
    from core.marketplace.tables import MarketplaceRelease

    data = good(tmp_path)
    assert (await client.post(URL, files={"wheel": (FILENAME, data)})).status_code == 401
    assert (await _post(client, "gz_p_not-a-token", data)).status_code == 401
    # A publisher's token without the scope.
    assert (await _post(client, await _token(publisher, scopes=("profile:read",)), data)).status_code == 403
    # Someone who is not a publisher, with a platform token or a district's token.
    resident = await make_person("李居民", "13600000001")
    assert (await _post(client, await _token(resident), data)).status_code == 403
    district_token = await _token(publisher, scopes=("profile:read",), kind="person", tenant_id=tenant.id)
    assert (await _post(client, district_token, data)).status_code == 403
    assert await MarketplaceRelease.count() == 0


async def test_the_cli_client_prints_the_release_or_the_problem(app, publisher, tmp_path):
    import httpx

    from core.marketplace import client

    token = await _token(publisher)
    path = tmp_path / FILENAME
    path.write_bytes(good(tmp_path))
    transport = httpx.ASGITransport(app=app)
    outcome = await client.publish(path, url="http://127.0.0.1", token=token, changelog="First.",
                                   language="en", transport=transport)
    assert outcome.ok and outcome.text.startswith("Uploaded parking 1.0.0: pending review\nsha256 ")
    outcome = await client.publish(path, url="http://127.0.0.1", token=token, language="en", transport=transport)
    assert not outcome.ok and "Version 1.0.0 of parking is already published" in outcome.text
    outcome = await client.publish(path, url="http://127.0.0.1", token="gz_p_wrong", language="en",
                                   transport=transport)
    assert not outcome.ok and "This token is not valid" in outcome.text
    outcome = await client.publish(tmp_path / "missing.whl", url="http://127.0.0.1", token=token)
    assert not outcome.ok and "missing.whl: cannot be read" in outcome.text


def test_the_cli_command_fails_with_the_problem(tmp_path):
    from click.testing import CliRunner

    from core.cli import main

    result = CliRunner().invoke(main, ["plugin", "publish", str(tmp_path / "missing.whl"), "--token", "gz_p_x",
                                       "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "missing.whl: cannot be read" in result.output


async def test_a_wheel_larger_than_a_form_is_judged_by_the_wheel_limit(client, publisher):
    """Wheels are bigger than the 1 MB other forms take: a 3 MB upload reaches the check
    (not a wheel: 422), and one over the wheel limit is too large (413)."""
    token = await _token(publisher)
    judged = await _post(client, token, b"\0" * (3 * 1024 * 1024))
    assert judged.status_code == 422 and "wheel" in judged.json()["errors"]
    from core.marketplace.services import UPLOAD_MAX_BYTES

    assert (await _post(client, token, b"\0" * (UPLOAD_MAX_BYTES + 1))).status_code == 413
