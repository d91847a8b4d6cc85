"""Pytest fixtures for plugin authors: a fresh database, two districts, people, the plugin
enabled, the test clock and the job runner.

Installing Gongzhi registers this module with pytest (entry point ``pytest11``), so a
plugin's tests use the fixtures by naming them::

    async def test_a_resident_opens_the_page(gongzhi_client, gongzhi_district, gongzhi_resident,
                                             gongzhi_sign_in, gongzhi_plugin_enabled):
        await gongzhi_plugin_enabled("parking", gongzhi_district)
        await gongzhi_sign_in(gongzhi_client, gongzhi_resident)
        page = await gongzhi_client.get(f"/t/{gongzhi_district.slug}/p/parking/")
        assert page.status_code == 200

The plugin must be installed (``pip install -e .``): the fixtures load it through its entry
point like the platform does. The fixtures are async and share one event loop with the
database's connections, so the plugin's pytest configuration says::

    [tool.pytest.ini_options]
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "session"
    asyncio_default_test_loop_scope = "session"

The fixtures:

* ``gongzhi_database`` (session): a fresh, migrated database with the plugin's tables: SQLite
  in a temporary folder, or with ``GONGZHI_TEST_DB=postgres`` a new PostgreSQL database on
  the server ``GONGZHI_TEST_DATABASE_URL`` names (default
  ``postgresql://postgres@127.0.0.1:5432/postgres``, a role that may create databases and
  roles), used as the production shape: an app role that owns nothing, under Row Level
  Security. Every test that uses it starts with empty tables and the real clock.
* ``gongzhi_app``, ``gongzhi_client``: the app, and an ``httpx.AsyncClient`` calling it.
* ``gongzhi_district`` (``qindu``) and ``gongzhi_other_district`` (``weicheng``): active
  districts, each with a street and two communities (``district.communities``).
* ``gongzhi_resident`` (a resident of the first community of ``qindu``), ``gongzhi_staff``
  (district admin and staff of ``qindu``), and ``gongzhi_make_person`` to make others; each
  person has ``id``, ``name``, ``phone``, ``password`` and their district's ``slug``.
* ``gongzhi_sign_in(client, person)``: signs the client in through the district's log-in form.
* ``gongzhi_plugin_enabled(name, district, enabled=True)``: enables (or disables) an installed
  plugin in a district, as its admin would in the console.
* ``gongzhi_clock``: the platform's clock (``set_now``, ``advance``, ``now``), real again after the test.
* ``gongzhi_jobs``: the in-process job runner; ``await gongzhi_jobs.run_due()`` runs what is due,
  scheduled jobs included.

Nothing of Gongzhi is imported until a fixture runs: the settings are read from the
environment the database fixture sets.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PASSWORD = "gongzhi plugin test"
# PostgreSQL: the migrations run as the owner; the app connects as a role that owns nothing
# (the same roles as Gongzhi's own suite: made once per server).
OWNER_ROLE = "gongzhi_test_owner"
APP_ROLE = "gongzhi_test_app"


def _fixture(**options: Any):
    """An async fixture on the session's event loop, where the database's connections live."""
    try:
        import pytest_asyncio
    except ImportError:  # Gongzhi without its test extra: pytest still starts, these fixtures need it
        return pytest.fixture(**options)
    return pytest_asyncio.fixture(loop_scope="session", **options)


# Where the database is ---------------------------------------------------------------------


def _engine() -> str:
    return os.environ.get("GONGZHI_TEST_DB", "sqlite")


def _admin_url() -> str:
    return os.environ.get("GONGZHI_TEST_DATABASE_OWNER_URL") or os.environ.get(
        "GONGZHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _url(database: str, user: str | None = None) -> str:
    """The admin URL for another database (and, with ``user``, as another role)."""
    from urllib.parse import urlparse, urlunparse

    parsed = urlparse(_admin_url())
    parsed = parsed._replace(path=f"/{database}")
    if user is not None:
        netloc = f"{user}@{parsed.hostname or '127.0.0.1'}" + (f":{parsed.port}" if parsed.port else "")
        parsed = parsed._replace(netloc=netloc)
    return urlunparse(parsed)


@dataclass(frozen=True)
class GongzhiDatabase:
    engine: str  # "sqlite" or "postgres"
    url: str  # what the app connects with
    var_dir: Path
    name: str = ""  # the PostgreSQL database's name


async def _create_postgres(name: str) -> None:
    import asyncpg

    try:
        admin = await asyncpg.connect(_admin_url(), timeout=5)
    except Exception as error:
        pytest.fail(f"GONGZHI_TEST_DB=postgres, but PostgreSQL is not reachable at {_admin_url()}: {error}")
    try:
        for role, options in ((OWNER_ROLE, "LOGIN NOSUPERUSER"),
                              (APP_ROLE, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")):
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                try:
                    await admin.execute(f'CREATE ROLE "{role}" {options}')
                except asyncpg.DuplicateObjectError:  # another run made it meanwhile
                    pass
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
    finally:
        await admin.close()


@_fixture(scope="session")
async def gongzhi_database():
    """A fresh, migrated database for this run (see the module's docstring)."""
    var_dir = Path(tempfile.mkdtemp(prefix="gongzhi-plugin-test-"))
    name = f"gongzhi_plugin_test_{os.getpid()}_{secrets.token_hex(3)}"
    for variable in ("GONGZHI_REDIS_URL", "GONGZHI_DATABASE_OWNER_URL"):
        os.environ.pop(variable, None)
    os.environ["GONGZHI_TEST_MODE"] = "1"
    os.environ["GONGZHI_VAR_DIR"] = str(var_dir)
    if _engine() == "postgres":
        await _create_postgres(name)
        app_url, owner_url = _url(name, APP_ROLE), _url(name, OWNER_ROLE)
        os.environ["GONGZHI_DATABASE_URL"] = app_url
        os.environ["GONGZHI_DATABASE_OWNER_URL"] = owner_url
        from core import db, migrate, rls

        db.configure(owner_url)
        await db.start()
        await migrate.apply(lambda line: None)
        await rls.apply(app_url, owner_url, report=lambda line: None)
        await db.stop()
        db.configure(app_url)
        await db.start()
        database = GongzhiDatabase("postgres", app_url, var_dir, name)
    else:
        url = f"sqlite:///{var_dir / 'test.sqlite3'}"
        os.environ["GONGZHI_DATABASE_URL"] = url
        from core import db, migrate

        db.configure(url)
        await db.start()
        await migrate.apply(lambda line: None)
        database = GongzhiDatabase("sqlite", url, var_dir)
    yield database
    await db.stop()
    if database.engine == "postgres":
        import asyncpg

        admin = await asyncpg.connect(_admin_url())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def empty_tables(postgres_admin_url: str | None) -> None:
    """Empty every table (core's and every plugin's) between tests: on SQLite through the app's
    engine, on PostgreSQL as the server's admin at ``postgres_admin_url``. Shared with
    Gongzhi's own suite."""
    from core import db

    tables = db.all_tables()
    names = [table._meta.tablename for table in tables]
    if postgres_admin_url is None:
        # The audit log's triggers refuse deletes: lift them for the clean-up, then restore.
        triggers = await tables[0].raw(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_audit_entry'")
        async with db.transaction(write=True):
            for trigger in triggers:
                await tables[0].raw(f'DROP TRIGGER "{trigger["name"]}"')
            for name in reversed(names):
                await tables[0].raw(f'DELETE FROM "{name}"')
            for trigger in triggers:
                await tables[0].raw(trigger["sql"])
        return
    # The app's role may not delete everywhere (nor touch the audit log): the server's admin
    # does, with triggers (the foreign keys' among them) off. DELETE, not TRUNCATE: a test
    # leaves a few rows in a few tables, and TRUNCATE makes new files for every table and
    # index it names, about half a second a test; the sequences start again as TRUNCATE's
    # RESTART IDENTITY would have them.
    import asyncpg

    admin = await asyncpg.connect(postgres_admin_url)
    try:
        sequences = await admin.fetch(  # those owned by the tables' columns (serial or identity)
            "SELECT DISTINCT quote_ident(s.relname) AS name FROM pg_class s"
            " JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid"
            " WHERE s.relkind = 'S' AND t.relname = ANY($1::text[])", names)
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM "{name}"' for name in names]
        statements += [f"ALTER SEQUENCE {row['name']} RESTART" for row in sequences]
        async with admin.transaction():
            await admin.execute(";\n".join(statements))
    finally:
        await admin.close()


@_fixture()
async def gongzhi_clean_database(gongzhi_database):
    """After the test: empty tables, the real clock, no queued jobs, nothing cached about
    which plugins a district enabled (ids start again after the tables are emptied)."""
    yield gongzhi_database
    from core import clock
    from core.jobs import queue
    from core.plugins import enablement

    clock.reset()
    queue.use(None)
    enablement.forget_cache()
    await empty_tables(None if gongzhi_database.engine == "sqlite" else _url(gongzhi_database.name))


@pytest.fixture(autouse=True)
def gongzhi_fresh_database(request: pytest.FixtureRequest):
    """Every test that uses ``gongzhi_database`` starts with empty tables (a test that does
    not is left alone: this does nothing for it)."""
    if "gongzhi_database" in request.fixturenames:
        request.getfixturevalue("gongzhi_clean_database")


# The app ---------------------------------------------------------------------------------


@_fixture()
async def gongzhi_app(gongzhi_database):
    from core.app import create_app
    from core.config import Settings

    return create_app(Settings.from_env())


@_fixture()
async def gongzhi_client(gongzhi_app):
    """An ``httpx.AsyncClient`` calling the app in this event loop (cookies kept)."""
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gongzhi_app),
                                 base_url="http://127.0.0.1") as client:
        yield client


