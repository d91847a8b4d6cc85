"""Email goes through a real SMTP conversation (aiosmtpd), or to the outbox when no SMTP is set."""

import socket
from dataclasses import replace

from core.config import Settings
from core.messaging import outbox
from core.messaging.email import send_email


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_email_over_smtp(smtp_server, tmp_path):
    controller, handler = smtp_server
    settings = replace(Settings.from_env(), smtp_url=f"smtp://127.0.0.1:{controller.port}", var_dir=tmp_path)
    result = await send_email(settings, "li.na@example.com", "共治：重置密码", "请打开链接：https://example/reset")
    assert result.accepted and result.provider == "smtp"
    assert len(handler.messages) == 1
    received = handler.messages[0]
    assert received["To"] == "li.na@example.com"
    assert "重置密码" in str(received["Subject"]) or received["Subject"]
    assert "https://example/reset" in received.get_payload(decode=True).decode("utf-8")
    assert not (tmp_path / "outbox").exists()


async def test_unreachable_smtp_is_a_failed_delivery_not_a_crash(tmp_path):
    settings = replace(Settings.from_env(), smtp_url=f"smtp://127.0.0.1:{_free_port()}", var_dir=tmp_path)
    result = await send_email(settings, "li.na@example.com", "subject", "body")
    assert not result.accepted and result.error


async def test_email_without_smtp_goes_to_the_outbox(tmp_path):
    settings = replace(Settings.from_env(), smtp_url=None, var_dir=tmp_path)
    result = await send_email(settings, "li.na@example.com", "主题", "正文")
    assert result.accepted and result.provider == "outbox"
    [message] = outbox.read(tmp_path / "outbox" / "email", to="li.na@example.com")
    assert message["subject"] == "主题" and message["body"] == "正文"
