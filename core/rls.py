"""PostgreSQL's wall between districts: roles, grants and Row Level Security.

Run by ``gongzhi migrate`` as the owner, after the migrations, every time (idempotent):

* the application role (the user of ``GONGZHI_DATABASE_URL``) gets only what it needs:
  it owns nothing, is no superuser, cannot bypass RLS; it may read and write the tables,
  but only insert into and read the audit log;
* every table of a tenant-owned class (core's and every plugin's: one loop over the
  registry, so a new table cannot be missed) has RLS enabled and forced, with one policy:
  a row is visible and writable when its ``tenant_id`` is the transaction's
  ``app.tenant_id``, or when the transaction is a named platform operation
  (``app.platform_scope = 'on'``, set only by ``core.platform_scope``);
* ``gongzhi_set_tenant(t)`` sets ``app.tenant_id`` with ``SET LOCAL`` (which, unlike
  ``set_config``, also reaches Citus workers).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote, urlparse

from core.tenancy import TenantOwned

POLICY = "gongzhi_tenant_isolation"
APPEND_ONLY_TABLES = {"core_audit_entry"}

_CONDITION = (
    "(tenant_id = nullif(current_setting('app.tenant_id', true), '')::integer"
    " OR current_setting('app.platform_scope', true) = 'on')"
)


def role_of(url: str) -> str:
    return unquote(urlparse(url).username or "")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def statements(app_role: str, tables: list[type], all_tables: list[str]) -> list[str]:
    role = _quote(app_role)
    sql = [
        "CREATE OR REPLACE FUNCTION gongzhi_set_tenant(t integer) RETURNS void LANGUAGE plpgsql AS $$ "
        "BEGIN EXECUTE format('SET LOCAL app.tenant_id = %L', t); END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT EXECUTE ON FUNCTION gongzhi_set_tenant(integer) TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
    for name in all_tables:
        if name in APPEND_ONLY_TABLES:
            sql.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {_quote(name)} FROM {role}")
            sql.append(f"GRANT SELECT, INSERT ON {_quote(name)} TO {role}")
        else:
            sql.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {_quote(name)} TO {role}")
    for table in tables:
        name = _quote(table._meta.tablename)
        sql += [
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {POLICY} ON {name}",
            f"CREATE POLICY {POLICY} ON {name} USING {_CONDITION} WITH CHECK {_CONDITION}",
        ]
    return sql


async def apply(app_url: str, owner_url: str, report: Callable[[str], None] = print) -> None:
    """Roles, grants and policies, as the owner. Does nothing when the app and the owner are
    one role (a development database): then there is no second role to hold to the rules."""
    from piccolo.apps.migrations.tables import Migration

    from core.db import all_tables

    app_role, owner_role = role_of(app_url), role_of(owner_url)
    tenant_owned = [table for table in all_tables() if issubclass(table, TenantOwned)]
    if not app_role or app_role == owner_role:
        report("Row Level Security: the app and the owner are one role; set GONGZHI_DATABASE_OWNER_URL to use it.")
        return
    exists = await Migration.raw("SELECT 1 FROM pg_roles WHERE rolname = {}", app_role)
    if not exists:
        await Migration.raw(f"CREATE ROLE {_quote(app_role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        report(f"Created the application role {app_role}.")
    names = [table._meta.tablename for table in all_tables()] + ["migration"]
    for statement in statements(app_role, tenant_owned, names):
        await Migration.raw(statement)
    report(f"Row Level Security: {len(tenant_owned)} tenant-owned tables; application role {app_role}.")
