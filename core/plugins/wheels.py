"""``gongzhi plugin build``: a plugin package's wheel, the file a publisher uploads, and its
sha256, by which the platform knows exactly that file from then on.

pip builds it in an isolated environment with the build requirements the package declares
(``setuptools>=68`` in a scaffolded one), not with whatever this environment has installed:
the wheel is the same wherever it is built, and building installs nothing here.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_CREATED = re.compile(r"filename=(\S+\.whl)")


class BuildError(Exception):
    """A package that could not be built; the message says why."""


@dataclass(frozen=True)
class Wheel:
    path: Path
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build(package: Path, out: Path | None = None) -> Wheel:
    """Build the wheel of the package in ``package`` into ``out`` (default ``package/dist``)."""
    package = package.resolve()
    if not (package / "pyproject.toml").is_file():
        raise BuildError(f"{package} has no pyproject.toml: give the folder of a plugin package "
                         "(`gongzhi plugin new` makes one)")
    out = (out or package / "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                             "-w", str(out), str(package)], capture_output=True, text=True)
    created = _CREATED.findall(result.stdout)
    if result.returncode != 0 or not created:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise BuildError(f"pip could not build {package}:\n" + "\n".join(output[-20:]))
    path = out / created[-1]
    return Wheel(path, sha256_of(path))
