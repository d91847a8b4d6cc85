"""A district's logo, and the app icons made from it.

The district admin uploads a PNG, JPEG or WebP of at most 2 MB and at least 192 × 192 px;
it is judged by its bytes and by Pillow actually decoding it, then stored (through the
storage interface, under the district's key) re-encoded as a PNG of at most 1024 px with no
metadata. The icons of the district's web app are made from it on demand: square icons of
192 and 512 px with the whole logo (``purpose: any``), and maskable ones with the logo inside
the safe zone (the centred circle of 80 % of the width) on the theme colour. A district
without a logo gets icons of its theme colour bearing the first character of its name (a
plain mark where the server has no font with that character).

Icons are kept in a small per-process cache keyed by everything they are made from, so a
new logo or colour makes new ones; another process simply makes its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import math
import shutil
import subprocess
from collections import OrderedDict
from functools import cache
from pathlib import Path

from core.config import Settings
from core.errors import ValidationFailed
from core.i18n import Message
from core.storage import store as storage
from core.storage.sniff import JPEG, PNG, WEBP, check_upload
from tenants.resolution import ResolvedTenant
from tenants.tables import Tenant

log = logging.getLogger("gongzhi.tenants")

NAMESPACE = "logo"
FIELD = "logo"
ALLOWED = frozenset({PNG, JPEG, WEBP})
MAX_BYTES = 2 * 1024 * 1024
# What the upload form may carry: a file well over the limit still gets the message next to
# the field, not a bare "too large".
FORM_MAX_BYTES = 8 * 1024 * 1024
MIN_SIDE = 192
STORED_SIDE = 1024
# A file of 2 MB claiming more pixels than this is a decompression bomb.
MAX_PIXELS = 40_000_000
SIZES = (192, 512)
# The maskable safe zone: a centred circle whose radius is 40 % of the icon's width.
SAFE_ZONE_RADIUS = 0.4
DEFAULT_THEME = "#c8102e"
# Raised when the drawing below changes, so browsers fetch the new icons.
ICON_STYLE = "1"
_PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
_CACHE_SIZE = 64
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)


def icon_names() -> dict[str, tuple[int, bool]]:
    """Each icon's file name under ``/t/{slug}/icons/``: (size, maskable)."""
    return {**{f"{size}.png": (size, False) for size in SIZES},
            **{f"maskable-{size}.png": (size, True) for size in SIZES}}


# The upload ---------------------------------------------------------------------------------


def _refused(message: Message) -> ValidationFailed:
    return ValidationFailed({FIELD: message})


