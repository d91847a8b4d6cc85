"""Platform scope: the short, named list of operations that work across districts.

Everything else reads and writes one district's rows through ``core.tenancy.TenantScope``.
Each operation here is a plain function registered with :func:`platform_operation`; a test
checks that this module is the only other place that queries tenant-owned tables directly,
and that the list below is what it registers. (On PostgreSQL, Row Level Security will let
these through in one documented way: their transaction sets ``app.platform_scope``.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

OPERATIONS: dict[str, str] = {}


def platform_operation(reason: str, *, write: bool = True, name: str | None = None) -> Callable[[F], F]:
    """Register a platform operation; it runs in a transaction that may cross districts. A
    plugin's are named ``<plugin>.<function>`` (``core.sdk.Plugin.platform_operation``)."""

    def register(function: F) -> F:
        OPERATIONS[name or function.__name__] = reason

        @functools.wraps(function)
        async def in_platform_scope(*args, **kwargs):
            from core import db

            async with db.platform_transaction(write=write):
                return await function(*args, **kwargs)

        return in_platform_scope  # type: ignore[return-value]

    return register


@platform_operation("a person's own memberships across their districts, at log-in", write=False)
async def person_memberships(person_id: int) -> dict[int, frozenset[str]]:
    """``{tenant_id: roles}`` for every district where the person holds a role."""
    from core.accounts.tables import Membership, MembershipRole

    memberships = await Membership.select(Membership.id, Membership.tenant_id).where(Membership.person == person_id)
    if not memberships:
        return {}
    tenant_of = {row["id"]: row["tenant_id"] for row in memberships}
    roles: dict[int, set[str]] = {}
    rows = await MembershipRole.select(MembershipRole.membership, MembershipRole.role).where(
        MembershipRole.membership.is_in(list(tenant_of)))
    for row in rows:
        roles.setdefault(tenant_of[row["membership"]], set()).add(row["role"])
    return {tenant_id: frozenset(held) for tenant_id, held in roles.items()}


@platform_operation("a person's own data across their districts, for their export", write=False)
async def person_membership_details(person_id: int) -> list[dict]:
    """Every membership of the person, with its district, unit and roles."""
    from core.accounts.tables import Membership, MembershipRole

    memberships = await Membership.select(
        Membership.id, Membership.tenant_id, Membership.unit_kind, Membership.unit_id, Membership.created_at
    ).where(Membership.person == person_id)
    if not memberships:
        return []
    roles: dict[int, list[str]] = {}
    for row in await MembershipRole.select(MembershipRole.membership, MembershipRole.role).where(
            MembershipRole.membership.is_in([m["id"] for m in memberships])):
        roles.setdefault(row["membership"], []).append(row["role"])
    return [{**m, "roles": sorted(roles.get(m["id"], []))} for m in memberships]


@platform_operation("erasing a person: their memberships end in every district")
async def end_person_memberships(person_id: int) -> int:
    from core.accounts.tables import Membership, MembershipRole

    memberships = await Membership.select(Membership.id).where(Membership.person == person_id)
    ids = [m["id"] for m in memberships]
    if ids:
        await MembershipRole.delete().where(MembershipRole.membership.is_in(ids))
        await Membership.delete().where(Membership.id.is_in(ids))
    return len(ids)


@platform_operation("erasing a person: invitations addressed to their phone or email lose the address")
async def forget_invitation_targets(targets: list[str], pseudonym: str) -> None:
    from core.accounts.tables import Invitation

    if targets:
        await Invitation.update({Invitation.target: pseudonym, Invitation.display_name: pseudonym}).where(
            Invitation.target.is_in(targets))


@platform_operation("erasing a person: their data keys are destroyed in every district")
async def destroy_person_keys(person_id: int) -> int:
    from core import clock
    from core.protection.tables import PersonKey

    keys = await PersonKey.select(PersonKey.id).where(PersonKey.person_id == person_id,
                                                      PersonKey.destroyed_at.is_null())
    if keys:
        await PersonKey.update({PersonKey.wrapped_key: "", PersonKey.destroyed_at: clock.now()}).where(
            PersonKey.id.is_in([k["id"] for k in keys]))
    return len(keys)


@platform_operation("master key rotation: the district keys another master key wrapped, in every district",
                    write=False)
async def district_keys_to_rewrap(current_key_id: str, *, after: int = 0, limit: int = 200) -> list[dict]:
    """``id`` and ``tenant_id`` of district keys not wrapped by ``current_key_id``, after
    ``after`` in id order (each is then wrapped again in its own district's transaction)."""
    from core.protection.tables import DistrictKey

    return await DistrictKey.select(DistrictKey.id, DistrictKey.tenant_id).where(
        DistrictKey.master_key_id != current_key_id, DistrictKey.id > after).order_by(DistrictKey.id).limit(limit)


@platform_operation("master key status: how many district keys each master key wraps, over every district",
                    write=False)
async def district_keys_by_master_key() -> dict[str, int]:
    from piccolo.query.functions.aggregate import Count

    from core.protection.tables import DistrictKey

    rows = await DistrictKey.select(DistrictKey.master_key_id, Count()).group_by(DistrictKey.master_key_id)
    return {row["master_key_id"]: row["count"] for row in rows}


SWEEP_LIMIT = 1000


