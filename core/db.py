"""The data layer's engine and transactions.

One engine per process, chosen by ``GONGZHI_DATABASE_URL``. Every transaction goes
through :func:`transaction`, which knows the two engines' needs:

* SQLite (the embedded default): WAL, a generous busy timeout, and writes that check
  then write run as ``BEGIN IMMEDIATE`` under one process-wide lock, so concurrent
  requests queue instead of failing with "database is locked".
* PostgreSQL: each transaction carries its tenant in the transaction-local setting
  ``app.tenant_id``, which Row Level Security policies read.
"""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

SQLITE_BUSY_TIMEOUT_SECONDS = 30.0

_write_lock: asyncio.Lock | None = None
_write_lock_loop: asyncio.AbstractEventLoop | None = None
# The tenant the open transaction serves (None before one is set, and outside transactions).
_transaction_tenant: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "gongzhi_transaction_tenant", default=None
)
# What the transaction open in this context is: None, "read" or "write".
_open_transaction: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gongzhi_open_transaction", default=None
)
# What to run once the open transaction has committed (dropped if it rolls back).
_after_commit: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = contextvars.ContextVar(
    "gongzhi_after_commit", default=None
)


def build_engine(url: str) -> Engine:
    """An engine for a ``sqlite:///path`` or ``postgresql://…`` URL."""
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(path)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if url.startswith(("postgresql:", "postgres:")):
        # Every statement is planned for its own values: a district's id, and the states and
        # statuses that partial indexes are built on, are parameters, and a plan made once for
        # all districts (PostgreSQL's generic plan, after five runs of a prepared statement)
        # reads the largest district the way it reads the smallest.
        return PostgresEngine(config={"dsn": url, "server_settings": {"plan_cache_mode": "force_custom_plan"}})
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://…")


def _enable_wal(path: Path) -> None:
    # journal_mode=WAL is stored in the database file, so once is enough.
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def engine() -> Engine:
    """The engine every table is bound to."""
    from core import piccolo_conf

    return piccolo_conf.DB


def is_sqlite(db: Engine | None = None) -> bool:
    return isinstance(db or engine(), SQLiteEngine)


def configure(url: str) -> None:
    """Use the database at ``url`` from here on (a no-op when it is already in use)."""
    from core import piccolo_conf

    if piccolo_conf.DB_URL != url:
        use_engine(build_engine(url))
        piccolo_conf.DB_URL = url


def all_tables() -> list:
    """Every table of every registered app, in dependency order."""
    from core import piccolo_conf

    registry = piccolo_conf.APP_REGISTRY
    return [table for config in registry.app_configs.values() for table in config.table_classes]


def use_engine(db: Engine) -> None:
    """Bind every known table (and Piccolo's migration table) to ``db``."""
    from piccolo.apps.migrations.tables import Migration

    from core import piccolo_conf

    piccolo_conf.DB = db
    for table in [Migration, *all_tables()]:
        table._meta.db = db


def _lock() -> asyncio.Lock:
    # A lock belongs to one event loop; tests and the CLI may run several loops in turn.
    global _write_lock, _write_lock_loop
    loop = asyncio.get_running_loop()
    if _write_lock is None or _write_lock_loop is not loop:
        _write_lock, _write_lock_loop = asyncio.Lock(), loop
    return _write_lock


@asynccontextmanager
async def transaction(tenant_id: int | None = None, *, write: bool = False) -> AsyncIterator[None]:
    """Run the enclosed queries in one transaction.

    ``write=True`` for anything that checks then writes. A transaction opened inside
    another joins it; a write inside a read-only transaction is refused, because on
    SQLite upgrading a deferred transaction is what fails under load.
    """
    open_mode = _open_transaction.get()
    if open_mode is not None:
        if write and open_mode != "write":
            raise RuntimeError("a write needs the outer transaction opened with write=True")
        if tenant_id is not None:
            # Joining: the open transaction takes this tenant if it has none yet; one
            # transaction never serves two tenants.
            current = _transaction_tenant.get()
            if current is None:
                if not isinstance(engine(), SQLiteEngine):
                    await _set_tenant_setting(engine(), tenant_id)
                _transaction_tenant.set(tenant_id)
            elif current != tenant_id:
                raise RuntimeError(f"a transaction for tenant {current} cannot serve tenant {tenant_id}")
        yield
        return

    db = engine()
    token = _open_transaction.set("write" if write else "read")
    tenant_token = _transaction_tenant.set(tenant_id)
    callbacks: list[Callable[[], Awaitable[None]]] = []
    callbacks_token = _after_commit.set(callbacks)
    committed = False
    try:
        if isinstance(db, SQLiteEngine):
            if write:
                async with _lock():
                    async with db.transaction(transaction_type=TransactionType.immediate):
                        yield
            else:
                async with db.transaction():
                    yield
        elif db.current_transaction.get() is not None:  # inside Piccolo's own, opened elsewhere
            async with db.transaction():
                if tenant_id is not None:
                    await _set_tenant_setting(db, tenant_id)
                yield
        else:
            opening = "BEGIN" if tenant_id is None else "BEGIN; " + await _tenant_statement(db, tenant_id)
            async with _Transaction(db, opening):
                yield
        committed = True
    finally:
        _after_commit.reset(callbacks_token)
        _transaction_tenant.reset(tenant_token)
        _open_transaction.reset(token)
    if committed:
        for callback in callbacks:
            await callback()


