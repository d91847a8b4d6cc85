"""The client's address. ``X-Forwarded-For`` is believed only from configured proxies
(``GONGZHI_TRUSTED_PROXIES``: addresses or networks, comma-separated)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from litestar import Request


@lru_cache(maxsize=32)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress._BaseNetwork, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(proxies))


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else ""
    proxies = request.app.state.settings.trusted_proxies
    if not proxies or not _trusted(peer, proxies):
        return peer
    # Walk the chain from the nearest hop; the first address that is not a trusted proxy
    # is the client. Anything to its left was written by the client and proves nothing.
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return forwarded[0] if forwarded else peer
