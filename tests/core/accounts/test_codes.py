"""One-time codes: 6 digits, 5 minutes, single use, limited tries and sends."""

from datetime import timedelta

import pytest

from core import clock
from core.accounts import codes
from core.accounts.tables import OneTimeCode
from core.config import Settings
from core.forms import FieldError
from core.throttle import Throttle
from tests.http import last_code


@pytest.fixture
def settings():
    return Settings.from_env()


@pytest.fixture
def throttle():
    return Throttle(None)


async def _send(settings, throttle, phone="13800000001", purpose="login", address="10.0.0.1"):
    await codes.issue(settings, throttle, purpose, "phone", phone, address)
    return last_code(phone)


async def test_a_code_is_six_digits_and_only_its_hash_is_kept(database, settings, throttle):
    code = await _send(settings, throttle)
    assert len(code) == 6 and code.isdigit()
    stored = await OneTimeCode.objects().first()
    assert code not in stored.code_hash and len(stored.code_hash) == 64


async def test_a_code_works_once(database, settings, throttle):
    code = await _send(settings, throttle)
    await codes.check(settings, "login", "13800000001", code)
    with pytest.raises(FieldError) as raised:
        await codes.check(settings, "login", "13800000001", code)
    assert "already used" in raised.value.message.msgid


async def test_a_code_expires_after_five_minutes(database, settings, throttle):
    code = await _send(settings, throttle)
    clock.advance(timedelta(minutes=5, seconds=1))
    with pytest.raises(FieldError) as raised:
        await codes.check(settings, "login", "13800000001", code)
    assert "expired" in raised.value.message.msgid


async def test_five_wrong_tries_end_a_code(database, settings, throttle):
    code = await _send(settings, throttle)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(FieldError) as raised:
            await codes.check(settings, "login", "13800000001", wrong)
        assert raised.value.message.params == {"left": left}
    with pytest.raises(FieldError):
        await codes.check(settings, "login", "13800000001", wrong)
    with pytest.raises(FieldError) as raised:
        await codes.check(settings, "login", "13800000001", code)
    assert "Too many wrong codes" in raised.value.message.msgid


async def test_a_code_is_for_one_purpose_and_one_number(database, settings, throttle):
    code = await _send(settings, throttle, purpose="register")
    with pytest.raises(FieldError):
        await codes.check(settings, "login", "13800000001", code)
    with pytest.raises(FieldError):
        await codes.check(settings, "register", "13800000002", code)
    await codes.check(settings, "register", "13800000001", code)


async def test_a_new_code_ends_the_old_one(database, settings, throttle):
    first = await _send(settings, throttle)
    second = await _send(settings, throttle)
    if first != second:
        with pytest.raises(FieldError):
            await codes.check(settings, "login", "13800000001", first)
    await codes.check(settings, "login", "13800000001", second)


async def test_sends_are_limited_per_number_per_hour(database, settings, throttle):
    for _ in range(5):
        await _send(settings, throttle)
    with pytest.raises(codes.TooManyRequests) as raised:
        await _send(settings, throttle)
    assert 0 < raised.value.retry_after <= 3600
    await _send(settings, throttle, phone="13800000002")  # another number is not held up
    clock.advance(timedelta(hours=1))
    await _send(settings, throttle)


async def test_sends_are_limited_per_client_address(database, settings, throttle):
    for number in range(20):
        await _send(settings, throttle, phone=f"138000001{number:02d}", address="10.9.9.9")
    with pytest.raises(codes.TooManyRequests):
        await _send(settings, throttle, phone="13800000299", address="10.9.9.9")