# Districts and people ----------------------------------------------------------------------


@dataclass(frozen=True)
class GongzhiDistrict:
    id: int
    slug: str
    name: str
    communities: list[dict[str, Any]] = field(default_factory=list)  # id and name, in order

    @property
    def scope(self):
        from core.tenancy import TenantScope

        return TenantScope(self.id)


async def _make_district(slug: str, name: str, code: str, street: str, communities: tuple[str, ...]):
    from tenants import services
    from tenants.tables import Community, Street, TenantStatus

    draft = services.clean_tenant({"slug": slug, "name": name, "division_code": code})
    tenant = await services.create_tenant(draft, status=TenantStatus.active)
    district = GongzhiDistrict(tenant.id, tenant.slug, tenant.display_name)
    street_row = await district.scope.create(Street, name=street)
    for community in communities:
        row = await district.scope.create(Community, street=street_row.id, name=community)
        district.communities.append({"id": row.id, "name": community})
    return district


@_fixture()
async def gongzhi_district(gongzhi_database):
    """An active district: 咸阳市秦都区 at /t/qindu/, with 人民路街道 and two communities."""
    return await _make_district("qindu", "秦都区", "610402", "人民路街道", ("渭阳西路社区", "北上召社区"))


@_fixture()
async def gongzhi_other_district(gongzhi_database):
    """A second active district: 咸阳市渭城区 at /t/weicheng/, which must never see the first's data."""
    return await _make_district("weicheng", "渭城区", "610404", "渭阳街道", ("新兴社区", "文汇社区"))


