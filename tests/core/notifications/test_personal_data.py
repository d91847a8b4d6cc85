"""A person's notifications are in their data download and go when they are erased."""

from core.accounts import personal_data
from core.i18n import Message
from core.notifications import services
from core.notifications.audience import Audience
from core.notifications.tables import InboxEntry, NotificationPreference
from core.tenancy import TenantScope
from tests.http import count_everywhere


async def test_export_and_erasure_cover_every_districts_inbox(tenant, other_tenant, make_person, jobs):
    person = await make_person("刘芳", "13800000021")
    neighbour = await make_person("陈明", "13800000022")
    for district in (tenant, other_tenant):
        await services.notify(TenantScope(district.id), Audience.of(person.id, neighbour.id), kind="test",
                              title=Message("Messages"), link=f"/t/{district.slug}/")
    await services.save_preference(person.id, email="off", sms="all", quiet_start=23, quiet_end=6)
    await jobs.run_due()

    exported = await personal_data.export(person.id)
    assert exported["notification_preferences"] == {"email": "off", "sms": "all", "quiet_start": 23, "quiet_end": 6}
    assert sorted(entry["tenant_id"] for entry in exported["inbox"]) == sorted([tenant.id, other_tenant.id])

    await personal_data.erase(person.id)
    assert await count_everywhere(InboxEntry, InboxEntry.person == person.id) == 0
    assert await count_everywhere(InboxEntry, InboxEntry.person == neighbour.id) == 2  # others keep theirs
    assert await NotificationPreference.count().where(NotificationPreference.person == person.id) == 0
