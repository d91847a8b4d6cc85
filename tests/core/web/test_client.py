"""X-Forwarded-For is believed only from configured proxies."""

from dataclasses import replace
from types import SimpleNamespace

import pytest

from core.config import Settings
from core.web.client import client_address


def _request(peer: str, forwarded: str | None, proxies: tuple[str, ...]):
    settings = replace(Settings.from_env(), trusted_proxies=proxies)
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers,
                           app=SimpleNamespace(state=SimpleNamespace(settings=settings)))


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", "1.2.3.4", (), "203.0.113.5"),                       # no proxy configured: forged header ignored
        ("203.0.113.5", "1.2.3.4", ("10.0.0.0/8",), "203.0.113.5"),          # not from a trusted proxy
        ("10.0.0.2", "198.51.100.7", ("10.0.0.0/8",), "198.51.100.7"),       # from our proxy
        ("10.0.0.2", "6.6.6.6, 198.51.100.7", ("10.0.0.0/8",), "198.51.100.7"),  # client-written prefix ignored
        ("10.0.0.2", "198.51.100.7, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.7"),  # two proxies
        ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),
    ],
)
def test_client_address(peer, forwarded, proxies, expected):
    assert client_address(_request(peer, forwarded, proxies)) == expected
