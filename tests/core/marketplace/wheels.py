"""Wheels of the example plugin (``parking``) for the marketplace's tests, zipped in wheel
layout: no build, so quick enough for the many refusals."""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs" / "examples" / "gongzhi-parking"
PACKAGE = "gongzhi_parking"
MANIFEST = f"{PACKAGE}/manifest.toml"

def project(tmp_path: Path, version: str = "1.0.0") -> Path:
    """A copy of the example project at ``version``."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "gongzhi-parking"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "tests", "build"))
    if version != "1.0.0":
        edit(folder / MANIFEST, 'version = "1.0.0"', f'version = "{version}"')
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def wheel(folder: Path, *, entry_point: bool = True, package: str = PACKAGE, version: str = "1.0.0",
          requires: tuple[str, ...] = ("gongzhi",)) -> bytes:
    """The bytes of a wheel of the project at ``folder``, laid out as setuptools lays one out
    (with its RECORD, so that pip installs it)."""
    plugin = package.removeprefix("gongzhi_")
    distribution = "gongzhi-" + plugin.replace("_", "-")
    info = f"{package}-{version}.dist-info"
    files = {path.relative_to(folder).as_posix(): path.read_bytes()
             for path in sorted((folder / package).rglob("*")) if path.is_file() and "__pycache__" not in path.parts}
    files[f"{info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n"
                                 + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_point:
        files[f"{info}/entry_points.txt"] = f"[gongzhi.plugins]\n{plugin} = {package}.plugin\n".encode()
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in files.items())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")
    return buffer.getvalue()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def good(tmp_path: Path, version: str = "1.0.0") -> bytes:
    return wheel(project(tmp_path, version))
