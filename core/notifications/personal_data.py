"""A person's notifications in their data download, and gone when they are erased."""

from __future__ import annotations

from typing import Any

from core import platform_scope
from core.hookspecs import hookimpl
from core.notifications.services import preference


@hookimpl
async def export_personal_data(person_id: int) -> dict[str, Any]:
    chosen = await preference(person_id)
    return {
        "notification_preferences": {"email": chosen.email, "sms": chosen.sms, "push": chosen.push,
                                     "quiet_start": chosen.quiet_start, "quiet_end": chosen.quiet_end},
        "inbox": await platform_scope.person_inbox(person_id),
        "push_devices": await platform_scope.person_push_devices(person_id),
    }


@hookimpl
async def erase_personal_data(person_id: int, pseudonym: str) -> None:
    from core.notifications.tables import NotificationPreference

    await NotificationPreference.delete().where(NotificationPreference.person == person_id)
    await platform_scope.erase_person_inbox(person_id)
    await platform_scope.erase_person_push_devices(person_id)
