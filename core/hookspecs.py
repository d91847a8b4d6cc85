"""Every extension point of Gongzhi, and nothing else.

Plugins mark implementations with ``pluggy.HookimplMarker("gongzhi")`` (``core.hookspecs.hookimpl``).
An implementation may be ``async def``: callers await whatever a hook returns that is
awaitable. Hooks here are global (not tenant-scoped) unless their docstring says otherwise.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "gongzhi"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# Messaging -----------------------------------------------------------------------------


@hookspec(firstresult=True)
def sms_gateway(settings: Any) -> Any:
    """Called when Gongzhi first sends an SMS; returns the gateway that sends them.

    firstresult: the first implementation that returns a gateway wins; the development
    gateway (``core.messaging.outbox``) is registered ``trylast``, so any provider plugin
    takes precedence. Global.

    The gateway is an object with two coroutine methods, each returning a
    :class:`core.messaging.gateway.DeliveryResult`:

    * ``send_code(phone, code, purpose, language)``: a one-time code (purpose is
      ``"register"``, ``"login"``, ``"reset"`` or ``"invitation"``); the provider chooses its
      approved template for the purpose and language.
    * ``send_notice(phone, text, language)``: a short notice (at most 300 characters).

    ``phone`` is an 11-digit mainland mobile number. A provider that cannot send returns
    ``DeliveryResult(accepted=False, error=…)``; it does not raise.
    """


# Personal data -------------------------------------------------------------------------


@hookspec
def export_personal_data(person_id: int) -> Any:
    """Called when a person downloads their data; returns ``{section_name: json_value}``
    with what the implementation holds about them (or None). Global: covers every district."""


@hookspec
def erase_personal_data(person_id: int, pseudonym: str) -> None:
    """Called when a person is erased, inside the erasing transaction: replace their personal
    fields with ``pseudonym`` and make their encrypted data unreadable; keep ledgers whole.
    Global."""
