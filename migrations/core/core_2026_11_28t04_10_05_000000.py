"""A question sent twice (a resent form) is kept once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-28T04:10:05:000000"
VERSION = "1.38.0"
DESCRIPTION = "questions unique per submission"


class NoticeQuestion(Table, tablename="notices_question"):
    """Only for running raw SQL in this migration."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def index():
        await NoticeQuestion.raw(
            "CREATE UNIQUE INDEX notices_question_once ON notices_question (tenant_id, person, submission)")

    manager.add_raw(index)
    return manager
