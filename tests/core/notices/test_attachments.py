"""Attachments: sniffed by their bytes, limited in size and number, served with their type
to those who may see the notice, and a refused file leaves the typed draft in the form."""

import re

from core.config import Settings
from core.notices import attachments
from core.notices.tables import Notice, NoticeAttachment
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fields(district, **changes):
    return {"title": "2026年11月财务公开", "body": "详见附件。", "audience": f"community:{district['north'].id}",
            **changes}


async def _post_draft(client, files, **changes):
    page = await client.get("/t/qindu/console/notices/new", headers=PAGE)
    return await client.post("/t/qindu/console/notices/new", headers=PAGE,
                              data={**changes, "_csrf_token": csrf_token(page.text)}, files=files)


async def _publish(client, sign_in, notice_id):
    async def act(phone, action, revision):
        client.cookies.clear()
        await sign_in(client, phone, login_path="/t/qindu/login")
        page = await client.get(f"/t/qindu/console/notices/{notice_id}", headers=PAGE)
        await client.post(f"/t/qindu/console/notices/{notice_id}/{action}", headers=PAGE,
                          data={"_csrf_token": csrf_token(page.text), "revision": str(revision)})

    await act("13900000011", "submit", 1)
    await act("13900000001", "approve", 2)


async def test_a_pdf_is_attached_and_served_only_to_those_the_notice_is_for(client, district, sign_in):
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    created = await _post_draft(client, [("attachments", ("收支明细.pdf", PDF, "application/pdf")),
                                         ("attachments", ("照片.png", PNG, "image/png"))], **_fields(district))
    assert created.status_code == 303
    notice_id = int(created.headers["location"].rsplit("/", 1)[1])
    stored = await district["scope"].objects(NoticeAttachment).order_by(NoticeAttachment.position)
    assert [(a.filename, a.content_type, a.size) for a in stored] == [
        ("收支明细.pdf", "application/pdf", len(PDF)), ("照片.png", "image/png", len(PNG))]
    # Staff can open it before it is published; residents cannot.
    staff_copy = await client.get(f"/t/qindu/console/notices/{notice_id}/attachments/{stored[0].id}")
    assert staff_copy.status_code == 200 and staff_copy.content == PDF
    root = (await district["scope"].get(Notice, notice_id)).root
    url = f"/t/qindu/notices/{root}/attachments/{stored[0].id}"
    client.cookies.clear()
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    assert (await client.get(url)).status_code == 404  # not published yet
    await _publish(client, sign_in, notice_id)
    client.cookies.clear()
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/notices/{root}", headers=PAGE)
    assert "收支明细.pdf" in page.text
    download = await client.get(url)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    client.cookies.clear()
    await sign_in(client, "13900000022", login_path="/t/qindu/login")  # another community
    assert (await client.get(url)).status_code == 404


async def test_a_renamed_executable_is_refused_and_the_draft_keeps_everything_else(client, district, sign_in):
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    refused = await _post_draft(client, [("attachments", ("报表.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"))],
                                **_fields(district, body="正文保留"))
    assert refused.status_code == 422
    assert re.search(r'id="e-attachments"[^>]*>[^<]*报表\.pdf', refused.text)
    assert 'value="2026年11月财务公开"' in refused.text and "正文保留" in refused.text
    assert await district["scope"].count(Notice) == 0 and await district["scope"].count(NoticeAttachment) == 0


async def test_too_large_and_too_many_are_refused(client, district, sign_in, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_BYTES", 1024)
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    big = await _post_draft(client, [("attachments", ("大.pdf", PDF + b"0" * 2048, "application/pdf"))],
                            **_fields(district))
    assert big.status_code == 422 and "大.pdf" in big.text
    many = await _post_draft(client, [("attachments", (f"{i}.png", PNG, "image/png")) for i in range(6)],
                             **_fields(district))
    assert many.status_code == 422 and "最多可带 5 个附件" in many.text
    assert await district["scope"].count(Notice) == 0


async def test_a_correction_keeps_the_files_and_removing_one_there_keeps_the_original(client, district, sign_in):
    from core.notices import services

    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    created = await _post_draft(client, [("attachments", ("收支明细.pdf", PDF, "application/pdf"))],
                                **_fields(district))
    notice_id = int(created.headers["location"].rsplit("/", 1)[1])
    await _publish(client, sign_in, notice_id)
    correction = await services.correct(district["scope"], notice_id, actor_id=district["author"].id)
    copied = await attachments.listing(district["scope"], correction.id)
    assert [a.filename for a in copied] == ["收支明细.pdf"]
    await attachments.remove(Settings.from_env(), district["scope"], correction.id, [copied[0].id])
    original = (await attachments.listing(district["scope"], notice_id))[0]
    file_ = (await attachments.file_of(Settings.from_env(), district["scope"], notice_id, original.id))[1]
    assert file_.data == PDF
