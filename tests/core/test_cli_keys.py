"""``gongzhi keys`` and ``gongzhi retention``, run as an operator runs them: the four steps of a
master key rotation, and a district's retention of a kind."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.core.test_cli import run

pytestmark = pytest.mark.sqlite


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env["GONGZHI_VAR_DIR"] = str(tmp_path / "var")
    env["LANG"] = "en_US.UTF-8"
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


def _ids(status: str) -> dict[str, tuple[str, int]]:
    return {m[0]: (m[1], int(m[2])) for m in re.findall(r"^(\w+)\s+(current|in the file)\s+(\d+) district keys$",
                                                        status, re.M)}


def test_a_rotation_in_four_steps(cli_env):
    assert run(["migrate"], cli_env).returncode == 0
    demo = run(["demo"], cli_env, timeout=180)
    assert demo.returncode == 0, demo.stderr
    before = _ids(run(["keys", "status"], cli_env).stdout)
    (old_id, (state, wrapped)), = before.items()
    assert state == "current" and wrapped >= 1

    added = run(["keys", "add"], cli_env)
    assert added.returncode == 0, added.stderr
    new_id = re.search(r"Added master key (\w+)", added.stdout)[1]
    assert run(["keys", "retire", old_id], cli_env).returncode == 1  # still current
    assert run(["keys", "use", new_id], cli_env).returncode == 0
    refused = run(["keys", "retire", old_id], cli_env)
    assert refused.returncode == 1 and "run the rotation first" in refused.stderr

    partly = run(["keys", "rotate", "--limit", "1"], cli_env)
    assert "1 district keys wrapped again" in partly.stdout
    assert ("run it again" in partly.stdout) == (wrapped > 1)
    finished = run(["keys", "rotate"], cli_env)
    assert finished.returncode == 0, finished.stderr
    assert _ids(run(["keys", "status"], cli_env).stdout) == {new_id: ("current", wrapped), old_id: ("in the file", 0)}
    assert run(["keys", "retire", old_id], cli_env).returncode == 0
    assert _ids(run(["keys", "status"], cli_env).stdout) == {new_id: ("current", wrapped)}
    # The nightly retention job runs from the command line (nothing is old enough to erase yet).
    erasing = run(["job", "run", "sensitive_data_erase", "--district", "qindu"], cli_env)
    assert erasing.returncode == 0 and "{}" in erasing.stdout, erasing.stderr


def test_retention_per_district(cli_env):
    assert run(["migrate"], cli_env).returncode == 0
    assert run(["tenant", "create", "--slug", "liquan", "--name", "礼泉县", "--division-code", "610425",
                "--active"], cli_env).returncode == 0
    assert re.search(r"^feedback_private\s+1095 \(default\)$", run(["retention", "show", "liquan"], cli_env).stdout,
                     re.M)
    assert run(["retention", "set", "liquan", "feedback_private", "30"], cli_env).returncode == 0
    assert re.search(r"^feedback_private\s+30 $", run(["retention", "show", "liquan"], cli_env).stdout, re.M)
    unknown = run(["retention", "set", "liquan", "no_such_kind", "30"], cli_env)
    assert unknown.returncode == 1
