"""What the plugin does when core tells it something: a request for legal help that reached
its category by another way than the plugin's own form (the district's feedback form, a
grid worker, Open311) is taken in, so that no request waits where no adviser sees it."""

from __future__ import annotations

from plugins.legal_aid import consultations
from plugins.legal_aid.handle import plugin


@plugin.handles("feedback_submitted")
async def take_in(event) -> None:
    if event.payload.get("category") == consultations.CATEGORY:
        await consultations.adopt(event.scope, int(event.payload["feedback_id"]))
