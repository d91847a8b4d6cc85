"""Applying migrations, and telling whether a database is migrated.

Each Piccolo app keeps its migrations in ``migrations/<app>/`` (plugins inside their own
package); apps run in dependency order.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration


@dataclass(frozen=True)
class PendingMigration:
    app_name: str
    migration_id: str


class _Finder(BaseMigrationManager):
    pass


async def _ran(app_name: str) -> set[str]:
    if not await Migration.table_exists().run():
        return set()
    return set(await Migration.get_migrations_which_ran(app_name=app_name))


async def pending() -> list[PendingMigration]:
    """Migrations not yet applied, in the order they would run."""
    finder = _Finder()
    result: list[PendingMigration] = []
    for app_name in finder.get_sorted_app_names():
        config = finder.get_app_config(app_name)
        modules = finder.get_migration_modules(config.resolved_migrations_folder_path)
        done = await _ran(app_name)
        result += [PendingMigration(app_name, mid) for mid in sorted(modules) if mid not in done]
    return result


async def apply(report: Callable[[str], None] = print) -> int:
    """Apply every pending migration, reporting progress; returns how many ran."""
    finder = _Finder()
    await finder.create_migration_table()
    todo = await pending()
    if not todo:
        report("Database is up to date: no migrations to apply.")
        return 0
    report(f"Applying {len(todo)} migration(s)…")
    modules_by_app: dict[str, dict] = {}
    for number, item in enumerate(todo, start=1):
        if item.app_name not in modules_by_app:
            config = finder.get_app_config(item.app_name)
            modules_by_app[item.app_name] = finder.get_migration_modules(
                config.resolved_migrations_folder_path
            )
        module = modules_by_app[item.app_name][item.migration_id]
        report(f"  [{number}/{len(todo)}] {item.app_name}: {item.migration_id}")
        manager = await module.forwards()
        if isinstance(manager, MigrationManager):
            with contextlib.redirect_stdout(io.StringIO()):  # Piccolo's own chatter
                await manager.run()
        await Migration.insert(Migration(name=item.migration_id, app_name=item.app_name)).run()
    report("Done.")
    return len(todo)
