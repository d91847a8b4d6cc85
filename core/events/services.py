"""Emitting events and delivering them."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any, Sequence

from core import clock
from core.config import Settings
from core.events.handlers import EventContext, find, for_event
from core.events.tables import DeliveryStatus, Event, EventDelivery
from core.tenancy import TenantScope, json_rows, rows_from_json, typed

log = logging.getLogger("gongzhi.events")

DELIVER_JOB = "events_deliver"
# After the n-th failed attempt a delivery waits BACKOFF[n-1]; after the last it is failed.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
           timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1


async def emit(scope: TenantScope, name: str, payload: dict[str, Any] | None = None, *,
               actor_id: int | None = None) -> Event:
    """Record event ``name`` in the district's outbox, in the open write transaction (or a
    new one), with one delivery per handler; the deliveries are queued after commit. If the
    transaction rolls back, the event never existed and nothing is delivered."""
    async with scope.transaction(write=True):
        now = clock.now()
        event = await scope.create(Event, name=name, payload=json.dumps(payload or {}, ensure_ascii=False),
                                   actor_id=actor_id, created_at=now)
        for handler in await _listening(scope, name):
            delivery = await scope.create(EventDelivery, event=event.id, handler=handler, next_attempt_at=now)
            _queue_after_commit(scope.tenant_id, delivery.id)
    return event


async def _listening(scope: TenantScope, name: str) -> list[str]:
    """The handlers that hear ``name`` in the scope's district: a plugin the district has not
    enabled hears nothing of it."""
    handlers, plugins = [], None
    for spec in for_event(name):
        if spec.plugin is not None:
            if plugins is None:
                from core.plugins import enablement

                plugins = await enablement.enabled_in(scope.tenant_id)
            if spec.plugin not in plugins:
                continue
        handlers.append(spec.name)
    return handlers


async def emit_many(scope: TenantScope, name: str, payloads: Sequence[dict[str, Any]], *,
                    actor_id: int | None = None) -> list[int]:
    """:func:`emit` of one event ``name`` per payload, in a few statements however many there
    are (one event, and one delivery per handler, each, as :func:`emit` writes them); returns
    the events' ids."""
    if not payloads:
        return []
    async with scope.transaction(write=True):
        now = clock.now()
        rows = await scope.raw(
            Event,
            "INSERT INTO core_event (tenant_id, name, payload, actor_id, created_at) "
            f"SELECT {{tenant}}, {typed('text')}, v.payload, {typed('integer')}, {typed('timestamptz')} "
            f"FROM {rows_from_json({'payload': 'text'})} RETURNING id",
            name, actor_id, now, json_rows({"payload": json.dumps(p, ensure_ascii=False)} for p in payloads))
        event_ids = sorted(row["id"] for row in rows)
        handlers = await _listening(scope, name)
        if handlers:
            deliveries = await scope.raw(
                EventDelivery,
                "INSERT INTO core_event_delivery (tenant_id, event, handler, status, attempts, next_attempt_at, "
                "last_error, done_at) "
                f"SELECT {{tenant}}, e.id, h.handler, {typed('text')}, 0, {typed('timestamptz')}, '', NULL "
                f"FROM {rows_from_json({'id': 'integer'}, 'e')} CROSS JOIN {rows_from_json({'handler': 'text'}, 'h')} "
                "RETURNING id",
                DeliveryStatus.pending.value, now, json_rows({"id": i} for i in event_ids),
                json_rows({"handler": h} for h in handlers))
            for row in sorted(deliveries, key=lambda r: r["id"]):
                _queue_after_commit(scope.tenant_id, row["id"])
    return event_ids


def _queue_after_commit(tenant_id: int, delivery_id: int) -> None:
    from core.jobs import queue

    queue.enqueue_after_commit(DELIVER_JOB, tenant_id, key=delivery_id, delivery_id=delivery_id)


async def deliver(settings: Settings, tenant_id: int, delivery_id: int) -> str:
    """Run one delivery's handler, unless it already ran. Returns what happened:
    ``done``, ``skipped`` (nothing to do), ``retry`` or ``failed``."""
    scope = TenantScope(tenant_id)
    # Claim an attempt first, in its own transaction: a handler that keeps timing out or
    # crashing the process still uses up its attempts and ends as failed.
    async with scope.transaction(write=True):
        delivery = await scope.get(EventDelivery, delivery_id, for_update=True)
        if delivery is None or delivery.status != DeliveryStatus.pending.value:
            return "skipped"
        event = await scope.get(Event, delivery.event)
        spec = find(event.name, delivery.handler)
        attempt = delivery.attempts + 1
        if spec is None or attempt > MAX_ATTEMPTS:
            reason = "no such handler" if spec is None else delivery.last_error
            await scope.update(EventDelivery, {EventDelivery.status: DeliveryStatus.failed.value,
                                               EventDelivery.last_error: reason}).where(EventDelivery.id == delivery_id)
            log.error("event delivery %s (%s → %s) failed for good: %s", delivery_id, event.name, delivery.handler,
                      reason)
            return "failed"
        await scope.update(EventDelivery, {
            EventDelivery.attempts: attempt,
            EventDelivery.next_attempt_at: clock.now() + BACKOFF[min(attempt, len(BACKOFF)) - 1],
        }).where(EventDelivery.id == delivery_id)

    if spec.plugin is not None:
        from core.plugins import enablement

        if spec.plugin not in await enablement.enabled_in(tenant_id):
            async with scope.transaction(write=True):
                await _mark_done(scope, delivery_id)
            return "skipped"
    context = EventContext(settings, scope, event.id, event.name, json.loads(event.payload or "{}"), event.actor_id,
                           event.created_at)
    try:
        if spec.atomic:
            async with scope.transaction(write=True):
                current = await scope.get(EventDelivery, delivery_id, for_update=True)
                if current.status != DeliveryStatus.pending.value:  # a concurrent run finished it
                    return "skipped"
                await spec.function(context)
                await _mark_done(scope, delivery_id)
        else:
            await spec.function(context)
            async with scope.transaction(write=True):
                await _mark_done(scope, delivery_id)
    except Exception as error:
        log.exception("event delivery %s (%s → %s) attempt %d failed", delivery_id, event.name, spec.name, attempt)
        if spec.plugin is not None:
            from core.plugins import failures

            await failures.record(tenant_id, spec.plugin, f"event handler {spec.name}", error)
        await scope.update(EventDelivery, {EventDelivery.last_error: f"{type(error).__name__}: {error}"[:2000]}).where(
            EventDelivery.id == delivery_id)
        return "retry"
    except asyncio.CancelledError:
        # Stopped at the delivery job's timeout (its attempt is already counted): a plugin's
        # handler that hangs is counted against the plugin like one that raises.
        if spec.plugin is not None:
            from core.plugins import failures

            await failures.record(tenant_id, spec.plugin, f"event handler {spec.name}",
                                  TimeoutError("stopped before it finished"))
        raise
    return "done"


async def _mark_done(scope: TenantScope, delivery_id: int) -> None:
    await scope.update(EventDelivery, {EventDelivery.status: DeliveryStatus.done.value,
                                       EventDelivery.done_at: clock.now()}).where(EventDelivery.id == delivery_id)


async def requeue_waiting(before) -> int:
    """The sweep's part for events: queue again every pending delivery whose time has come."""
    from core import platform_scope

    waiting = await platform_scope.waiting_event_deliveries(before)
    from core.jobs import queue

    for row in waiting:
        await queue.enqueue(DELIVER_JOB, row["tenant_id"], key=row["id"], delivery_id=row["id"])
    return len(waiting)



