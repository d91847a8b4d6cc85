"""A published notice reaches the inbox of everyone in its audience."""

from __future__ import annotations

from core.events import names
from core.events.handlers import EventContext, handles
from core.i18n import Message
from core.notices import audience as audiences
from core.notifications.services import notify


@handles(names.NOTICE_PUBLISHED, name="core.notice_to_inboxes")
async def notice_to_inboxes(event: EventContext) -> None:
    from tenants.services import slug_of

    payload = event.payload
    slug = await slug_of(event.tenant_id)
    recipients = await audiences.recipients(event.scope, payload["audience_kind"], payload.get("audience_id"),
                                            payload.get("audience_role", ""))
    title = (Message("Corrected notice: %(title)s", {"title": payload["title"]}) if payload.get("version", 1) > 1
             else Message("New notice: %(title)s", {"title": payload["title"]}))
    await notify(event.scope, recipients, kind="notice_published", title=title, urgent=bool(payload.get("urgent")),
                 link=f"/t/{slug}/notices/{payload['root']}", source_event_id=event.event_id)
