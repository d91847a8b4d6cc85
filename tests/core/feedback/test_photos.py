"""Photos of feedback items: checked by their bytes, decoded, made upright and smaller,
stripped of every piece of metadata, stored all or none with the item (or its resolution),
sealed at rest for a private category, and served only to those who may see the item."""

import base64
import io
import re
import struct
import zlib

import pytest
from PIL import Image, ExifTags

from core.config import Settings
from core.errors import ValidationFailed
from core.feedback import photos, services, workflow
from core.feedback.tables import FeedbackItem, FeedbackPhoto, TimelineEntry
from core.storage import store as storage
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "en"}
SETTINGS = Settings.from_env()


def jpeg(size=(640, 480), *, exif=None, comment=b"") -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **({"exif": exif} if exif is not None else {}),
               **({"comment": comment} if comment else {}))
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG of a few bytes that claims ``width`` × ``height`` pixels: a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "GongzhiTestCam"
    exif[ExifTags.Base.Model] = "Phone-4711"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 4.0, 7.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 22.0, 55.0)
    return exif


async def refused(uploads) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        await photos.prepare(uploads)
    assert set(caught.value.errors) == {"photos"}
    return caught.value


async def stored_bytes(scope, photo: FeedbackPhoto) -> bytes:
    return (await storage.get(scope, photo.storage_key, store=storage.store_for(SETTINGS))).data


async def submit_with(place, ready=(), key: str = "key-000001"):
    scope, resident = place["scope"], place["resident"]
    submission = await services.clean(scope, {"category": str(place["categories"]["sanitation"].id),
                                              "description": "楼道堆放杂物，影响通行。"}, person_id=resident.id)
    item, _new = await services.submit(SETTINGS, scope, "qindu", resident.id, submission, idempotency_key=key,
                                       photos=ready)
    return item


async def file_count(scope) -> int:
    """How many photo files the district's store holds."""
    if SETTINGS.storage == "database":
        from core.storage.database import StoredFile

        return await scope.count(StoredFile).where(StoredFile.key.like(f"t{scope.tenant_id}/{photos.NAMESPACE}/%"))
    root = SETTINGS.var_dir / "storage" / f"t{scope.tenant_id}" / photos.NAMESPACE
    return sum(1 for path in root.rglob("*.json")) if root.exists() else 0


# Preparing ------------------------------------------------------------------------------


async def test_a_large_photo_is_made_smaller_and_turned_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # held upright: stored on its side, to be turned
    [photo] = await photos.prepare([("街道.jpg", jpeg((4000, 3000), exif=exif))])
    assert (photo.width, photo.height, photo.content_type) == (1200, 1600, "image/jpeg")
    assert Image.open(io.BytesIO(photo.data)).size == (1200, 1600)
    [small] = await photos.prepare([("small.jpg", jpeg((300, 200)))])
    assert (small.width, small.height) == (300, 200)  # never made larger


async def test_no_exif_gps_or_comment_survives(place):
    original = jpeg((2000, 1500), exif=gps_exif(), comment=b"Home: Building 3")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has GPS
    await submit_with(place, await photos.prepare([("gps.jpg", original)]))
    [row] = await place["scope"].objects(FeedbackPhoto)
    data = await stored_bytes(place["scope"], row)
    assert not row.sealed and data.startswith(b"\xff\xd8\xff")
    for trace in (b"Exif", b"GongzhiTestCam", b"Phone-4711", b"Home: Building 3", b"ICC_PROFILE", b"http://ns.adobe"):
        assert trace not in data
    stored = Image.open(io.BytesIO(data))
    assert not stored.getexif() and not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in stored.info and "comment" not in stored.info
    assert (row.width, row.height, row.size, row.stage, row.position) == (1600, 1200, len(data), "submission", 1)


