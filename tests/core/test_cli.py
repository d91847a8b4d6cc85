"""The ``gongzhi`` command, run as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GONGZHI = [sys.executable, "-m", "core.cli"]


def run(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(GONGZHI + args, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env["GONGZHI_VAR_DIR"] = str(tmp_path / "var")
    env["LANG"] = "en_US.UTF-8"
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


@pytest.mark.sqlite
def test_serve_refuses_an_unmigrated_database_and_names_the_command(cli_env):
    result = run(["serve", "--port", "1"], cli_env)
    assert result.returncode == 1
    assert "gongzhi migrate" in result.stderr


@pytest.mark.sqlite
def test_serve_refuses_several_workers_on_sqlite(cli_env):
    result = run(["serve", "--workers", "2"], cli_env)
    assert result.returncode == 1
    assert "SQLite takes one process" in result.stderr


@pytest.mark.sqlite
def test_migrate_reports_progress_and_is_idempotent(cli_env):
    first = run(["migrate"], cli_env)
    assert first.returncode == 0, first.stderr
    assert "Applying" in first.stdout and "[1/" in first.stdout
    assert (Path(cli_env["GONGZHI_VAR_DIR"]) / "gongzhi.sqlite3").exists()
    second = run(["migrate"], cli_env)
    assert second.returncode == 0
    assert "up to date" in second.stdout


@pytest.mark.sqlite
def test_tenant_commands(cli_env):
    assert run(["migrate"], cli_env).returncode == 0
    created = run(["tenant", "create", "--slug", "liquan", "--name", "礼泉县", "--division-code", "610425"], cli_env)
    assert created.returncode == 0, created.stderr
    assert "咸阳市礼泉县" in created.stdout and "pending" in created.stdout

    duplicate = run(["tenant", "create", "--slug", "liquan", "--name", "礼泉县", "--division-code", "610425"], cli_env)
    assert duplicate.returncode == 1
    assert "already taken" in duplicate.stderr

    in_chinese = run(["tenant", "create", "--slug", "liquan", "--name", "礼泉县", "--division-code", "610425"],
                     {**cli_env, "LANG": "zh_CN.UTF-8"})
    assert "这个网址已被使用" in in_chinese.stderr

    bad = run(["tenant", "create", "--slug", "Li Quan", "--name", "礼泉县", "--division-code", "６１０４２５"], cli_env)
    assert bad.returncode == 1
    assert "slug:" in bad.stderr and "division_code:" in bad.stderr

    assert "pending" in run(["tenant", "list"], cli_env).stdout
    no_reason = run(["tenant", "reject", "liquan"], cli_env)
    assert no_reason.returncode != 0
    assert run(["tenant", "approve", "liquan"], cli_env).returncode == 0
    suspended = run(["tenant", "suspend", "liquan", "--reason", "系统迁移"], cli_env)
    assert "suspended" in suspended.stdout
    listing = run(["tenant", "list", "--status", "suspended"], cli_env).stdout
    assert "liquan" in listing and "系统迁移" in listing
    assert run(["tenant", "resume", "liquan"], cli_env).returncode == 0
    again = run(["tenant", "resume", "liquan"], cli_env)
    assert again.returncode == 1 and "cannot be changed" in again.stderr


@pytest.mark.sqlite
def test_demo_is_idempotent(cli_env):
    assert run(["migrate"], cli_env).returncode == 0
    first = run(["demo"], cli_env)
    assert first.returncode == 0, first.stderr
    assert "秦都区" in first.stdout and "渭城区" in first.stdout
    assert "feedback items: 4 new" in first.stdout and "feedback items: 1 new" in first.stdout
    second = run(["demo"], cli_env)
    assert second.returncode == 0
    assert "0 new" in second.stdout and " new" in second.stdout
    assert "feedback items: 4 new" not in second.stdout
    listing = run(["tenant", "list", "--status", "active"], cli_env).stdout
    assert "qindu" in listing and "weicheng" in listing


@pytest.mark.postgres
async def test_migrate_sets_up_row_level_security_for_the_app_role(cli_env):
    import secrets

    import asyncpg

    from tests.services import TEST_APP_ROLE, TEST_OWNER_ROLE, admin_database_url, database_url_as

    name = f"gongzhi_cli_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_database_url())
    await admin.execute(f'CREATE DATABASE "{name}" OWNER "{TEST_OWNER_ROLE}"')
    await admin.close()
    env = {**cli_env, "GONGZHI_DATABASE_URL": database_url_as(TEST_APP_ROLE, name),
           "GONGZHI_DATABASE_OWNER_URL": database_url_as(TEST_OWNER_ROLE, name)}
    try:
        first = run(["migrate"], env)
        assert first.returncode == 0, first.stderr
        assert "Row Level Security:" in first.stdout and TEST_APP_ROLE in first.stdout
        again = run(["migrate"], env)  # idempotent
        assert again.returncode == 0 and "Row Level Security:" in again.stdout
        assert run(["demo"], env).returncode == 0  # the app role can write through its scope
        app = await asyncpg.connect(database_url_as(TEST_APP_ROLE, name))
        assert await app.fetchval("SELECT count(*) FROM tenants_street") == 0  # no tenant set: nothing
        async with app.transaction():
            await app.execute("SELECT gongzhi_set_tenant(1)")
            assert await app.fetchval("SELECT count(*) FROM tenants_street") > 0
        await app.close()
    finally:
        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.mark.sqlite
def test_plugin_commands(cli_env):
    """The example plugin (installed by make test like any third party's) is listed, and
    enabled and disabled in a district from the command line; its demo data follows."""
    assert run(["migrate"], cli_env).returncode == 0
    listed = run(["plugin", "list"], cli_env)
    assert listed.returncode == 0, listed.stderr
    assert "parking" in listed.stdout and "Community parking" in listed.stdout
    assert run(["tenant", "create", "--slug", "liquan", "--name", "礼泉县", "--division-code", "610425",
                "--active"], cli_env).returncode == 0
    enabled = run(["plugin", "enable", "liquan", "parking"], cli_env)
    assert enabled.returncode == 0, enabled.stderr
    assert "parking is enabled in 咸阳市礼泉县 (liquan)" in enabled.stdout
    assert run(["plugin", "disable", "liquan", "parking"], cli_env).returncode == 0
    unknown = run(["plugin", "enable", "liquan", "no_such_plugin"], cli_env)
    assert unknown.returncode == 1 and "no such plugin" in unknown.stderr
    nowhere = run(["plugin", "enable", "nowhere", "parking"], cli_env)
    assert nowhere.returncode == 1 and "no district" in nowhere.stderr
    assert "plugin parking" not in run(["demo"], cli_env).stdout
    assert run(["plugin", "enable", "qindu", "parking"], cli_env).returncode == 0
    again = run(["demo"], cli_env)
    assert again.returncode == 0 and again.stdout.count("plugin parking: demo data") == 1