@dataclass(frozen=True)
class GongzhiPerson:
    id: int
    name: str
    phone: str
    slug: str  # the district they sign in to
    password: str = PASSWORD


@pytest.fixture
def gongzhi_make_person(gongzhi_database):
    """``await gongzhi_make_person(name, phone, district, roles=("resident",), community=None)``:
    a person with roles in the district (in one of its communities, given its id)."""

    async def make(name: str, phone: str, district: GongzhiDistrict, roles: tuple[str, ...] = ("resident",),
                   community: int | None = None) -> GongzhiPerson:
        from core.accounts import services

        person = await services.create_person(name, services.Identifier("phone", phone), PASSWORD)
        await services.add_membership(district.scope, person.id, roles, "community" if community else "", community)
        return GongzhiPerson(person.id, name, phone, district.slug)

    return make


@_fixture()
async def gongzhi_resident(gongzhi_make_person, gongzhi_district):
    """王芳, a resident of the first community of qindu (13800000001)."""
    return await gongzhi_make_person("王芳", "13800000001", gongzhi_district,
                                     community=gongzhi_district.communities[0]["id"])


@_fixture()
async def gongzhi_staff(gongzhi_make_person, gongzhi_district):
    """李建国, district admin and staff of the whole of qindu (13900000001)."""
    return await gongzhi_make_person("李建国", "13900000001", gongzhi_district, roles=("district_admin", "staff"))


@pytest.fixture
def gongzhi_sign_in():
    """``await gongzhi_sign_in(client, person)``: signs in through the district's log-in form."""
    import re

    async def sign_in(client, person: GongzhiPerson):
        login = f"/t/{person.slug}/login"
        page = await client.get(login)
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, f"{login} has no form ({page.status_code})"
        answer = await client.post(login, data={"identifier": person.phone, "password": person.password,
                                                "_csrf_token": token.group(1)})
        assert answer.status_code == 303, f"signing in as {person.name} failed: {answer.status_code}"
        return answer

    return sign_in


@pytest.fixture
def gongzhi_plugin_enabled(gongzhi_database):
    """``await gongzhi_plugin_enabled("parking", district)`` enables an installed plugin in a
    district (``enabled=False`` disables it); it holds from the next request."""

    async def switch(name: str, district: GongzhiDistrict, enabled: bool = True) -> None:
        from core.plugins import enablement
        from core.plugins.host import host

        if name not in host().plugins:
            pytest.fail(f"plugin {name} is not installed (pip install -e . in its folder?); installed: "
                        f"{sorted(host().plugins)}; not loaded: {host().problems}")
        await enablement.set_enabled(district.scope, name, enabled, actor_id=None)

    return switch


# Time and jobs -----------------------------------------------------------------------------


@pytest.fixture
def gongzhi_clock():
    """The platform's clock (``set_now(moment)``, ``advance(timedelta)``, ``now()``, ``local(moment)``);
    back to real time after the test."""
    from core import clock

    yield clock
    clock.reset()


@pytest.fixture
def gongzhi_jobs(gongzhi_database):
    """The in-process job runner, for this test: ``await gongzhi_jobs.run_due()`` runs every
    job that is due (scheduled ones included); ``gongzhi_jobs.failures`` lists those that failed."""
    from core.config import Settings
    from core.jobs import queue
    from core.jobs.in_process import InProcessRunner

    runner = InProcessRunner(Settings.from_env())
    queue.use(runner)
    yield runner
    queue.use(None)
