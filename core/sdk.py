"""The SDK: everything a plugin may use of core, and the only module of core it imports.

A plugin makes one handle, ``plugin = Plugin("parking")``, and reaches core through it. The
handle checks the capabilities the plugin's manifest declares and refuses, naming the
capability, what was not declared. Plugins run in the platform's process, so these checks
guard against mistakes, not malice: the marketplace's review is the security boundary.

Everything a district's code touches is that district's: tables derive from
:class:`TenantOwned` and are read and written through a :class:`TenantScope` (the request's
district: ``plugin.scope(request)``). The host decides where a plugin is enabled; a plugin
never checks it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from core import clock
from core.appointments.schedules import WeeklyRule
from core.errors import Conflict, GongzhiError, NotFound, PermissionDenied, ValidationFailed
from core.forms import FieldError, Form, choice_id, phone as clean_phone, text as clean_text, whole_number
from core.hookspecs import hookimpl
from core.i18n import Message, N_, current_language, gettext
from core.jobs.registry import LONG, SHORT
from core.ledger import Ledger, LedgerAccount, LedgerTransfer, NotEnough, Transfer
from core.plugins.manifest import CORE_API_VERSION
from core.plugins.web import NavEntry, Tile, Visit, Widget
from core.protection.services import Erased
from core.tenancy import TenantOwned, TenantScope
from core.web.problems import problem_responses

__all__ = [
    "CHINA", "CORE_API_VERSION", "CapabilityError", "Conflict", "Erased", "FieldError", "Form", "GongzhiError", "LONG",
    "Ledger", "LedgerAccount", "LedgerTransfer", "Message", "NotEnough",
    "N_", "NavEntry", "NotFound", "PermissionDenied", "Plugin", "SHORT", "TenantOwned", "TenantScope", "Tile",
    "Transfer", "ValidationFailed", "Visit", "WeeklyRule", "Widget", "choice_id", "clean_phone", "clean_text",
    "current_language", "gettext", "hookimpl", "now", "problem_responses", "whole_number",
]


# China Standard Time, in which people read dates and times (the clock itself answers in UTC).
CHINA = clock.CHINA


def now():
    """The platform's clock (tests move it; never read the system's time directly)."""
    return clock.now()


class CapabilityError(PermissionError):
    """A plugin used what its manifest does not declare."""

    def __init__(self, plugin: str, capability: str) -> None:
        super().__init__(f"plugin {plugin} did not declare the capability {capability!r} in its manifest")
        self.plugin = plugin
        self.capability = capability


class Plugin:
    """A plugin's handle on core."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Plugin({self.name!r})"

    @property
    def manifest(self):
        from core.plugins.host import host

        loaded = host().plugins.get(self.name)
        if loaded is None:
            raise LookupError(f"plugin {self.name} is not loaded")
        return loaded.manifest

    def require(self, capability: str) -> None:
        if capability not in self.manifest.capabilities:
            raise CapabilityError(self.name, capability)

    # Declarations (returned from the ``jobs`` and ``event_handlers`` hooks) ----------

    def job(self, name: str, *, timeout: int, queue: str = SHORT):
        """Declare a job ``<plugin>.<name>``: ``async def f(ctx, tenant_id, **kwargs)``."""

        def declare(function):
            function.gongzhi_job = {"name": name, "timeout": timeout, "queue": queue}
            return function

        return declare

    def cron(self, name: str, *, timeout: int, queue: str = SHORT, per_tenant: bool = True, **schedule: Any):
        """Declare a scheduled job (arq's cron fields, China Standard Time); per tenant, it runs
        once for each district that has the plugin enabled."""

        def declare(function):
            function.gongzhi_job = {"name": name, "timeout": timeout, "queue": queue, "cron": schedule,
                                    "per_tenant": per_tenant}
            return function

        return declare

    def handles(self, event: str, *, atomic: bool = True):
        """Declare a handler of a core event (or of this plugin's own):
        ``async def f(event)``, where ``event.scope`` is the district's scope and
        ``event.payload`` what the event carries. Delivery is at least once."""

        def declare(function):
            function.gongzhi_handler = {"event": event, "atomic": atomic}
            return function

        return declare

    def platform_operation(self, reason: str, *, write: bool = True):
        """Declare one of the operations the manifest names in ``platform_operations``: the
        only way to the plugin's province-wide tables (a volunteer's points across districts).
        It runs across districts, in a transaction of its own, and is audited; calling one the
        manifest does not name, or without ``platform:operations``, is refused."""

        def declare(function):
            from core import platform_scope
            from core.audit import services as audit

            operation = f"{self.name}.{function.__name__}"
            in_platform_scope = platform_scope.platform_operation(reason, write=write, name=operation)(function)

            async def checked(*args, **kwargs):
                self.require("platform:operations")
                if function.__name__ not in self.manifest.platform_operations:
                    raise CapabilityError(self.name, f"platform operation {function.__name__}")
                result = await in_platform_scope(*args, **kwargs)
                # Recorded after the operation's own transaction (a read-only one cannot write),
                # or within the caller's, when the operation joined it.
                await audit.record("platform.operation", target=operation)
                return result

            checked.__name__ = function.__name__
            checked.__doc__ = function.__doc__
            return checked

        return declare

    # Requests ------------------------------------------------------------------------

    def tenant(self, request: Request):
        """The request's district (slug, name, display name…)."""
        return request.scope["state"]["tenant"]

    def scope(self, request_or_tenant: Request | int) -> TenantScope:
        """The data of the request's district (or of the district with this id, in a job)."""
        if isinstance(request_or_tenant, int):
            return TenantScope(request_or_tenant)
        return self.tenant(request_or_tenant).scope

    def actor(self, request: Request):
        """The signed-in person (pages send whoever is not signed in to the log-in form)."""
        from core.accounts.guards import signed_in

        return signed_in(request)

    def base(self, request: Request) -> str:
        """Where this plugin's pages start in the request's district: ``/t/{slug}/p/{plugin}``."""
        return f"/t/{self.tenant(request).slug}/p/{self.name}"

    @staticmethod
    async def form_data(request: Request) -> dict[str, str]:
        """A posted form's text fields (files and the CSRF token left out), to clean and, when
        refused, to show again as typed."""
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str) and key != "_csrf_token"}

    @staticmethod
    async def uploaded_files(request: Request, name: str) -> list[tuple[str, str, bytes]]:
        """The files posted in field ``name`` of a multipart form, as (filename, declared
        content type, bytes); an empty file input is no file. ValidationFailed on ``name``
        when a file's bytes contradict the type it was sent as (a PDF sent as a picture)."""
        from core.web.forms import uploaded_parts

        return await uploaded_parts(request, name)

    @staticmethod
    def field_errors(error: ValidationFailed) -> dict[str, str]:
        """A refusal's messages per field, in the request's language, for a form's template."""
        return {name: str(message) for name, message in error.errors.items()}

    async def roles(self, request: Request, allowed: tuple[str, ...] | set[str] | None = None):
        """``(actor, roles)`` in the request's district; with ``allowed``, refuses (403) a
        person who holds none of those roles."""
        from core.accounts.guards import signed_in, tenant_roles
        from core.accounts.services import roles_in

        if allowed:
            return await tenant_roles(request, allowed)
        actor = signed_in(request)
        return actor, await roles_in(self.tenant(request).scope, actor.id)

    async def places(self, request: Request) -> list:
        """Where the signed-in person holds roles in the request's district: one entry per
        membership, with ``unit_kind`` ("" for the whole district, "community"…), ``unit_id``
        and ``roles`` (what a role scoped to a unit is checked against)."""
        from core.accounts.services import places_of

        return await places_of(self.tenant(request).scope, self.actor(request).id)

    async def api_person(self, request: Request, scope: str) -> int:
        """The person whose token (``Authorization: Bearer …``, for this district, with the
        token scope ``scope``) calls an API route declared ``opt={"auth": "token"}``: 401
        without a valid token, 403 for another district's, a missing scope or a client key."""
        from core.accounts import credentials

        credential = await credentials.authenticate(request.headers.get("authorization"),
                                                    tenant_id=self.tenant(request).id, scope=scope)
        if credential.kind != "person" or credential.person_id is None:
            raise PermissionDenied(Message("Only a person's token can be used here."))
        return credential.person_id

    async def slug_of(self, scope: TenantScope) -> str:
        """The district's slug, for links made where there is no request (jobs, handlers)."""
        from tenants.services import slug_of

        return await slug_of(scope.tenant_id)

    async def province_of(self, scope: TenantScope) -> str:
        """The province the district is in (a province-wide book's key, e.g. 陕西省)."""
        from tenants.services import province_of

        return await province_of(scope.tenant_id)

    async def district_names(self, tenant_ids: list[int]) -> dict[int, str]:
        """Districts' names as residents read them (咸阳市秦都区), by id: for what a plugin
        shows of other districts (where a volunteer's service was, a settlement's counterpart)."""
        from tenants.services import names_of

        return await names_of(tenant_ids)

    async def communities(self, scope: TenantScope) -> list[dict[str, Any]]:
        """The district's communities (``id``, ``name``), in the order they were made."""
        from tenants.tables import Community

        return await scope.select(Community, Community.id, Community.name).order_by(Community.id)

    async def settings(self, scope: TenantScope) -> dict[str, Any]:
        """The district's settings for this plugin (the manifest's defaults where unset)."""
        from core.plugins import enablement

        return await enablement.settings_of(scope, self.name)

    def template(self, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> Template:
        """A page from this plugin's templates folder."""
        return Template(f"{self.name}/{name}", context=context or {}, status_code=status_code)

    # People and notifications --------------------------------------------------------

    async def people(self, scope: TenantScope, person_ids: list[int]) -> dict[int, dict[str, Any]]:
        """Names and mobile numbers of these people, those who belong to the district only."""
        self.require("residents:read")
        from core.accounts.tables import Membership, Person

        members = {row["person"] for row in await scope.select(Membership, Membership.person).where(
            Membership.person.is_in(list(person_ids) or [0]))}
        if not members:
            return {}
        rows = await Person.select(Person.id, Person.display_name, Person.phone).where(Person.id.is_in(list(members)))
        return {row["id"]: {"display_name": row["display_name"], "phone": row["phone"]} for row in rows}

    async def member_by_phone(self, scope: TenantScope, phone: str) -> int | None:
        """The id of the district member with this mobile number, or None when nobody in the
        district has it."""
        self.require("residents:read")
        from core.accounts.tables import Membership, Person

        try:
            phone = clean_phone(phone)
        except FieldError:
            return None  # not a mobile number (a NUL byte, say, which a database refuses): nobody's
        person = await Person.select(Person.id).where(Person.phone == phone).first()
        if person is None:
            return None
        member = await scope.select(Membership, Membership.person).where(
            Membership.person == person["id"]).first()
        return person["id"] if member else None

    async def holders(self, scope: TenantScope, roles: tuple[str, ...] | list[str]) -> list[int]:
        """The people holding any of ``roles`` in the district (anywhere in it), in id order:
        e.g. a plugin's on-duty staff, to tell them something urgent."""
        self.require("residents:read")
        from core.notifications.audience import Audience, next_batch

        if not roles:
            return []
        audience, found, after = Audience.district_members(roles=tuple(roles)), [], 0
        while True:
            batch = await next_batch(scope, audience, after=after, limit=1000)
            found.extend(batch)
            if len(batch) < 1000:
                return found
            after = batch[-1]

    async def unit_members(self, scope: TenantScope, unit_kind: str, unit_id: int | None,
                           roles: tuple[str, ...] | list[str]) -> list[int]:
        """The people holding any of ``roles`` in one unit of the district (a firm of the
        plugin's party type, a community…), in id order: e.g. a firm's staff, to tell them of
        an emergency."""
        self.require("residents:read")
        from core.accounts.tables import MembershipRole

        if not roles or unit_id is None:
            return []
        rows = await scope.select(MembershipRole, MembershipRole.membership.person).where(
            MembershipRole.role.is_in(list(roles)), MembershipRole.membership.unit_kind == unit_kind,
            MembershipRole.membership.unit_id == unit_id)
        return sorted({row["membership.person"] for row in rows})

    async def notify(self, scope: TenantScope, person_ids: list[int], *, kind: str, title: Message,
                     body: Message | None = None, link: str = "", urgent: bool = False) -> None:
        """Tell these people (their inbox, and the channels they chose), after commit."""
        self.require("notify:send")
        from core.notifications.audience import Audience
        from core.notifications.services import notify

        await notify(scope, Audience.of(*person_ids), kind=f"{self.name}.{kind}", title=title, body=body, link=link,
                     urgent=urgent)

    async def emit(self, scope: TenantScope, event: str, payload: dict[str, Any] | None = None, *,
                   actor_id: int | None = None) -> None:
        """Emit one of this plugin's events (``<plugin>_<noun>_<past verb>``), after commit."""
        if not event.startswith(f"{self.name}_"):
            raise ValueError(f"plugin {self.name}'s events are named {self.name}_…")
        from core.events import services as events

        await events.emit(scope, event, payload, actor_id=actor_id)

    async def audit(self, scope: TenantScope, action: str, *, actor_id: int | None, target: str = "",
                    **details: Any) -> None:
        """A line in the district's audit log, named ``<plugin>.<action>``."""
        self.require("audit:write")
        from core.audit import services as audit

        await audit.record(f"{self.name}.{action}", actor_id=actor_id, tenant_id=scope.tenant_id, target=target,
                           **details)

    # A person's rows in every district (the personal-data hooks, which are global) ---

    def _own_column(self, column) -> Any:
        table = column._meta.table
        if not table._meta.tablename.startswith(f"{self.name}_"):
            raise CapabilityError(self.name, f"the table {table._meta.tablename}")
        return table

    async def personal_rows(self, column, person_id: int, *columns: Any) -> list[dict[str, Any]]:
        """The rows of one of this plugin's tables whose ``column`` is the person, in every
        district (``columns`` of them; all when none): for ``export_personal_data``."""
        from core import platform_scope

        table = self._own_column(column)

        @platform_scope.platform_operation("a person's rows in a plugin's table, for their data download",
                                           write=False, name=f"{self.name}.personal_rows")
        async def read() -> list[dict[str, Any]]:
            return await table.select(*columns).where(column == person_id).order_by(table._meta.primary_key)

        return await read()

    async def erase_personal(self, column, person_id: int, values: dict[Any, Any]) -> None:
        """Overwrite ``values`` (their personal fields) in the rows of one of this plugin's
        tables whose ``column`` is the person, in every district: for ``erase_personal_data``,
        inside the erasing transaction."""
        from core import platform_scope

        table = self._own_column(column)
        if any(getattr(key, "_meta", None) is not None and key._meta.name == "tenant_id" for key in values):
            raise ValueError("a row's district is never changed")

        @platform_scope.platform_operation("erasing a person: their rows in a plugin's table",
                                           name=f"{self.name}.erase_personal")
        async def erase() -> None:
            await table.update(values).where(column == person_id)

        await erase()

    async def delete_personal(self, column, person_id: int) -> int:
        """Delete the rows of one of this plugin's tables whose ``column`` is the person, in
        every district: for ``erase_personal_data`` when nothing of them is kept, inside the
        erasing transaction (delete rows that refer to them first). Returns how many went."""
        from core import platform_scope

        table = self._own_column(column)

        @platform_scope.platform_operation("erasing a person: their rows in a plugin's table",
                                           name=f"{self.name}.delete_personal")
        async def delete() -> int:
            gone = await table.count().where(column == person_id)
            await table.delete().where(column == person_id)
            return gone

        return await delete()

    # Feedback and notices ------------------------------------------------------------

    async def feedback_items(self, scope: TenantScope, *, person_id: int | None = None,
                             category: str | None = None, ids: list[int] | None = None,
                             party: tuple[str, int] | None = None, created_from=None, created_before=None,
                             limit: int = 50) -> list[dict[str, Any]]:
        """Feedback items of the district (a person's, a category's, those with these ids, a
        responsible party's, those made in a span of time), newest first: their state, place,
        party, deadlines and rating, never their text."""
        self.require("feedback:read")
        from core.feedback.tables import FeedbackCategory, FeedbackItem

        query = scope.select(FeedbackItem, FeedbackItem.id, FeedbackItem.tracking_number, FeedbackItem.state,
                             FeedbackItem.category, FeedbackItem.submitter, FeedbackItem.created_at,
                             FeedbackItem.community_id, FeedbackItem.party_type, FeedbackItem.party_id,
                             FeedbackItem.accept_due, FeedbackItem.resolve_due, FeedbackItem.accepted_at,
                             FeedbackItem.resolved_at, FeedbackItem.closed_at, FeedbackItem.rating)
        if person_id is not None:
            query = query.where(FeedbackItem.submitter == person_id)
        if ids is not None:
            query = query.where(FeedbackItem.id.is_in(list(ids) or [0]))
        if party is not None:
            query = query.where(FeedbackItem.party_type == party[0], FeedbackItem.party_id == party[1])
        if created_from is not None:
            query = query.where(FeedbackItem.created_at >= created_from)
        if created_before is not None:
            query = query.where(FeedbackItem.created_at < created_before)
        if category is not None:
            row = await scope.select(FeedbackCategory, FeedbackCategory.id).where(
                FeedbackCategory.key == category).first()
            query = query.where(FeedbackItem.category == (row["id"] if row else 0))
        return await query.order_by(FeedbackItem.id, ascending=False).limit(limit)

    async def submit_feedback(self, scope: TenantScope, slug: str, person_id: int, data: dict[str, Any], *,
                              idempotency_key: str) -> tuple[int, str, bool]:
        """Submit a feedback item for a resident (``data`` as the resident's form has it: category
        key, description…); returns ``(item id, tracking number, new)``. The same key twice
        gives the same item."""
        self.require("feedback:write")
        from core.config import Settings
        from core.feedback import services as feedback
        from core.feedback.tables import FeedbackCategory

        values = dict(data)
        if "category" in values and not str(values["category"]).isdigit():
            row = await scope.select(FeedbackCategory, FeedbackCategory.id).where(
                FeedbackCategory.key == values["category"]).first()
            values["category"] = str(row["id"]) if row else ""
        submission = await feedback.clean(scope, values, person_id=person_id)
        item, new = await feedback.submit(Settings.from_env(), scope, slug, person_id, submission,
                                          idempotency_key=idempotency_key, source="app")
        return item.id, item.tracking_number, new

    async def _own_item(self, scope: TenantScope, item_id: int, *, for_update: bool = False):
        """One of the district's items in a category of this plugin (NotFound otherwise)."""
        from core.feedback.tables import FeedbackCategory, FeedbackItem

        item = await scope.get(FeedbackItem, item_id, for_update=for_update)
        category = await scope.get(FeedbackCategory, item.category) if item is not None else None
        if category is None or not category.key.startswith(f"{self.name}_"):
            raise NotFound()
        return item, category

    async def feedback_item(self, scope: TenantScope, item_id: int, *, reader_id: int,
                            may_read) -> dict[str, Any]:
        """One item of this plugin's categories as ``reader_id`` sees it: its state, deadlines
        and timeline (``at``, ``action``, ``state``, ``label``, ``note``). A private item's
        description and notes are opened through the encryption service for the resident and
        whoever ``may_read(reader_id)`` allows, every read audited; anyone else reads
        "(sealed)"."""
        self.require("feedback:read")
        from core.config import Settings
        from core.feedback import reading, workflow

        item, _category = await self._own_item(scope, item_id)
        allowed = reader_id == item.submitter or bool(may_read(reader_id))
        if allowed:
            seen = await reading.view(Settings.from_env(), scope, item, reader_id=reader_id,
                                      may_read_private=may_read)
            description, entries = seen.description, seen.timeline
        else:
            from core.feedback.tables import TimelineEntry

            description = Message(reading.SEALED)
            entries = await scope.objects(TimelineEntry).where(TimelineEntry.item == item.id).order_by(
                TimelineEntry.id)
            for entry in entries:
                if entry.sealed:
                    entry.note = Message(reading.SEALED)
        fields = ("id", "tracking_number", "state", "revision", "submitter", "community_id", "party_type",
                  "party_id", "created_at", "accepted_at", "resolved_at", "closed_at", "accept_due",
                  "resolve_due", "rating")
        return {**{name: getattr(item, name) for name in fields}, "description": description,
                "state_label": Message(workflow.STATE_LABELS[item.state]),
                "timeline": [{"at": entry.at, "action": entry.action, "state": entry.to_state, "actor": entry.actor,
                              "label": Message(workflow.STATE_LABELS.get(entry.to_state, workflow.STATE_LABELS[
                                  "submitted"])), "note": entry.note} for entry in entries]}

    # What a plugin's own staff do to its items: the loop's moves, with a note each.
    FEEDBACK_ACTIONS = ("accept", "start", "answer", "resolve")

    async def feedback_act(self, scope: TenantScope, item_id: int, action: str, *, actor_id: int,
                           note: str = "", revision: int | None = None) -> None:
        """Move an item of this plugin's categories, as the plugin's own staff (whom the plugin
        has checked): ``accept`` (受理), ``start``, ``answer`` (a note on the timeline, the
        state unchanged) or ``resolve`` (a note required). The resident is told, the timeline
        records it (a private item's note sealed), and a move from the wrong state, or on a
        revision someone else changed meanwhile, is a Conflict."""
        self.require("feedback:write")
        from core.config import Settings
        from core.feedback import workflow
        from core.feedback.tables import FeedbackItem

        if action not in self.FEEDBACK_ACTIONS:
            raise ValueError(f"unknown feedback action {action!r}")
        text = workflow._note(note, required=action in ("answer", "resolve"))
        slug = await self.slug_of(scope)
        async with scope.transaction(write=True):
            await self._own_item(scope, item_id)
            if action == "answer":
                item = await scope.get(FeedbackItem, item_id, for_update=True)
                if item.state not in workflow.OPEN:
                    raise Conflict(Message("This cannot be done to an item that is %(state)s.",
                                           {"state": Message(workflow.STATE_LABELS[item.state])}))
                await workflow._move(scope, slug, item, "answer", actor_id, note=text, settings=Settings.from_env())
                return
            item = await workflow._locked(scope, item_id, revision, action)
            values: dict[Any, Any] = {}
            if action == "accept":
                values[FeedbackItem.accepted_at] = now()
            elif action == "resolve":
                values[FeedbackItem.resolved_at] = now()
            await workflow._move(scope, slug, item, action, actor_id, note=text, values=values,
                                 settings=Settings.from_env())

    async def feedback_deadlines(self, scope: TenantScope, item_id: int, *, accept_due, resolve_due) -> None:
        """Give an item of this plugin's categories other deadlines (a green channel's
        shorter ones); the escalation job keeps to them."""
        self.require("feedback:write")
        from core.feedback.tables import FeedbackItem

        if resolve_due < accept_due:
            raise ValueError("resolving cannot be due before accepting")
        async with scope.transaction(write=True):
            await self._own_item(scope, item_id, for_update=True)
            await scope.update(FeedbackItem, {FeedbackItem.accept_due: accept_due,
                                              FeedbackItem.resolve_due: resolve_due}).where(
                FeedbackItem.id == item_id)

    async def published_notices(self, scope: TenantScope, *, limit: int = 20) -> list[dict[str, Any]]:
        """The district's published notices, newest first (title, link, published time)."""
        self.require("notices:read")
        from core.notices.tables import Notice, NoticeStatus

        rows = await scope.select(Notice.root, Notice.title, Notice.published_at).where(
            Notice.status == NoticeStatus.published.value).order_by(Notice.published_at, ascending=False).limit(limit)
        return rows

    # Appointment slots ---------------------------------------------------------------

    @property
    def appointments(self) -> "Appointments":
        """Slots people book (a counselling session, a lawyer's duty hour, an activity), kept
        under this plugin's kinds ``<plugin>.<what>`` (appointments:use)."""
        self.require("appointments:use")
        return Appointments(self)

    # Files and protected data --------------------------------------------------------

    def ledger(self, accounts: type[LedgerAccount], transfers: type[LedgerTransfer]) -> Ledger:
        """A book of the plugin's own (``core.ledger``): append-only, double-entry transfers
        between accounts, each with an idempotency key, in two tables of the plugin's deriving
        from :class:`LedgerAccount` and :class:`LedgerTransfer`."""
        for table in (accounts, transfers):
            if not table._meta.tablename.startswith(f"{self.name}_"):
                raise CapabilityError(self.name, f"the ledger table {table._meta.tablename} (not the plugin's own)")
        return Ledger(accounts, transfers)

    async def store_file(self, scope: TenantScope, filename: str, content: bytes, content_type: str) -> str:
        """Keep a file for the district (in the namespace of this plugin); returns its key."""
        self.require("storage:use")
        from core.config import Settings
        from core.storage import store

        return await store.put(scope, self.name, content, content_type=content_type, filename=filename,
                               store=store.store_for(Settings.from_env()))

    async def read_file(self, scope: TenantScope, key: str):
        """A file this district keeps (``.data``, ``.content_type``, ``.filename``); NotFound otherwise."""
        self.require("storage:use")
        from core.config import Settings
        from core.storage import store

        return await store.get(scope, key, store=store.store_for(Settings.from_env()))

    async def seal(self, scope: TenantScope, person_id: int, table: str, row_id: int, plaintext: str) -> str:
        """Encrypt data about a person with the district's keys (bound to the row it is kept in)."""
        self.require("encryption:use")
        from core.config import Settings
        from core.protection import services as protection

        return await protection.seal(Settings.from_env(), scope, person_id, table, row_id, plaintext)

    async def erase_sealed(self, scope: TenantScope, column, *, since, before, where: tuple = ()) -> int:
        """For the ``erase_sensitive_data`` hook: replace the sealed values in ``column`` (of one
        of the plugin's tables) of the district's rows whose ``since`` column is before
        ``before`` (and that meet ``where``) by a marker saying when they were erased; returns
        how many. Reading one afterwards raises :class:`Erased`."""
        self.require("encryption:use")
        from core.protection import retention

        table = column._meta.table._meta.tablename
        if not table.startswith(f"{self.name}_"):
            raise CapabilityError(self.name, f"erasing in the table {table} (not the plugin's own)")
        return await retention.erase_sealed(scope, column, since=since, before=before, where=tuple(where))

    @staticmethod
    def erased_note(erased: "Erased") -> Message:
        """What to show in place of a value erased under the district's retention."""
        from core.protection import retention

        return retention.erased_note(erased.at)

    async def read_sealed(self, scope: TenantScope, *, reader_id: int, person_id: int, table: str, row_id: int,
                          sealed: str, may_read, purpose: str = "") -> str:
        """Decrypt sealed data: the person, or whoever ``may_read(reader_id)`` allows; audited.
        A value erased under the district's retention raises :class:`Erased`."""
        self.require("encryption:use")
        from core.config import Settings
        from core.protection import services as protection

        return await protection.read(Settings.from_env(), scope, reader_id=reader_id, person_id=person_id,
                                     table=table, row_id=row_id, sealed=sealed, may_read=may_read, purpose=purpose)


class Appointments:
    """A plugin's appointment slots (``plugin.appointments``): each has a ``kind`` that starts
    with the plugin's name and a dot (``mental_health.counselling``), and a plugin reaches only
    its own kinds: another's slot ids answer NotFound, another's kinds are refused. Every
    call needs the capability appointments:use. Times are timezone-aware; people booked are
    reminded by core the day before (notification kind ``<kind>.reminder``) and told when a
    slot is cancelled (``<kind>.cancelled``), linked to the slot's ``link``."""

    __slots__ = ("_plugin",)

    def __init__(self, plugin: Plugin) -> None:
        self._plugin = plugin

    def __repr__(self) -> str:
        return f"Appointments({self._plugin.name!r})"

    @property
    def _namespace(self) -> str:
        self._plugin.require("appointments:use")
        return f"{self._plugin.name}."

    def _kind(self, kind: str) -> str:
        namespace = self._namespace
        if not isinstance(kind, str) or not kind.startswith(namespace) or kind == namespace:
            raise CapabilityError(self._plugin.name, f"the appointment kind {kind!r} (use {namespace}…)")
        return kind

    async def schedule_weekly(self, scope: TenantScope, kind: str, rule: WeeklyRule, *, host: int | None = None,
                              title: str = "", place: str = "", link: str = "") -> int:
        """Make the slots of a weekly rule (local time, holidays left out) that do not exist
        yet and have not started; returns how many were made (the same rule twice: none)."""
        from core.appointments import services

        return await services.schedule_weekly(scope, self._kind(kind), rule, host=host, title=title, place=place,
                                              link=link)

    async def create_slot(self, scope: TenantScope, kind: str, starts_at, ends_at, *, capacity: int = 1,
                          host: int | None = None, title: str = "", place: str = "", link: str = "") -> int:
        """One slot; returns its id (Conflict when the kind and host have one starting then)."""
        from core.appointments import services

        slot = await services.create_slot(scope, self._kind(kind), starts_at, ends_at, capacity=capacity, host=host,
                                          title=title, place=place, link=link)
        return slot.id

    async def cancel_slot(self, scope: TenantScope, slot_id: int, reason: str) -> int:
        """Cancel a slot and its bookings, telling each person booked why; returns how many."""
        from core.appointments import services

        return await services.cancel_slot(scope, slot_id, reason, namespace=self._namespace)

    async def book(self, scope: TenantScope, slot_id: int, person_id: int) -> int:
        """Book a place for a person; returns the booking's id. Conflict when the slot is full,
        cancelled or has started, or the person already holds a place in it."""
        from core.appointments import services

        return await services.book(scope, slot_id, person_id, namespace=self._namespace)

    async def cancel_booking(self, scope: TenantScope, booking_id: int, *, person_id: int | None = None) -> None:
        """Cancel a booking and free its place (``person_id``: only if it is theirs); not once
        the slot has started."""
        from core.appointments import services

        await services.cancel_booking(scope, booking_id, person_id=person_id, namespace=self._namespace)

    async def slot(self, scope: TenantScope, slot_id: int) -> dict[str, Any]:
        """One slot's fields, and ``free`` (places left)."""
        from core.appointments import services

        return await services.slot(scope, slot_id, namespace=self._namespace)

    async def free_slots(self, scope: TenantScope, kind: str, start, end, *,
                         host: int | None = None) -> list[dict[str, Any]]:
        """Slots of a kind (of one host) starting between ``start`` and ``end`` that can still
        be booked, in order of time."""
        from core.appointments import services

        return await services.free_slots(scope, self._kind(kind), start, end, host=host)

    async def slots(self, scope: TenantScope, kind: str, start, end, *,
                    host: int | None = None) -> list[dict[str, Any]]:
        """Every slot of a kind (of one host) starting between ``start`` and ``end``, free, full
        or cancelled, in order of time: a host's roster (each with ``free``)."""
        from core.appointments import services

        return await services.slots(scope, self._kind(kind), start, end, host=host)

    async def bookings_of(self, scope: TenantScope, person_id: int, *, upcoming_only: bool = False,
                          include_cancelled: bool = False) -> list[dict[str, Any]]:
        """A person's bookings of this plugin's slots, with each slot's time and place."""
        from core.appointments import services

        return await services.bookings_of(scope, person_id, namespace=self._namespace, upcoming_only=upcoming_only,
                                          include_cancelled=include_cancelled)

    async def roster(self, scope: TenantScope, slot_id: int, *,
                     include_cancelled: bool = False) -> list[dict[str, Any]]:
        """Who booked a slot, in the order they booked."""
        from core.appointments import services

        return await services.roster(scope, slot_id, namespace=self._namespace, include_cancelled=include_cancelled)
