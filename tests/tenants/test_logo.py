"""The district admin uploads the logo the app's icons are made from: only real pictures of
the right type and size are kept (a clear message next to the field otherwise); the icons are
made from it, the maskable ones with the whole logo inside the safe zone on the theme colour."""

import io
import json
import math

from PIL import Image

from core.accounts import services as accounts
from core.audit.tables import AuditEntry
from core.i18n import translate
from core.storage import store as storage
from core.tenancy import TenantScope
from tenants import logo
from tenants.tables import Tenant
from tests.http import csrf_token

PAGE = {"Accept": "text/html", "Accept-Language": "zh-CN"}
THEME = (200, 16, 46)  # #c8102e, the default theme colour
GREEN = (20, 120, 40)  # the logos of these tests


def _near(pixel, colour, tolerance: int = 8) -> bool:
    """The same colour, give or take what JPEG does to it."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def _picture(width: int, height: int, fmt: str = "PNG", colour=(20, 120, 40, 255)) -> bytes:
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", (width, height), colour if fmt == "PNG" else colour[:3])
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


async def _admin(client, tenant, make_person, sign_in):
    admin = await make_person("王建华", "13900000001")
    await accounts.add_membership(TenantScope(tenant.id), admin.id, ["district_admin"])
    await sign_in(client, "13900000001", login_path="/t/qindu/login")
    return admin


async def _upload(client, filename: str, data: bytes, content_type: str = "image/png", headers=PAGE):
    page = await client.get("/t/qindu/console/logo", headers=headers)
    assert page.status_code == 200
    return await client.post("/t/qindu/console/logo", headers=headers, data={"_csrf_token": csrf_token(page.text)},
                             files={"logo": (filename, data, content_type)})


async def _logo_key(tenant) -> str:
    return (await Tenant.select(Tenant.logo_key).where(Tenant.id == tenant.id).first())["logo_key"]


async def test_the_admin_uploads_a_logo_and_the_icons_are_made_from_it(client, tenant, make_person, sign_in):
    admin = await _admin(client, tenant, make_person, sign_in)
    console = await client.get("/t/qindu/console/", headers=PAGE)
    assert 'href="/t/qindu/console/logo"' in console.text
    page = await client.get("/t/qindu/console/logo", headers=PAGE)
    assert 'enctype="multipart/form-data"' in page.text and 'name="logo" type="file"' in page.text
    assert 'name="_csrf_token"' in page.text
    default_manifest = json.loads((await client.get("/t/qindu/manifest.webmanifest")).content)
    # A wide JPEG logo, 400 × 200: green.
    saved = await _upload(client, "秦都区标志.jpg", _picture(400, 200, "JPEG"), "image/jpeg")
    assert saved.status_code == 303 and saved.headers["location"] == "/t/qindu/console/logo"
    key = await _logo_key(tenant)
    assert key.startswith(f"t{tenant.id}/logo/")
    stored = await storage.get(TenantScope(tenant.id), key)
    assert stored.content_type == "image/png"
    entry = await AuditEntry.objects().where(AuditEntry.action == "district.logo").first()
    assert entry.actor_id == admin.id and entry.tenant_id == tenant.id
    manifest = json.loads((await client.get("/t/qindu/manifest.webmanifest")).content)
    assert {i["src"] for i in manifest["icons"]}.isdisjoint({i["src"] for i in default_manifest["icons"]})
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    for size in (192, 512):
        plain = await client.get(icons[(f"{size}x{size}", "any")])
        assert plain.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(plain.content)) as image:
            assert image.size == (size, size)
            rgba = image.convert("RGBA")
            # the whole width is the logo; above and below it, transparent
            assert _near(rgba.getpixel((size // 2, size // 2))[:3], GREEN)
            assert rgba.getpixel((size // 2, 2))[3] == 0
        maskable = await client.get(icons[(f"{size}x{size}", "maskable")])
        with Image.open(io.BytesIO(maskable.content)) as image:
            assert image.size == (size, size) and image.mode == "RGB"
            _assert_inside_the_safe_zone(image, size)


def _assert_inside_the_safe_zone(image, size: int) -> None:
    """Outside the centred circle of radius 40 % of the width: the theme colour only; the
    logo (green) reaches close to the circle, so it is not needlessly small."""
    centre = size / 2
    radius = 0.4 * size
    farthest = 0.0
    for y in range(size):
        for x in range(size):
            pixel = image.getpixel((x, y))
            distance = math.hypot(x + 0.5 - centre, y + 0.5 - centre)
            if pixel != THEME:
                farthest = max(farthest, distance)
    assert farthest <= radius, f"the logo reaches {farthest:.1f} px from the centre; the safe zone is {radius}"
    assert farthest >= 0.9 * radius
    assert _near(image.getpixel((size // 2, size // 2)), GREEN)


async def test_pictures_that_are_not_right_are_refused_next_to_the_field(client, tenant, make_person, sign_in):
    await _admin(client, tenant, make_person, sign_in)
    cases = [
        ("small.png", _picture(191, 400), "image/png", "191 × 400"),
        ("notes.png", b"not a picture at all, just words" * 10, "image/png", "notes.png"),
        ("moving.gif", _gif(), "image/gif", "moving.gif"),
        ("huge.png", _picture(200, 200) + b"\0" * (2 * 1024 * 1024), "image/png", "2 MB"),
        ("broken.png", _picture(300, 300)[:60], "image/png", None),
        ("evil.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\0" * 40, "image/webp", None),
    ]
    for filename, data, content_type, shown in cases:
        refused = await _upload(client, filename, data, content_type)
        assert refused.status_code == 422, filename
        assert 'aria-describedby="e-logo"' in refused.text and 'id="e-logo"' in refused.text, filename
        if shown:
            assert shown in refused.text, (filename, refused.text[-2000:])
    assert await _logo_key(tenant) == ""
    # In English as well.
    english = await _upload(client, "small.png", _picture(100, 100), headers={"Accept-Language": "en"})
    assert "The logo is 100 × 100 px; it must be at least 192 × 192 px." in english.text
    nothing = await client.post("/t/qindu/console/logo", headers={"Accept-Language": "en"}, data={
        "_csrf_token": csrf_token((await client.get("/t/qindu/console/logo")).text)})
    assert nothing.status_code == 422 and "Choose a picture for the logo." in nothing.text


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (1, 2, 3)).save(out, "GIF")
    return out.getvalue()


async def test_refusals_are_translated(client, tenant, make_person, sign_in):
    await _admin(client, tenant, make_person, sign_in)
    refused = await _upload(client, "small.png", _picture(100, 100))
    from core.i18n import Message

    expected = translate(Message("The logo is %(width)d × %(height)d px; it must be at least %(side)d × %(side)d px.",
                                 {"width": 100, "height": 100, "side": 192}), "zh-Hans")
    assert expected in refused.text


async def test_a_new_logo_replaces_the_old_and_removing_it_brings_back_the_default(client, tenant, make_person,
                                                                                    sign_in):
    await _admin(client, tenant, make_person, sign_in)
    await _upload(client, "a.png", _picture(256, 256))
    first = await _logo_key(tenant)
    await _upload(client, "b.webp", _picture(300, 300, "WEBP"), "image/webp")
    second = await _logo_key(tenant)
    assert second and second != first
    scope = TenantScope(tenant.id)
    import pytest

    from core.errors import NotFound

    with pytest.raises(NotFound):
        await storage.get(scope, first)
    page = await client.get("/t/qindu/console/logo", headers=PAGE)
    removed = await client.post("/t/qindu/console/logo/remove", headers=PAGE,
                                data={"_csrf_token": csrf_token(page.text)})
    assert removed.status_code == 303 and await _logo_key(tenant) == ""
    with pytest.raises(NotFound):
        await storage.get(scope, second)
    maskable = await client.get("/t/qindu/icons/maskable-192.png")
    with Image.open(io.BytesIO(maskable.content)) as image:
        assert image.getpixel((1, 1)) == THEME


async def test_only_the_districts_admin_changes_its_logo(client, tenant, other_tenant, make_person, sign_in):
    staff = await make_person("李娜", "13900000009")
    await accounts.add_membership(TenantScope(tenant.id), staff.id, ["staff"])
    await sign_in(client, "13900000009", login_path="/t/qindu/login")
    assert (await client.get("/t/qindu/console/logo", headers=PAGE)).status_code == 403
    other_admin = await make_person("杨丽", "13900000002")
    await accounts.add_membership(TenantScope(other_tenant.id), other_admin.id, ["district_admin"])
    await sign_in(client, "13900000002", login_path="/t/weicheng/login")
    page = await client.get("/t/weicheng/console/logo", headers=PAGE)
    assert page.status_code == 200
    refused = await client.post("/t/qindu/console/logo", headers=PAGE, data={"_csrf_token": csrf_token(page.text)},
                                files={"logo": ("a.png", _picture(256, 256), "image/png")})
    assert refused.status_code == 403 and await _logo_key(tenant) == ""


async def test_one_districts_logo_is_never_anothers_icon(client, tenant, other_tenant, make_person, sign_in):
    await _admin(client, tenant, make_person, sign_in)
    await _upload(client, "a.png", _picture(256, 256))
    ours = (await client.get("/t/qindu/icons/192.png")).content
    theirs = (await client.get("/t/weicheng/icons/192.png")).content
    assert ours != theirs
    with Image.open(io.BytesIO(theirs)) as image:
        assert not _near(image.convert("RGBA").getpixel((96, 96))[:3], GREEN)


def test_a_decompression_bomb_is_refused():
    import pytest

    from core.errors import ValidationFailed

    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # small file, 81 million pixels
    with pytest.raises(ValidationFailed) as refused:
        logo.prepare("bomb.png", out.getvalue())
    assert "million pixels" in refused.value.errors["logo"].msgid


def test_a_transparent_logo_keeps_its_transparency_in_the_plain_icons():
    png = logo.prepare("round.png", _picture(300, 300, colour=(0, 0, 0, 0)))
    icon = logo.render("512.png", logo=png, theme_colour="#c8102e", mark="秦")
    with Image.open(io.BytesIO(icon)) as image:
        assert image.mode == "RGBA" and image.getpixel((256, 256))[3] == 0
    maskable = logo.render("maskable-512.png", logo=png, theme_colour="#c8102e", mark="秦")
    with Image.open(io.BytesIO(maskable)) as image:
        assert image.getpixel((256, 256)) == THEME
