"""Tenant-owned data: the base class of every tenant-owned table, and the one scoped
helper through which their rows are read and written.

The tenant always comes from the request (``request.state.tenant``), never from user
input. Code outside this module does not call ``select``/``objects``/``update``/``delete``
on a tenant-owned table directly: a test checks that.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timezone
from typing import Any, TypeVar

from piccolo.columns import Integer
from piccolo.query import Count, Delete, Exists, Objects, Select, Update
from piccolo.table import Table

from core import db

T = TypeVar("T", bound="TenantOwned")


class TenantOwned(Table):
    """Base class of every tenant-owned table: each row belongs to one district."""

    tenant_id = Integer(index=True, null=False, help_text="The district this row belongs to.")


_INT32 = range(-(2 ** 31), 2 ** 31)
_INT64 = range(-(2 ** 63), 2 ** 63)


def fits(column: Any, value: Any) -> bool:
    """False for an integer the integer ``column`` cannot hold (32 bits for Integer and Serial
    on PostgreSQL, 64 for BigInt and BigSerial): such a number in a path, a query or a body
    names no row, and the database would refuse it as a parameter. Other values are left to
    the query."""
    from piccolo.columns import BigInt, BigSerial

    if not isinstance(value, int) or isinstance(value, bool):
        return True
    return value in (_INT64 if isinstance(column, BigInt | BigSerial) else _INT32)


def page_offset(page: int, size: int) -> int:
    """The offset of page ``page`` of ``size`` rows: the first page's below 1, and one past any
    table's rows, yet one a database accepts, for a page too far to exist."""
    return (min(max(page, 1), _LAST_PAGE) - 1) * size


_LAST_PAGE = 10 ** 9


