from __future__ import annotations

import pytest

from core.config import PUSH_SERVICES
from tests.push_receiver import PushReceiver


@pytest.fixture(autouse=True)
def local_push_service(monkeypatch):
    """The deployment takes the local receiver as a push service too (autouse: the settings that
    the app and the job runner read are made after it)."""
    monkeypatch.setenv("GONGZHI_PUSH_SERVICES", ",".join((*PUSH_SERVICES, "http://127.0.0.1")))


@pytest.fixture
def receiver():
    with PushReceiver() as running:
        yield running