async def test_transparency_keeps_a_png_and_everything_else_becomes_a_jpeg():
    def encoded(image, kind):
        out = io.BytesIO()
        image.save(out, kind)
        return out.getvalue()

    see_through = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    opaque = Image.new("RGBA", (50, 40), (10, 20, 30, 255))
    prepared = await photos.prepare([("a.png", encoded(see_through, "PNG")), ("b.png", encoded(opaque, "PNG")),
                                     ("c.gif", encoded(Image.new("P", (50, 40)), "GIF")),
                                     ("d.webp", encoded(Image.new("RGB", (50, 40)), "WEBP"))])
    assert [p.content_type for p in prepared] == ["image/png", "image/jpeg", "image/jpeg", "image/jpeg"]


@pytest.mark.parametrize("name, data", [
    ("scan.jpg", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"),
    ("photo.jpg", "这不是照片，是一段文字。".encode()),
    ("broken.jpg", b"\xff\xd8\xff\xe0" + b"not really a picture" * 20),
])
async def test_what_is_not_a_picture_is_refused(name, data):
    error = await refused([("good.jpg", jpeg()), (name, data)])
    assert error.errors["photos"].params["filename"] == name


async def test_a_photo_over_10_mb_is_refused():
    error = await refused([("huge.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))])
    assert error.errors["photos"].params == {"filename": "huge.jpg", "limit": "10"}


async def test_seven_photos_are_refused():
    error = await refused([(f"{n}.jpg", jpeg((20, 20))) for n in range(7)])
    assert error.errors["photos"].params == {"count": 6}
    assert len(await photos.prepare([(f"{n}.jpg", jpeg((20, 20))) for n in range(6)])) == 6


@pytest.mark.parametrize("width, height", [(9000, 9000), (40000, 40000)])
async def test_a_decompression_bomb_is_refused(width, height):
    data = png_header(width, height)
    assert len(data) < 200
    error = await refused([("bomb.png", data)])
    assert error.errors["photos"].msgid == "“%(filename)s” has more than %(limit)d million pixels."


# Storing --------------------------------------------------------------------------------


async def test_a_transaction_that_does_not_commit_leaves_no_row_and_no_file(place):
    item = await submit_with(place)
    scope = place["scope"]
    before = await file_count(scope)
    ready = await photos.prepare([("1.jpg", jpeg()), ("2.jpg", jpeg())])
    with pytest.raises(RuntimeError):
        async with photos.writing(SETTINGS, scope) as files:
            await files.save(item, ready, stage=photos.SUBMISSION)
            written = list(files.keys)
            assert len(written) == 2 and await file_count(scope) == before + 2
            raise RuntimeError("the transaction fails after the files were written")
    assert await scope.count(FeedbackPhoto) == 0 and await file_count(scope) == before
    for key in written:
        with pytest.raises(Exception):
            await storage.get(scope, key, store=storage.store_for(SETTINGS))


async def test_a_resolution_carries_its_photos_on_its_timeline_entry(place):
    scope = place["scope"]
    item = await submit_with(place, await photos.prepare([("before.jpg", jpeg())]))
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await workflow.resolve(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=2,
                           what_was_done="已清理。", settings=SETTINGS,
                           photos=await photos.prepare([("after1.jpg", jpeg()), ("after2.jpg", jpeg((100, 300)))]))
    entry = await scope.objects(TimelineEntry).where(TimelineEntry.action == "resolve").first()
    shown = await photos.gallery(scope, item.id)
    assert len(shown.submission) == 1 and list(shown.resolutions) == [entry.id]
    assert [(p.width, p.height) for p in shown.resolutions[entry.id]] == [(160, 120), (53, 160)]
    rows = await scope.objects(FeedbackPhoto).where(FeedbackPhoto.stage == "resolution").order_by(FeedbackPhoto.id)
    assert [(r.timeline_entry, r.position) for r in rows] == [(entry.id, 1), (entry.id, 2)]


# Through the pages ----------------------------------------------------------------------


async def _form(client):
    page = await client.get("/t/qindu/feedback/new", headers=PAGE)
    assert 'enctype="multipart/form-data"' in page.text and 'type="file" name="photos" accept="image/*" multiple' in page.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    return csrf_token(page.text), key


def _files(*named):
    return [("photos", (name, data, "image/jpeg")) for name, data in named]


async def test_a_bad_fourth_photo_writes_nothing_and_keeps_what_was_typed(client, place, sign_in):
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    token, key = await _form(client)
    before = await file_count(place["scope"])
    refused = await client.post("/t/qindu/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "category": str(place["categories"]["sanitation"].id),
        "description": "楼道里堆满了纸箱。", "address": "3号楼2单元"},
        files=_files(("1.jpg", jpeg()), ("2.jpg", jpeg()), ("3.jpg", jpeg()), ("4.jpg", b"just some text")))
    assert refused.status_code == 422
    assert re.search(r'id="e-f-photos"[^>]*>[^<]*4\.jpg', refused.text)
    assert "choose them again" in refused.text
    assert "楼道里堆满了纸箱。" in refused.text and 'value="3号楼2单元"' in refused.text and f'value="{key}"' in refused.text
    assert await place["scope"].count(FeedbackItem) == 0 and await place["scope"].count(FeedbackPhoto) == 0
    assert await file_count(place["scope"]) == before
    # A text error and a photo error are both shown at once.
    both = await client.post("/t/qindu/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "category": "", "description": "路灯坏了"},
        files=_files(*[(f"{n}.jpg", jpeg((20, 20))) for n in range(7)]))
    assert both.status_code == 422 and 'id="e-category"' in both.text and 'id="e-f-photos"' in both.text


async def test_the_same_key_with_the_same_photos_is_one_item(client, place, sign_in):
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    token, key = await _form(client)
    form = {"_csrf_token": token, "idempotency_key": key, "category": str(place["categories"]["sanitation"].id),
            "description": "垃圾桶满了。"}
    chosen = _files(("a.jpg", jpeg((800, 600))), ("b.jpg", jpeg((600, 800))))
    sent = await client.post("/t/qindu/feedback/new", headers=PAGE, data=form, files=chosen)
    resent = await client.post("/t/qindu/feedback/new", headers=PAGE, data=form, files=chosen)
    assert sent.status_code == resent.status_code == 303 and sent.headers["location"] == resent.headers["location"]
    assert await place["scope"].count(FeedbackItem) == 1 and await place["scope"].count(FeedbackPhoto) == 2
    other = await client.post("/t/qindu/feedback/new", headers=PAGE, data=form,
                              files=_files(("c.jpg", jpeg((300, 300)))))
    assert other.status_code == 409 and "choose them again" in other.text
    assert await place["scope"].count(FeedbackItem) == 1 and await place["scope"].count(FeedbackPhoto) == 2
    page = await client.get(sent.headers["location"], headers=PAGE)
    item = await place["scope"].objects(FeedbackItem).first()
    shown = [p.id for p in (await photos.gallery(place["scope"], item.id)).submission]
    for photo_id, size in zip(shown, ('width="160" height="120"', 'width="120" height="160"')):
        url = f"/t/qindu/feedback/{item.id}/photos/{photo_id}"
        assert f'src="{url}" {size}' in page.text
        served = await client.get(url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"] == "private, max-age=300"


async def test_a_private_photo_is_sealed_at_rest_and_opened_only_for_those_who_may_read_it(
        client, place, sign_in, make_person):
    scope = place["scope"]
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    token, key = await _form(client)
    sent = await client.post("/t/qindu/feedback/new", headers=PAGE, data={
        "_csrf_token": token, "idempotency_key": key, "category": str(place["categories"]["family"].id),
        "description": "家里老人需要照顾。"}, files=_files(("home.jpg", jpeg((900, 700), exif=gps_exif()))))
    assert sent.status_code == 303
    item = await scope.objects(FeedbackItem).first()
    [row] = await scope.objects(FeedbackPhoto)
    assert row.sealed and row.content_type == "image/jpeg"
    at_rest = await stored_bytes(scope, row)
    # The submitter sees it.
    url = f"/t/qindu/feedback/{item.id}/photos/{row.id}"
    served = await client.get(url)
    assert served.status_code == 200 and served.headers["cache-control"] == "private, no-store"
    image = served.content
    assert image.startswith(b"\xff\xd8\xff") and Image.open(io.BytesIO(image)).size == (row.width, row.height)
    # At rest: nothing of the image, raw or in base64, at any alignment.
    assert at_rest.startswith(b"v1:") and b"\xff\xd8\xff" not in at_rest and b"JFIF" not in at_rest
    for start in range(0, len(image) - 48, max(1, len(image) // 20)):
        piece = image[start:start + 48]
        assert piece not in at_rest
        for shift in range(3):
            assert base64.b64encode(piece[shift:])[4:40] not in at_rest
    # Another resident: no such photo.
    await make_person("陈明", "13900000022")
    client.cookies.clear()
    await sign_in(client, "13900000022", login_path="/t/qindu/login")
    assert (await client.get(url)).status_code == 404
    console_url = f"/t/qindu/console/feedback/{item.id}/photos/{row.id}"
    # The grid worker does not handle a family matter (the community does): it does not exist for them.
    client.cookies.clear()
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    assert (await client.get(console_url)).status_code == 404
    # The community's staff, the party assigned, see it.
    client.cookies.clear()
    await sign_in(client, "13900000011", login_path="/t/qindu/login")
    staff_copy = await client.get(console_url)
    assert staff_copy.status_code == 200 and staff_copy.content == image
    assert staff_copy.headers["cache-control"] == "private, no-store"
    page = await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)
    assert f'src="{console_url}"' in page.text
    # A photo of one item is not reachable under another.
    other, _new = await services.submit(SETTINGS, scope, "qindu", place["resident"].id, await services.clean(
        scope, {"category": str(place["categories"]["family"].id), "description": "另一件事"},
        person_id=place["resident"].id), idempotency_key="another-item-1")
    assert (await client.get(f"/t/qindu/console/feedback/{other.id}/photos/{row.id}")).status_code == 404


async def test_staff_resolve_with_photos_and_the_resident_sees_them(client, place, sign_in):
    scope = place["scope"]
    item = await submit_with(place)
    await workflow.accept(scope, "qindu", item.id, actor_id=place["grid_worker"].id, revision=1)
    await sign_in(client, "13900000012", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)
    assert 'enctype="multipart/form-data"' in page.text and 'id="f-resolve-photos"' in page.text
    too_many = await client.post(f"/t/qindu/console/feedback/{item.id}/resolve", headers=PAGE,
                                 data={"_csrf_token": csrf_token(page.text), "revision": "2", "note": "已清理。"},
                                 files=_files(*[(f"{n}.jpg", jpeg((20, 20))) for n in range(7)]))
    assert too_many.status_code == 422 and 'id="e-f-resolve-photos"' in too_many.text and "已清理。" in too_many.text
    assert (await scope.get(FeedbackItem, item.id)).state == "accepted" and await scope.count(FeedbackPhoto) == 0
    resolved = await client.post(f"/t/qindu/console/feedback/{item.id}/resolve", headers=PAGE,
                                 data={"_csrf_token": csrf_token(page.text), "revision": "2", "note": "已清理。"},
                                 files=_files(("after.jpg", jpeg((1000, 500)))))
    assert resolved.status_code == 303
    [row] = await scope.objects(FeedbackPhoto)
    entry = await scope.objects(TimelineEntry).where(TimelineEntry.action == "resolve").first()
    assert (row.stage, row.timeline_entry, row.sealed) == ("resolution", entry.id, False)
    console_url = f"/t/qindu/console/feedback/{item.id}/photos/{row.id}"
    assert f'src="{console_url}" width="160" height="80"' in (
        await client.get(f"/t/qindu/console/feedback/{item.id}", headers=PAGE)).text
    client.cookies.clear()
    await sign_in(client, "13900000021", login_path="/t/qindu/login")
    page = await client.get(f"/t/qindu/feedback/{item.id}", headers=PAGE)
    url = f"/t/qindu/feedback/{item.id}/photos/{row.id}"
    history = page.text[page.text.index('class="history"'):]
    assert f'src="{url}" width="160" height="80"' in history
    served = await client.get(url)
    assert served.status_code == 200 and Image.open(io.BytesIO(served.content)).size == (1000, 500)
