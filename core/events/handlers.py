"""Who handles which event.

A handler is ``async def handle(event: EventContext) -> None``. It is idempotent: delivery is
at least once. ``atomic`` handlers (the default) run inside the transaction that marks their
delivery done, so their database writes happen exactly once; a handler that commits in steps
(a large fan-out) is declared ``atomic=False`` and must be idempotent by construction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.config import Settings
from core.tenancy import TenantScope


@dataclass(frozen=True)
class EventContext:
    settings: Settings
    scope: TenantScope
    event_id: int
    name: str
    payload: dict[str, Any]
    actor_id: int | None
    created_at: datetime

    @property
    def tenant_id(self) -> int:
        return self.scope.tenant_id


Handler = Callable[[EventContext], Awaitable[None]]


@dataclass(frozen=True)
class HandlerSpec:
    event: str
    name: str
    function: Handler
    atomic: bool = True
    plugin: str | None = None


HANDLERS: dict[str, dict[str, HandlerSpec]] = {}


def handles(event: str, *, name: str | None = None, atomic: bool = True,
            plugin: str | None = None) -> Callable[[Handler], Handler]:
    """Declare a handler of ``event``; its name (default: module.function) is what its
    deliveries record, so renaming a handler leaves its old deliveries unmatched."""

    def declare(function: Handler) -> Handler:
        handler_name = name or f"{function.__module__}.{function.__name__}"
        HANDLERS.setdefault(event, {})[handler_name] = HandlerSpec(event, handler_name, function, atomic, plugin)
        return function

    return declare


def forget_plugin(plugin: str) -> None:
    for specs in HANDLERS.values():
        for name in [n for n, spec in specs.items() if spec.plugin == plugin]:
            del specs[name]


def for_event(event: str) -> list[HandlerSpec]:
    from core.jobs import registry

    registry.load()  # the modules that declare jobs also declare core's handlers
    return list(HANDLERS.get(event, {}).values())


def find(event: str, handler: str) -> HandlerSpec | None:
    from core.jobs import registry

    registry.load()
    return HANDLERS.get(event, {}).get(handler)
