"""Wheels of the example plugin (``parking``) for the marketplace's tests, zipped in wheel
layout: no build, so quick enough for the many refusals."""

from __future__ import annotations

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


def wheel(folder: Path, *, entry_point: bool = True) -> bytes:
    """The bytes of a wheel of the project at ``folder``, laid out as setuptools lays one out."""
    info = "gongzhi_parking-1.0.0.dist-info"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((folder / PACKAGE).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
        archive.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: gongzhi-parking\nVersion: 1.0.0\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        if entry_point:
            archive.writestr(f"{info}/entry_points.txt", "[gongzhi.plugins]\nparking = gongzhi_parking.plugin\n")
        archive.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()


def good(tmp_path: Path, version: str = "1.0.0") -> bytes:
    return wheel(project(tmp_path, version))
