"""The SMS gateway contract and the plain pluggy manager that finds the gateway.

The plugin-host issue replaces this manager with the full host (loading, enablement);
the hooks stay the same.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Protocol

import pluggy

from core import hookspecs
from core.config import Settings


@dataclass(frozen=True)
class DeliveryResult:
    accepted: bool
    provider: str
    provider_message_id: str = ""
    error: str = ""
    # The address will never work again (e.g. a push subscription its vendor dropped).
    gone: bool = False


class SmsGateway(Protocol):
    name: str

    async def send_code(self, phone: str, code: str, purpose: str, language: str) -> DeliveryResult: ...

    async def send_notice(self, phone: str, text: str, language: str) -> DeliveryResult: ...


_manager: pluggy.PluginManager | None = None


def plugin_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        from core.messaging import outbox

        from core.notifications import personal_data as notifications_data

        manager.register(outbox, name="core.messaging.outbox")
        manager.register(notifications_data, name="core.notifications.personal_data")
        _manager = manager
    return _manager


def sms_gateway(settings: Settings) -> SmsGateway:
    gateway = plugin_manager().hook.sms_gateway(settings=settings)
    if gateway is None:
        raise RuntimeError("no SMS gateway is registered")
    return gateway


async def call_all(hook_name: str, **kwargs: Any) -> list[Any]:
    """Call every implementation of a hook, awaiting those that are coroutines."""
    results = getattr(plugin_manager().hook, hook_name)(**kwargs)
    return [await result if inspect.isawaitable(result) else result for result in results]