@platform_operation("the sweep: event deliveries still pending, in every district", write=False)
async def waiting_event_deliveries(before, limit: int = SWEEP_LIMIT) -> list[dict]:
    from core.events.tables import DeliveryStatus, EventDelivery

    return await EventDelivery.select(EventDelivery.id, EventDelivery.tenant_id).where(
        EventDelivery.status == DeliveryStatus.pending.value, EventDelivery.next_attempt_at <= before,
    ).order_by(EventDelivery.next_attempt_at).limit(limit)


@platform_operation("the sweep: notification fan-outs that stopped moving, in every district", write=False)
async def stalled_fan_outs(before, limit: int = SWEEP_LIMIT) -> list[dict]:
    from core.notifications.tables import Notification

    return await Notification.select(Notification.id, Notification.tenant_id, Notification.fan_out_cursor).where(
        Notification.fanned_out_at.is_null(), Notification.progress_at <= before,
    ).order_by(Notification.progress_at).limit(limit)


@platform_operation("the sweep: channel messages due to be sent, in every district", write=False)
async def due_channel_messages(before, limit: int = SWEEP_LIMIT) -> list[dict]:
    from core.notifications.tables import ChannelMessage, ChannelStatus

    return await ChannelMessage.select(ChannelMessage.id, ChannelMessage.tenant_id).where(
        ChannelMessage.status == ChannelStatus.pending.value, ChannelMessage.not_before <= before,
    ).order_by(ChannelMessage.not_before).limit(limit)


@platform_operation("a person's data download: their inbox in every district", write=False)
async def person_inbox(person_id: int) -> list[dict]:
    from core.notifications.tables import InboxEntry

    return await InboxEntry.select(
        InboxEntry.tenant_id, InboxEntry.created_at, InboxEntry.read_at, InboxEntry.notification.kind,
        InboxEntry.notification.title, InboxEntry.notification.link,
    ).where(InboxEntry.person == person_id).order_by(InboxEntry.id)


@platform_operation("erasing a person: their inbox and unsent messages go, in every district")
async def erase_person_inbox(person_id: int) -> None:
    from core.notifications.tables import ChannelMessage, InboxEntry

    await ChannelMessage.delete().where(ChannelMessage.person == person_id)
    await InboxEntry.delete().where(InboxEntry.person == person_id)


@platform_operation("a person's data download: the devices they turned push on in, in every district", write=False)
async def person_push_devices(person_id: int) -> list[dict]:
    from core.push.tables import PushSubscription

    return await PushSubscription.select(
        PushSubscription.tenant_id, PushSubscription.label, PushSubscription.created_at, PushSubscription.last_sent_at,
    ).where(PushSubscription.person == person_id).order_by(PushSubscription.id)


@platform_operation("erasing a person: the devices they turned push on in go, in every district")
async def erase_person_push_devices(person_id: int) -> None:
    from core.push.tables import PushSubscription

    await PushSubscription.delete().where(PushSubscription.person == person_id)


@platform_operation("a person's data download: the appointments they booked, in every district", write=False)
async def person_bookings(person_id: int) -> list[dict]:
    from core.appointments.tables import AppointmentBooking

    return await AppointmentBooking.select(
        AppointmentBooking.tenant_id, AppointmentBooking.slot.kind, AppointmentBooking.slot.title,
        AppointmentBooking.slot.place, AppointmentBooking.slot.starts_at, AppointmentBooking.created_at,
        AppointmentBooking.cancelled_at,
    ).where(AppointmentBooking.person == person_id).order_by(AppointmentBooking.id)


@platform_operation("the sweep: notices due to be published or expired, in every district", write=False)
async def notices_due(before, limit: int = SWEEP_LIMIT) -> list[dict]:
    from core.notices.tables import Notice, NoticeStatus

    scheduled = await Notice.select(Notice.id, Notice.tenant_id, Notice.status).where(
        Notice.status == NoticeStatus.scheduled.value, Notice.publish_at <= before).limit(limit)
    expiring = await Notice.select(Notice.id, Notice.tenant_id, Notice.status).where(
        Notice.status == NoticeStatus.published.value, Notice.expire_at <= before).limit(limit)
    return [*scheduled, *expiring]


@platform_operation("a plugin's per-district scheduled job: the active districts that have it enabled", write=False)
async def districts_with_plugin(plugin: str) -> list[int]:
    from core.plugins.tables import PluginEnablement, PluginState
    from tenants.tables import Tenant, TenantStatus

    enabled = await PluginEnablement.select(PluginEnablement.tenant_id).where(
        PluginEnablement.plugin == plugin, PluginEnablement.state == PluginState.enabled.value)
    active = {row["id"] for row in await Tenant.select(Tenant.id).where(Tenant.status == TenantStatus.active)}
    return sorted(row["tenant_id"] for row in enabled if row["tenant_id"] in active)


@platform_operation("the marketplace's catalogue: how many active districts have each plugin enabled", write=False)
async def plugin_district_counts() -> dict[str, int]:
    """``{plugin: number of active districts where it is enabled}``; a plugin no district has
    enabled is left out."""
    from piccolo.query.functions.aggregate import Count

    from core.plugins.tables import PluginEnablement, PluginState
    from tenants.tables import Tenant, TenantStatus

    active = [row["id"] for row in await Tenant.select(Tenant.id).where(Tenant.status == TenantStatus.active)]
    if not active:
        return {}
    rows = await PluginEnablement.select(PluginEnablement.plugin, Count()).where(
        PluginEnablement.state == PluginState.enabled.value, PluginEnablement.tenant_id.is_in(active),
    ).group_by(PluginEnablement.plugin)
    return {row["plugin"]: row["count"] for row in rows}
