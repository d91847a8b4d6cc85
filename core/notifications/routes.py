"""The inbox of a person in a district, and their channel preferences."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.guards import safe_next, signed_in
from core.errors import ValidationFailed
from core.i18n import Message
from core.notifications import services
from core.web.forms import form_data, rerender, see_other


class InboxController(Controller):
    path = "/t/{slug:str}/inbox"
    opt = {"auth": "session"}

    @get("/", name="inbox")
    async def listing(self, request: Request, before: FromQuery[int | None] = None) -> Template:
        actor = signed_in(request)
        tenant = request.state.tenant
        items, more = await services.inbox(tenant.scope, actor.id, before=before)
        # The header's count, made for this page by UnreadCountMiddleware, serves the page too.
        unread = request.scope["state"].get("inbox_unread")
        if unread is None:
            unread = await services.unread_count(tenant.scope, actor.id)
        return Template("notifications/inbox.html", context={
            "tenant": tenant, "items": items, "more": more, "unread": unread})

    @post("/{entry_id:int}/open", name="inbox_open")
    async def open(self, request: Request, entry_id: FromPath[int]) -> Redirect:
        actor = signed_in(request)
        tenant = request.state.tenant
        link = await services.open_entry(tenant.scope, actor.id, entry_id)
        # notify() takes only paths of this site; checked again here, where the browser is sent.
        return see_other(safe_next(link, f"/t/{tenant.slug}/inbox"))

    @post("/read-all", name="inbox_read_all")
    async def read_all(self, request: Request) -> Redirect:
        actor = signed_in(request)
        tenant = request.state.tenant
        await services.mark_all_read(tenant.scope, actor.id)
        return see_other(f"/t/{tenant.slug}/inbox")


def clean_preferences(data: dict[str, str]) -> dict[str, object]:
    errors: dict[str, Message] = {}
    cleaned: dict[str, object] = {}
    for channel in ("email", "sms", "push"):
        value = data.get(channel, "")
        if value not in services.PREFERENCE_CHOICES:
            errors[channel] = Message("Choose one of the options.")
        cleaned[channel] = value
    for name in ("quiet_start", "quiet_end"):
        value = data.get(name, "").strip()
        if not value.isascii() or not value.isdigit() or not 0 <= int(value) <= 23:
            errors[name] = Message("Enter an hour from 0 to 23.")
        else:
            cleaned[name] = int(value)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


class NotificationPreferenceController(Controller):
    path = "/account/notifications"
    opt = {"auth": "session"}

    @get("/", name="notification_preferences")
    async def show(self, request: Request, saved: FromQuery[bool] = False) -> Template:
        actor = signed_in(request)
        preference = await services.preference(actor.id)
        values = {"email": preference.email, "sms": preference.sms, "push": preference.push,
                  "quiet_start": str(preference.quiet_start),
                  "quiet_end": str(preference.quiet_end)}
        return Template("notifications/preferences.html",
                        context={"values": values, "errors": {}, "saved": saved, "actor": actor})

    @post("/", name="notification_preferences_save")
    async def save(self, request: Request) -> Template | Redirect:
        actor = signed_in(request)
        data = await form_data(request)
        try:
            cleaned = clean_preferences(data)
        except ValidationFailed as error:
            return rerender("notifications/preferences.html", data, error, saved=False, actor=actor)
        await services.save_preference(actor.id, **cleaned)  # type: ignore[arg-type]
        return see_other("/account/notifications?saved=1")