class ScopedQuery:
    """A Piccolo query of one tenant's rows that, when awaited, runs inside a transaction
    carrying that tenant (joining the one already open, if any).

    On PostgreSQL the transaction sets ``app.tenant_id``, which Row Level Security reads;
    a query run outside one would see nothing. Chained calls (``where``, ``order_by``,
    ``first``, ``limit`` …) keep the wrapper.
    """

    __slots__ = ("_query", "_tenant_id", "_write")

    def __init__(self, query: Any, tenant_id: int, write: bool) -> None:
        self._query = query
        self._tenant_id = tenant_id
        self._write = write

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._query, name)
        if not callable(attribute):
            return attribute

        def chained(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            if hasattr(result, "run") and hasattr(result, "__await__"):
                return ScopedQuery(result, self._tenant_id, self._write)
            return result

        return chained

    async def run(self) -> Any:
        async with db.transaction(self._tenant_id, write=self._write):
            return await self._query.run()

    def __await__(self):
        return self.run().__await__()

    def __str__(self) -> str:
        return str(self._query)


# The application's own filter, the first wall. Tests switch it off (test mode only) to show
# that PostgreSQL's Row Level Security alone keeps districts apart.
_application_filter = True


@contextmanager
def without_application_filter() -> Iterator[None]:
    import os

    global _application_filter
    if os.environ.get("GONGZHI_TEST_MODE") != "1":
        raise RuntimeError("the application's tenant filter is switched off in test mode only")
    _application_filter = False
    try:
        yield
    finally:
        _application_filter = True


class CrossTenantWrite(Exception):
    """A row of one tenant was about to be written through another tenant's scope."""


class TenantScope:
    """Reads and writes of tenant-owned rows, always filtered to one tenant."""

    __slots__ = ("tenant_id",)

    def __init__(self, tenant_id: int) -> None:
        if not isinstance(tenant_id, int) or isinstance(tenant_id, bool) or tenant_id <= 0:
            raise ValueError("a tenant scope needs a tenant id")
        self.tenant_id = tenant_id

    def __repr__(self) -> str:
        return f"TenantScope({self.tenant_id})"

    # Reading ------------------------------------------------------------------------

    def _scoped(self, query: Any, table: type[T], *, write: bool = False) -> Any:
        if _application_filter:
            query = query.where(table.tenant_id == self.tenant_id)
        return ScopedQuery(query, self.tenant_id, write)

    def select(self, table: type[T], *columns: Any) -> Select:
        return self._scoped(table.select(*columns), table)

    def objects(self, table: type[T]) -> Objects:
        return self._scoped(table.objects(), table)

    def count(self, table: type[T]) -> Count:
        return self._scoped(table.count(), table)

    def exists(self, table: type[T]) -> Exists:
        return self._scoped(table.exists(), table)

    async def get(self, table: type[T], pk: Any, *, for_update: bool = False) -> T | None:
        """The row with primary key ``pk``, or None. ``for_update`` locks it until the
        transaction ends (PostgreSQL; SQLite's write transactions already run one at a time),
        which is what a read-modify-write needs."""
        if not fits(table._meta.primary_key, pk):
            return None  # no row has it; a database would refuse the number itself
        query = self.objects(table).where(table._meta.primary_key == pk)
        if for_update and not db.is_sqlite():
            # NO KEY UPDATE: writers of rows that merely reference this one (a foreign key
            # takes KEY SHARE) are not held up, nor do they hold this up.
            query = query.lock_rows("NO KEY UPDATE")
        return await query.first()

    # Writing ------------------------------------------------------------------------

    def new(self, table: type[T], **values: Any) -> T:
        """An unsaved row of ``table`` that belongs to this tenant."""
        if values.get("tenant_id", self.tenant_id) != self.tenant_id:
            raise CrossTenantWrite(f"{table.__name__} row for tenant {values['tenant_id']}")
        return table(tenant_id=self.tenant_id, **{k: v for k, v in values.items() if k != "tenant_id"})

    async def create(self, table: type[T], **values: Any) -> T:
        row = self.new(table, **values)
        async with self.transaction(write=True):
            await row.save()
        return row

    async def save(self, row: TenantOwned) -> None:
        """Save a row that was read through this scope."""
        if row.tenant_id != self.tenant_id:
            raise CrossTenantWrite(f"{type(row).__name__} row of tenant {row.tenant_id}")
        async with self.transaction(write=True):
            await row.save()

    def update(self, table: type[T], values: dict[Any, Any]) -> Update:
        if any(getattr(key, "_meta", None) and key._meta.name == "tenant_id" for key in values) or (
            "tenant_id" in values
        ):
            raise CrossTenantWrite("a row's tenant is never changed")
        return self._scoped(table.update(values), table, write=True)

    def delete(self, table: type[T]) -> Delete:
        return self._scoped(table.delete(), table, write=True)

    async def insert_many(self, table: type[T], rows: list[dict[str, Any]]) -> list[int]:
        """Insert many rows of this tenant in one statement; returns their ids in order."""
        if not rows:
            return []
        instances = [self.new(table, **row) for row in rows]
        async with self.transaction(write=True):
            result = await table.insert(*instances).returning(table._meta.primary_key)
        return [row[table._meta.primary_key._meta.name] for row in result]

    async def raw(self, table: type[T], sql: str, *args: Any) -> list[dict[str, Any]]:
        """Bulk SQL on this tenant's rows, for what the query builder cannot say in one
        statement (fan-out to thousands of people). The SQL must filter by ``{tenant}``, which
        becomes this scope's id; ``{}`` are parameters. It runs in this tenant's transaction,
        so on PostgreSQL Row Level Security checks it too."""
        if "{tenant}" not in sql:
            raise ValueError("raw SQL on tenant-owned rows must filter by {tenant}")
        statement = sql.replace("{tenant}", str(int(self.tenant_id)))
        async with self.transaction(write=not statement.lstrip().upper().startswith("SELECT")):
            return await table.raw(statement, *args)

    # Transactions -------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self, *, write: bool = False) -> AsyncIterator["TenantScope"]:
        """One transaction in this tenant's scope (on PostgreSQL it sets ``app.tenant_id``)."""
        async with db.transaction(self.tenant_id, write=write):
            yield self


# Many rows as one parameter of raw SQL ---------------------------------------------------
# A statement's parameters are limited (32,767 on PostgreSQL, 32,766 on SQLite), so bulk
# SQL (thousands of rows) passes its rows as one JSON text instead.

_SQL_TYPES = ("integer", "text", "boolean", "timestamptz")


def json_rows(rows: Iterable[Mapping[str, Any]]) -> str:
    """``rows`` as the one JSON parameter that :func:`rows_from_json` reads; a datetime is
    written as the engine stores it (SQLite compares timestamps as Piccolo's text)."""
    sqlite = db.is_sqlite()

    def moment(value: Any) -> Any:
        if not isinstance(value, datetime):
            raise TypeError(f"{type(value).__name__} is not JSON serialisable")
        if value.tzinfo is None:
            raise ValueError("timestamps are timezone-aware")
        # What Piccolo's SQLite adapter writes: UTC, str(datetime).
        return str(value.astimezone(timezone.utc)) if sqlite else value.isoformat()

    return json.dumps(list(rows), ensure_ascii=False, default=moment)


def rows_from_json(columns: Mapping[str, str], alias: str = "v") -> str:
    """A FROM item of raw SQL: one row per object of the JSON parameter ``{}`` (made by
    :func:`json_rows`), with ``columns`` (name → integer, text, boolean or timestamptz)."""
    for name, sql_type in columns.items():
        if not name.isidentifier() or sql_type not in _SQL_TYPES:
            raise ValueError(f"column {name!r} of type {sql_type!r}")
    if db.is_sqlite():
        # LIMIT -1 (none) keeps SQLite from flattening the rows into the join: it reads them
        # once and looks each up by its key, instead of reading the JSON again for every row
        # of the table it is joined to (minutes at a few thousand rows).
        listed = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name in columns)
        return f"(SELECT {listed} FROM json_each({{}}) LIMIT -1) AS {alias}"
    listed = ", ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    return f"json_to_recordset(CAST({{}} AS json)) AS {alias}({listed})"


def typed(sql_type: str) -> str:
    """A parameter ``{}`` of raw SQL whose type PostgreSQL cannot infer (in a select list,
    as of ``INSERT … SELECT``); SQLite takes it as it is."""
    if sql_type not in _SQL_TYPES:
        raise ValueError(f"type {sql_type!r}")
    return "{}" if db.is_sqlite() else f"CAST({{}} AS {sql_type})"


def among(column: str) -> str:
    """A condition of raw SQL: ``column`` is one of the ids of the parameter ``{}`` (made by
    :func:`id_list`); on PostgreSQL ``= ANY(array)``, which the index of ``column`` answers."""
    if db.is_sqlite():
        return f"{column} IN (SELECT value FROM json_each({{}}))"
    return f"{column} = ANY(CAST({{}} AS integer[]))"


def id_list(ids: Iterable[int]) -> Any:
    """The parameter of :func:`among`."""
    ids = [int(i) for i in ids]
    return json.dumps(ids) if db.is_sqlite() else ids