def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the open transaction has committed; never if it rolls back.

    Outside a transaction there is nothing to wait for: that is a mistake, because the
    caller's write would then not be atomic with what the callback announces.
    """
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit needs an open transaction")
    callbacks.append(callback)


def in_transaction() -> bool:
    return _open_transaction.get() is not None


async def _tenant_statement(db: Engine, tenant_id: int) -> str:
    """The statement that gives the open transaction its district (an integer, so written
    into the statement as a literal)."""
    from piccolo.apps.migrations.tables import Migration

    if _rls_function_exists.get(id(db)) is None:
        found = await Migration.raw("SELECT 1 FROM pg_proc WHERE proname = 'gongzhi_set_tenant'")
        _rls_function_exists[id(db)] = bool(found)
    if _rls_function_exists[id(db)]:
        return f"SELECT gongzhi_set_tenant({int(tenant_id)})"
    # A database migrated before Row Level Security was set up.
    return f"SELECT set_config('app.tenant_id', '{int(tenant_id)}', true)"


async def _set_tenant_setting(db: Engine, tenant_id: int) -> None:
    from piccolo.apps.migrations.tables import Migration

    await Migration.raw(await _tenant_statement(db, tenant_id))


_rls_function_exists: dict[int, bool] = {}


class _Transaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, begun together with its district's setting: one
    round trip (``BEGIN; SELECT gongzhi_set_tenant(7)``, a simple query) instead of two, on
    every transaction a page opens. Its connection goes back to the pool whatever happens,
    a lost connection included, so that an outage never leaves the pool short."""

    __slots__ = ("opening",)

    def __init__(self, engine: PostgresEngine, opening: str) -> None:
        super().__init__(engine)
        self.opening = opening

    async def begin(self) -> None:
        try:
            await self.connection.execute(self.opening)
        except BaseException:
            await self._give_back()
            raise

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            await self._give_back()
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _give_back(self) -> None:
        # The pool rolls back a connection still in a transaction, and terminates a broken one
        # (then says so by raising, which adds nothing to the error already on its way).
        try:
            if self.engine.pool:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
        except Exception:  # noqa: BLE001
            pass

    async def commit(self) -> None:
        await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True


async def _keep_session(connection: object) -> None:
    """What a connection goes back to the pool with: nothing to undo. asyncpg's default
    (advisory locks, cursors, LISTEN, RESET ALL) costs a round trip on every release, and
    Gongzhi keeps no session state: the district and the platform scope are transaction-local
    (``SET LOCAL``), locks are transaction locks, and an open transaction is still rolled back
    by the pool itself."""


@asynccontextmanager
async def platform_transaction(*, write: bool = False) -> AsyncIterator[None]:
    """A transaction for a named platform operation: on PostgreSQL it may cross districts
    (``app.platform_scope``), and only ``core.platform_scope`` opens one."""
    async with transaction(write=write):
        db = engine()
        if not isinstance(db, SQLiteEngine):
            from piccolo.apps.migrations.tables import Migration

            await Migration.raw("SET LOCAL app.platform_scope = 'on'")
        yield


async def start(db: Engine | None = None, *, connect_timeout: float | None = None,
                command_timeout: float | None = None) -> bool:
    """Open a connection pool where the engine has one (PostgreSQL) and none is open.

    An app process gives both timeouts (``GONGZHI_DATABASE_*_TIMEOUT``), so that when the
    database cannot be reached a request fails within them (and is answered 503) instead of
    waiting; the worker and the CLI wait as long as their work takes. Returns whether this
    call opened the pool: whoever opened it closes it.
    """
    db = db or engine()
    if isinstance(db, PostgresEngine) and db.pool is None:
        timeouts = {name: value for name, value in (("timeout", connect_timeout),
                                                    ("command_timeout", command_timeout)) if value}
        await db.start_connection_pool(min_size=1, max_size=10, reset=_keep_session, **timeouts)
        return True
    return False


async def stop(db: Engine | None = None) -> None:
    db = db or engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached or did not answer in time (a
    lost or refused connection, a timeout), rather than that the statement was wrong: what a
    request answers with 503 and can simply be tried again."""
    if isinstance(error, (ConnectionError, TimeoutError)):  # asyncio's TimeoutError is this one
        return True
    if isinstance(error, sqlite3.OperationalError):
        return "database is locked" in str(error)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    if isinstance(error, asyncpg.InterfaceError):  # also what a misuse of a connection raises
        return "connection is closed" in str(error)
    return isinstance(error, (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                              asyncpg.TooManyConnectionsError))


def is_unique_violation(error: BaseException) -> bool:
    """Whether ``error`` is a unique index refusing a second row (either engine)."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE constraint failed" in str(error)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, asyncpg.UniqueViolationError)