def prepare(filename: str, data: bytes) -> bytes:
    """The upload as the PNG to store; ValidationFailed on ``logo`` saying what is wrong
    (type by its bytes, size, not decodable, too small). Blocking: run it off the loop."""
    kind = check_upload(data, filename, allowed=ALLOWED, max_bytes=MAX_BYTES, field=FIELD)
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]]) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise _refused(Message("The logo has more than %(limit)d million pixels.",
                                       {"limit": MAX_PIXELS // 1_000_000}))
            opened.load()
            image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA")
    except ValidationFailed:
        raise
    except Image.DecompressionBombError:
        raise _refused(Message("The logo has more than %(limit)d million pixels.",
                               {"limit": MAX_PIXELS // 1_000_000})) from None
    except Exception:  # whatever a broken or hostile file makes the decoder raise
        raise _refused(Message("The logo could not be read as a picture.")) from None
    if image.width < MIN_SIDE or image.height < MIN_SIDE:
        raise _refused(Message(
            "The logo is %(width)d × %(height)d px; it must be at least %(side)d × %(side)d px.",
            {"width": image.width, "height": image.height, "side": MIN_SIDE}))
    image.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGBA", image.size)  # a fresh image: no metadata travels along
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()


async def save(settings: Settings, tenant: ResolvedTenant, filename: str, data: bytes) -> str:
    """Check and store a new logo for ``tenant`` (the old one is removed); its key."""
    png = await asyncio.to_thread(prepare, filename, data)
    store = storage.store_for(settings)
    key = await storage.put(tenant.scope, NAMESPACE, png, content_type=PNG, filename="logo.png", store=store)
    old = await _current_key(tenant.id)
    await Tenant.update({Tenant.logo_key: key}).where(Tenant.id == tenant.id)
    if old and old != key:
        await _forget(settings, tenant, old)
    return key


async def remove(settings: Settings, tenant: ResolvedTenant) -> None:
    """The district goes back to the default icons."""
    old = await _current_key(tenant.id)
    await Tenant.update({Tenant.logo_key: ""}).where(Tenant.id == tenant.id)
    if old:
        await _forget(settings, tenant, old)


async def _current_key(tenant_id: int) -> str:
    row = await Tenant.select(Tenant.logo_key).where(Tenant.id == tenant_id).first()
    return row["logo_key"] if row else ""


async def _forget(settings: Settings, tenant: ResolvedTenant, key: str) -> None:
    try:
        await storage.delete(tenant.scope, key, store=storage.store_for(settings))
    except Exception:  # the new logo is in place; a file left behind harms nobody
        log.exception("could not remove the old logo %s of district %s", key, tenant.slug)


# The icons ----------------------------------------------------------------------------------


def theme_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a colour (the default theme's when it is not one)."""
    value = colour if isinstance(colour, str) and len(colour) == 7 and colour.startswith("#") else DEFAULT_THEME
    try:
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
    except ValueError:
        return theme_rgb(DEFAULT_THEME)


def mark_of(tenant: ResolvedTenant) -> str:
    """The character a default icon bears: the first of the district's own name (秦 of 秦都区)."""
    name = (tenant.name or tenant.display_name or "?").strip() or "?"
    return name[0].upper()


def icons_version(tenant: ResolvedTenant) -> str:
    """Changes whenever the district's icons do (a new logo, colour or name)."""
    basis = "|".join([ICON_STYLE, tenant.logo_key, tenant.theme_colour or "", mark_of(tenant)])
    return hashlib.sha256(basis.encode()).hexdigest()[:8]


@cache
def _font_path() -> str | None:
    """A font with Chinese characters, when the server has one."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                                   timeout=5).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        if found and Path(found).is_file() and any(hint in found.lower() for hint in ("cjk", "wqy", "droid")):
            return found
    return None


def _contrasting(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """White on dark colours, near-black on light ones."""
    luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return (255, 255, 255) if luminance < 160 else (34, 34, 34)


def _draw_mark(image, mark: str, box: float, colour: tuple[int, int, int]) -> None:
    """``mark`` centred in ``image`` within a centred square of ``box`` × its width."""
    from PIL import ImageDraw, ImageFont

    size = image.width
    draw = ImageDraw.Draw(image)
    path = _font_path() if not mark.isascii() else None
    font = None
    if path:
        try:
            font = ImageFont.truetype(path, int(size * box))
        except OSError:
            font = None
    if font is None and mark.isascii():
        try:
            font = ImageFont.load_default(int(size * box))
        except (TypeError, AttributeError, OSError):
            font = None
    if font is not None:
        draw.text((size / 2, size / 2), mark, font=font, fill=colour, anchor="mm")
        return
    # No font with the character: a plain house, the same for every district.
    half = size * box / 2
    centre = size / 2
    roof = [(centre - half, centre - half * 0.05), (centre, centre - half), (centre + half, centre - half * 0.05)]
    draw.polygon(roof, fill=colour)
    draw.rectangle([centre - half * 0.7, centre - half * 0.05, centre + half * 0.7, centre + half * 0.9], fill=colour)


def _from_logo(logo: bytes, size: int, maskable: bool, theme: tuple[int, int, int]):
    from PIL import Image

    with Image.open(io.BytesIO(logo), formats=["PNG"]) as opened:
        source = opened.convert("RGBA")
    if maskable:
        canvas = Image.new("RGBA", (size, size), (*theme, 255))
        # The whole logo inside the safe zone's circle: half its diagonal at most the radius
        # (less 2 % so that rounding never pushes a pixel out).
        radius = SAFE_ZONE_RADIUS * size * 0.98
        scale = radius / (math.hypot(source.width, source.height) / 2)
    else:
        canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        scale = size / max(source.width, source.height)
    width, height = max(1, int(source.width * scale)), max(1, int(source.height * scale))
    resized = source.resize((width, height), Image.Resampling.LANCZOS)
    canvas.alpha_composite(resized, ((size - width) // 2, (size - height) // 2))
    return canvas


def _default(mark: str, size: int, maskable: bool, theme: tuple[int, int, int]):
    from PIL import Image, ImageDraw

    if maskable:
        canvas = Image.new("RGBA", (size, size), (*theme, 255))
        box = 0.5  # a square of half the width lies inside the safe zone's circle
    else:
        canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(canvas).rounded_rectangle([0, 0, size - 1, size - 1], radius=int(size * 0.18),
                                                 fill=(*theme, 255))
        box = 0.6
    _draw_mark(canvas, mark, box, _contrasting(theme))
    return canvas


def render(name: str, *, logo: bytes | None, theme_colour: str, mark: str) -> bytes:
    """The PNG of icon ``name`` (see :func:`icon_names`). Blocking."""
    size, maskable = icon_names()[name]
    theme = theme_rgb(theme_colour)
    image = _from_logo(logo, size, maskable, theme) if logo else _default(mark, size, maskable, theme)
    if maskable:
        image = image.convert("RGB")  # a maskable icon is opaque to its edges
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


_made: OrderedDict[tuple, bytes] = OrderedDict()


async def icon(settings: Settings, tenant: ResolvedTenant, name: str) -> bytes:
    """The PNG of the district's icon ``name`` (KeyError for a name that is no icon)."""
    if name not in icon_names():
        raise KeyError(name)
    key = (tenant.id, name, icons_version(tenant))
    if key in _made:
        _made.move_to_end(key)
        return _made[key]
    logo = None
    if tenant.logo_key:
        try:
            logo = (await storage.get(tenant.scope, tenant.logo_key, store=storage.store_for(settings))).data
        except Exception:  # a lost logo file: the default icons rather than none
            log.exception("the logo %s of district %s could not be read", tenant.logo_key, tenant.slug)
    png = await asyncio.to_thread(render, name, logo=logo, theme_colour=tenant.theme_colour, mark=mark_of(tenant))
    if logo is not None or not tenant.logo_key:  # a failed read is tried again next time
        _made[key] = png
        while len(_made) > _CACHE_SIZE:
            _made.popitem(last=False)
    return png
