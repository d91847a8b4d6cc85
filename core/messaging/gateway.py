"""The SMS gateway contract, found through the plugin host's global hooks."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Protocol

import pluggy

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


def plugin_manager() -> pluggy.PluginManager:
    from core.plugins.host import host

    return host().manager


def sms_gateway(settings: Settings) -> SmsGateway:
    gateway = plugin_manager().hook.sms_gateway(settings=settings)
    if gateway is None:
        raise RuntimeError("no SMS gateway is registered")
    return gateway


async def call_all(hook_name: str, **kwargs: Any) -> list[Any]:
    """Call every implementation of a hook, awaiting those that are coroutines."""
    results = getattr(plugin_manager().hook, hook_name)(**kwargs)
    return [await result if inspect.isawaitable(result) else result for result in results]
