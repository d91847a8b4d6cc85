"""What core tells people when core's events happen."""

from __future__ import annotations

from core.events import names
from core.events.handlers import EventContext, handles
from core.i18n import Message
from core.notifications.audience import Audience
from core.notifications.services import notify


async def _district(event: EventContext) -> tuple[str, str]:
    from tenants.tables import Tenant

    row = await Tenant.select(Tenant.slug, Tenant.name).where(Tenant.id == event.tenant_id).first()
    return row["slug"], row["name"]


@handles(names.USER_REGISTERED, name="core.welcome")
async def welcome(event: EventContext) -> None:
    """A new resident finds a welcome in their inbox, pointing at the district's home."""
    slug, district = await _district(event)
    await notify(event.scope, Audience.of(event.payload["person_id"]), kind="welcome",
                 title=Message("Welcome to %(district)s on Gongzhi", {"district": district}),
                 body=Message("Here you will find notices from your community and the answers to what you raise."),
                 link=f"/t/{slug}/", source_event_id=event.event_id)


@handles(names.MEMBERSHIP_CHANGED, name="core.roles_changed")
async def roles_changed(event: EventContext) -> None:
    """A person given staff roles is told where their console is."""
    from core.accounts.roles import CONSOLE_ROLES

    added = set(event.payload.get("added", ())) & CONSOLE_ROLES
    if not added:
        return
    slug, district = await _district(event)
    await notify(event.scope, Audience.of(event.payload["person_id"]), kind="roles_changed",
                 title=Message("You now work in %(district)s's console", {"district": district}),
                 body=Message("Your new roles take effect at once. Open the console to begin."),
                 link=f"/t/{slug}/console/", source_event_id=event.event_id)
