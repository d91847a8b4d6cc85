"""Bodies too large, and forms of too many parts, are refused with 413 in the person's
language before they are read, and write nothing; so is a photo whose bytes contradict the type
it was sent as, next to its field. (The rule itself: tests/core/storage/test_sniff.py.)"""

from __future__ import annotations

import re

from core.accounts import credentials
from core.config import Settings
from core.feedback import categories, photos
from core.feedback.tables import FeedbackItem
from core.tenancy import TenantScope
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}


def _multipart(fields: list[tuple[str, str]], boundary: str = "gongzhi-boundary") -> tuple[bytes, dict]:
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields) + f"--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


async def _suggestion(client, scope, make_person, sign_in) -> dict[str, str]:
    """A resident signed in, and the fields of a good suggestion from the form's page."""
    await categories.ensure_registered(scope)
    category = (await categories.enabled(scope))[0]
    await make_person("刘芳", "13900000021")
    await sign_in(client, "13900000021")
    page = await client.get("/t/qindu/feedback/new", headers=PAGE)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return {"_csrf_token": csrf_token(page.text), "idempotency_key": key, "category": str(category.id),
            "description": "楼道堆放杂物，影响通行。"}


async def test_a_body_over_the_limit_is_refused_with_413_saying_the_limit(client, tenant, make_person):
    limit = Settings.from_env().max_body_bytes
    page = await client.get("/login", headers=PAGE)
    refused = await client.post("/login", headers=PAGE, data={
        "_csrf_token": csrf_token(page.text), "identifier": "13800000001", "password": "x" * (limit + 1)})
    assert refused.status_code == 413
    assert "提交的内容过大" in refused.text and "1024 KB" in refused.text
    person = await make_person("刘芳", "13900000021")
    issued = await credentials.issue("person", "手机", ["feedback:write"], tenant_id=tenant.id, person_id=person.id)
    api = await client.post("/api/v1/t/qindu/feedback", content=b"{" + b" " * (limit + 1) + b"}",
                            headers={"content-type": "application/json", "accept-language": "en",
                                     "authorization": f"Bearer {issued.token}"})
    assert api.status_code == 413 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["detail"] == "The limit is 1024 KB."


async def test_a_form_with_photos_says_its_own_larger_limit(client, tenant, make_person, sign_in):
    await make_person("刘芳", "13900000021")
    await sign_in(client, "13900000021")
    page = await client.get("/t/qindu/feedback/new", headers=PAGE)
    body, headers = _multipart([("_csrf_token", csrf_token(page.text)),
                                ("description", "x" * (photos.FORM_MAX_BYTES + 1))])
    refused = await client.post("/t/qindu/feedback/new", content=body, headers={**PAGE, **headers})
    assert refused.status_code == 413
    assert f"{photos.FORM_MAX_BYTES / 1_048_576:.0f} MB" in refused.text


async def test_a_form_of_thousands_of_parts_is_refused_and_writes_nothing(client, tenant, make_person, sign_in):
    scope = TenantScope(tenant.id)
    fields = list((await _suggestion(client, scope, make_person, sign_in)).items())
    limit = Settings.from_env().max_form_parts
    body, headers = _multipart(fields + [("filler", "1")] * 5000)
    refused = await client.post("/t/qindu/feedback/new", content=body, headers={**PAGE, **headers})
    assert refused.status_code == 413
    assert f"最多 {limit} 个" in refused.text, refused.text
    assert await scope.count(FeedbackItem) == 0
    # The same form within the limit is taken.
    body, headers = _multipart(fields + [("filler", "1")] * (limit - len(fields)))
    taken = await client.post("/t/qindu/feedback/new", content=body, headers={**PAGE, **headers})
    assert taken.status_code == 303, taken.text
    assert await scope.count(FeedbackItem) == 1


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


async def test_a_photo_sent_as_another_kind_of_file_is_refused_and_writes_nothing(client, tenant, make_person,
                                                                                   sign_in):
    scope = TenantScope(tenant.id)
    form = await _suggestion(client, scope, make_person, sign_in)
    refused = await client.post("/t/qindu/feedback/new", headers=PAGE, data=form,
                                files={"photos": ("楼道.pdf", _jpeg(), "application/pdf")})
    assert refused.status_code == 422
    assert "“楼道.pdf”以 application/pdf 发送，但实际是 JPEG 文件。" in refused.text
    assert 'id="e-f-photos"' in refused.text and "楼道堆放杂物，影响通行。" in refused.text  # kept as typed
    assert await scope.count(FeedbackItem) == 0
    # A picture sent as another kind of picture (a JPEG named .png) is a picture all the same.
    taken = await client.post("/t/qindu/feedback/new", headers=PAGE, data=form,
                              files={"photos": ("楼道.png", _jpeg(), "image/png")})
    assert taken.status_code == 303, taken.text
    assert await scope.count(FeedbackItem) == 1
