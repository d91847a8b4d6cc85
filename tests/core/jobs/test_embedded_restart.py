"""The embedded runner in a real `gongzhi serve` (SQLite, no Redis), killed while a fan-out
job waits to write: restarted, its first sweep finds the fan-out and finishes it, once."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

pytestmark = [pytest.mark.sqlite, pytest.mark.slow]

PEOPLE = 5000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(path, tenant_id: int) -> int:
    """PEOPLE residents of the district and a notification to them all; returns its id."""
    now = datetime.now(timezone.utc).isoformat(sep=" ")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO accounts_person (display_name, phone, email, password_hash, language, elderly_mode, "
            "totp_secret, totp_enabled_at, totp_last_step, created_at) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "SELECT '居民' || i, '175' || substr('00000000' || i, -8), NULL, NULL, '', 0, NULL, NULL, 0, ? FROM n",
            (PEOPLE, now))
        db.execute("INSERT INTO accounts_membership (tenant_id, person, unit_kind, unit_id, created_at) "
                   "SELECT ?, id, '', NULL, ? FROM accounts_person WHERE phone LIKE '175%'", (tenant_id, now))
        db.execute("INSERT INTO accounts_membership_role (tenant_id, membership, role) "
                   "SELECT ?, m.id, 'resident' FROM accounts_membership m JOIN accounts_person p ON p.id = m.person "
                   "WHERE p.phone LIKE '175%' AND m.tenant_id = ?", (tenant_id, tenant_id))
        cursor = db.execute(
            "INSERT INTO core_notification (tenant_id, kind, title, body, link, urgent, audience, source_event_id, "
            "created_at, fan_out_cursor, progress_at, fanned_out_at, recipients) "
            "VALUES (?, 'test', ?, '', '/t/qindu/', 0, ?, NULL, ?, 0, ?, NULL, 0)",
            (tenant_id, json.dumps({"msgid": "Messages", "params": {}}),
             json.dumps({"members": {"roles": ["resident"], "unit_kind": "", "unit_id": None}}), now, now))
        return cursor.lastrowid


def _count(path, sql, *args):
    with sqlite3.connect(path, timeout=30) as db:
        return db.execute(sql, args).fetchone()[0]


def _wait(predicate, seconds, what, log):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def test_an_embedded_server_killed_mid_job_finishes_it_once_after_restart(tmp_path):
    path = tmp_path / "gongzhi.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
    env.update(GONGZHI_DATABASE_URL=f"sqlite:///{path}", GONGZHI_VAR_DIR=str(tmp_path), LANG="en_US.UTF-8")
    gongzhi = [sys.executable, "-m", "core.cli"]
    subprocess.run(gongzhi + ["migrate"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run(gongzhi + ["tenant", "create", "--slug", "qindu", "--name", "秦都区", "--division-code", "610402",
                              "--active"], env=env, check=True, capture_output=True, timeout=60)
    tenant_id = _count(path, "SELECT id FROM tenants_tenant WHERE slug = 'qindu'")
    notification = _seed(path, tenant_id)
    log = tmp_path / "serve.log"

    def serve():
        return subprocess.Popen(gongzhi + ["serve", "--port", str(_free_port())], env=env, stdout=log.open("a"),
                                stderr=subprocess.STDOUT)

    # Another writer holds the database: the server's fan-out job, picked up by its first
    # sweep, waits on it (SQLite's busy timeout) in the middle of its run.
    blocker = sqlite3.connect(path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    server = serve()
    try:
        _wait(lambda: "notifications queued 1 job(s) again" in log.read_text(), 30, "the startup sweep", log)
        time.sleep(1)  # the job is now waiting for the write lock
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        blocker.execute("ROLLBACK")
        blocker.close()
        assert _count(path, "SELECT count(*) FROM core_inbox_entry WHERE notification = ?", notification) == 0
        server = serve()
        _wait(lambda: _count(path, "SELECT fanned_out_at IS NOT NULL FROM core_notification WHERE id = ?",
                             notification), 60, "the fan-out to finish", log)
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert _count(path, "SELECT count(*) FROM core_inbox_entry WHERE notification = ?", notification) == PEOPLE
    assert _count(path, "SELECT count(DISTINCT person) FROM core_inbox_entry WHERE notification = ?",
                  notification) == PEOPLE
    assert _count(path, "SELECT recipients FROM core_notification WHERE id = ?", notification) == PEOPLE
