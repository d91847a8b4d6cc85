"""Fixtures for the whole suite.

The suite runs once per database engine (Piccolo binds tables to one engine per process):
``GONGZHI_TEST_DB=sqlite`` (the default) or ``GONGZHI_TEST_DB=postgres``. Each run gets a
fresh database (a new SQLite file, or a new PostgreSQL database created on the server that
``GONGZHI_TEST_DATABASE_URL`` names) and its own var/ folder. Tests that need a service
that is not reachable are skipped loudly; with CI=true a skip fails the run.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
from pathlib import Path

import pytest

from tests.services import (
    IN_CI,
    TEST_APP_ROLE,
    TEST_DB,
    TEST_OWNER_ROLE,
    admin_database_url,
    database_url_as,
    database_url_named,
    postgres_reachable,
    redis_reachable,
    redis_url,
)

_VAR_DIR = Path(tempfile.mkdtemp(prefix="gongzhi-test-var-"))
_PG_NAME = f"gongzhi_test_{os.getpid()}_{secrets.token_hex(3)}"

os.environ.pop("GONGZHI_REDIS_URL", None)
os.environ.pop("GONGZHI_DATABASE_OWNER_URL", None)
if TEST_DB == "postgres":
    # The production shape: the app connects as a role that owns nothing.
    os.environ["GONGZHI_DATABASE_URL"] = database_url_as(TEST_APP_ROLE, _PG_NAME)
    os.environ["GONGZHI_DATABASE_OWNER_URL"] = database_url_as(TEST_OWNER_ROLE, _PG_NAME)
else:
    os.environ["GONGZHI_DATABASE_URL"] = f"sqlite:///{_VAR_DIR / 'test.sqlite3'}"
os.environ["GONGZHI_VAR_DIR"] = str(_VAR_DIR)
os.environ["GONGZHI_TEST_MODE"] = "1"


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """argon2id with the least work while the suite runs. At production strength a hash and a
    check take about 0.1 s each, and the suite makes and checks thousands; what is tested is
    which hash is checked and when, not how hard it is to compute. (A hash records its own
    parameters, so both kinds are checked alike.)"""
    from argon2 import PasswordHasher

    from core.accounts import passwords

    kept = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("gongzhi-no-such-account")
    yield
    passwords._hasher, passwords._DUMMY_HASH = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"gongzhi: database engine {TEST_DB}, var dir {_VAR_DIR}, CI={IN_CI}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Engine-specific tests belong to their engine's pass; in the other pass they are left
    # out (deselected), not skipped.
    other = "sqlite" if TEST_DB == "postgres" else "postgres"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    import sys

    cross_tenant = sys.modules.get("tests.test_cross_tenant")
    if cross_tenant is not None and cross_tenant.SUMMARY["cases"]:
        summary = cross_tenant.SUMMARY
        terminalreporter.write_line(
            f"cross-tenant: {summary['routes']} routes, {summary['cases']} cases, "
            f"{summary['exemptions']} exemptions")
    bad_input = sys.modules.get("tests.test_bad_input")
    if bad_input is not None and bad_input.SUMMARY["posts"]:
        summary = bad_input.SUMMARY
        terminalreporter.write_line(
            f"bad input: {summary['pages']} pages, {summary['forms']} forms, {summary['fields']} fields, "
            f"{summary['posts']} posts, {summary['exemptions']} exemptions")
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} TEST(S) SKIPPED", red=True, bold=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            terminalreporter.write_line(f"SKIPPED {report.nodeid}: {reason}", red=True)
        if IN_CI:
            terminalreporter.write_line("CI=true: nothing may be skipped; failing the run.", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture(scope="session")
async def database():
    """A fresh, migrated database for this run."""
    from core import db, migrate

    if TEST_DB == "postgres":
        if not await postgres_reachable():
            message = f"PostgreSQL is not reachable at {admin_database_url()}"
            if IN_CI:
                pytest.exit(message, returncode=1)
            pytest.skip(message)
        import asyncpg

        admin = await asyncpg.connect(admin_database_url())
        for role, options in ((TEST_OWNER_ROLE, "LOGIN NOSUPERUSER"),
                              (TEST_APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")):
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                try:
                    await admin.execute(f'CREATE ROLE "{role}" {options}')
                except asyncpg.DuplicateObjectError:  # another run made it meanwhile
                    pass
        await admin.execute(f'CREATE DATABASE "{_PG_NAME}" OWNER "{TEST_OWNER_ROLE}"')
        await admin.close()
        from core import rls

        settings_urls = (os.environ["GONGZHI_DATABASE_URL"], os.environ["GONGZHI_DATABASE_OWNER_URL"])
        db.configure(settings_urls[1])
        await db.start()
        await migrate.apply(lambda line: None)
        await rls.apply(*settings_urls, report=lambda line: None)
        await db.stop()
        db.configure(settings_urls[0])
        await db.start()
    else:
        await db.start()
        await migrate.apply(lambda line: None)
    yield
    await db.stop()
    if TEST_DB == "postgres":
        import asyncpg

        admin = await asyncpg.connect(admin_database_url())
        await admin.execute(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest):
    """Every test starts with empty tables (and the real clock)."""
    from core import clock

    yield
    clock.reset()
    from core.jobs import queue

    queue.use(None)  # queued jobs are forgotten with the test, as by a restart
    from core.plugins import enablement

    enablement.forget_cache()  # ids and revisions start again with the emptied tables
    if "database" not in request.fixturenames:
        return
    from core import db
    from core.testing.fixtures import empty_tables

    await empty_tables(None if db.is_sqlite() else database_url_named(_PG_NAME))


@pytest.fixture
async def app(database):
    from core.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env())


@pytest.fixture
async def client(app):
    from tests.http import http_client

    async with http_client(app) as test_client:
        yield test_client


async def _make_tenant(slug: str, name: str, code: str, status: str = "active"):
    from tenants import services
    from tenants.tables import TenantStatus

    draft = services.clean_tenant({"slug": slug, "name": name, "division_code": code})
    return await services.create_tenant(draft, status=TenantStatus(status))


@pytest.fixture
async def tenant(database):
    """An active district: 咸阳市秦都区 at /t/qindu/."""
    return await _make_tenant("qindu", "秦都区", "610402")


@pytest.fixture
async def other_tenant(database):
    """A second active district: 咸阳市渭城区 at /t/weicheng/."""
    return await _make_tenant("weicheng", "渭城区", "610404")


@pytest.fixture
def make_tenant(database):
    return _make_tenant


@pytest.fixture
async def redis(database):
    """The URL of a reachable Redis (skipped loudly, or failed in CI, when there is none)."""
    url = redis_url()
    if not await redis_reachable(url):
        message = f"Redis is not reachable at {url}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port: (controller, handler with .messages)."""
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    class Collect(MessageHandler):
        def __init__(self) -> None:
            super().__init__()
            self.messages = []

        def handle_message(self, message) -> None:
            self.messages.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def jobs(database):
    """The in-process job runner, installed for this test (``await jobs.run_due()`` runs what is due)."""
    from core.config import Settings
    from core.jobs import queue
    from core.jobs.in_process import InProcessRunner

    runner = InProcessRunner(Settings.from_env())
    queue.use(runner)
    return runner


__all__ = ["asyncio"]


PASSWORD = "correct horse battery"


@pytest.fixture
def make_person(database):
    async def make(name: str = "王芳", phone: str = "13800000001", password: str = PASSWORD, *,
                   platform_roles: tuple[str, ...] = ()):
        from core.accounts import services

        person = await services.create_person(name, services.Identifier("phone", phone), password)
        for role in platform_roles:
            await services.grant_platform_role(person.id, role)
        return person

    return make


@pytest.fixture
async def platform_admin(make_person):
    return await make_person("周立平", "13900000000", platform_roles=("platform_admin",))


@pytest.fixture
def sign_in():
    """Sign ``client`` in through the log-in form, as a browser would."""
    from tests.http import post_form

    async def sign(client, phone: str, password: str = PASSWORD, login_path: str = "/login"):
        response = await post_form(client, login_path, {"identifier": phone, "password": password})
        assert response.status_code == 303, response.text
        return response

    return sign
