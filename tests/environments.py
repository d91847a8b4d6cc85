"""A throwaway virtual environment for tests that install plugins: it sees this environment's
packages (Gongzhi, pip and the rest) beneath its own, so what is installed into it stays in it
and the test run's own environment never changes."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path


def throwaway_environment(folder: Path) -> Path:
    """Make the environment in ``folder``; returns its Python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    Path(own, "gongzhi_underneath.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n", encoding="utf-8")
    return python
