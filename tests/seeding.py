"""Large data sets for the PostgreSQL-only tiers, written with ``INSERT … SELECT generate_series``
by the server's admin (which Row Level Security does not hold back), in seconds."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from tests.services import database_url_named


def admin_url() -> str:
    """The test database, as the server's admin."""
    return database_url_named(urlparse(os.environ["GONGZHI_DATABASE_URL"]).path.lstrip("/"))


async def seed_residents(tenant_id: int, count: int, *, phone_prefix: str = "17") -> list[int]:
    """``count`` people, each a resident of the district (no unit); returns their ids, ascending."""
    import asyncpg

    connection = await asyncpg.connect(admin_url())
    try:
        async with connection.transaction():
            ids = await connection.fetch(
                "INSERT INTO accounts_person (display_name, phone, email, password_hash, language, elderly_mode, "
                "totp_secret, totp_enabled_at, totp_last_step, created_at) "
                "SELECT '居民' || i, $1 || lpad(i::text, 9, '0'), NULL, NULL, '', false, NULL, NULL, 0, now() "
                "FROM generate_series(1, $2) AS i RETURNING id", phone_prefix, count)
            person_ids = sorted(row["id"] for row in ids)
            await connection.execute(
                "INSERT INTO accounts_membership (tenant_id, person, unit_kind, unit_id, created_at) "
                "SELECT $1, person, '', NULL, now() FROM unnest($2::integer[]) AS person", tenant_id, person_ids)
            await connection.execute(
                "INSERT INTO accounts_membership_role (tenant_id, membership, role) "
                "SELECT $1, id, 'resident' FROM accounts_membership WHERE tenant_id = $1 AND person = ANY($2::integer[])",
                tenant_id, person_ids)
        # Fresh statistics, as autovacuum would gather: the planner sees the tables' real size.
        await connection.execute("ANALYZE accounts_person, accounts_membership, accounts_membership_role")
    finally:
        await connection.close()
    return person_ids
