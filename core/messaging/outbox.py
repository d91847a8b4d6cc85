"""The development message providers: what would be sent is written to ``var/outbox/``.

One JSON file per message, ``var/outbox/sms/…json`` and ``var/outbox/email/…json``, so a
developer can read the codes and links, and tests can too. Used for SMS unless a provider
plugin is installed, and for email unless ``GONGZHI_SMTP_URL`` is set.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from core import clock
from core.config import Settings
from core.hookspecs import hookimpl
from core.messaging.gateway import DeliveryResult


def write(folder: Path, message: dict[str, Any]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    message_id = f"{clock.now().strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(4)}"
    path = folder / f"{message_id}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"id": message_id, "at": clock.now().isoformat(), **message},
                                    ensure_ascii=False, indent=2), encoding="utf-8")
    temporary.rename(path)  # readers never see half a message
    return message_id


def read(folder: Path, **match: Any) -> list[dict[str, Any]]:
    """Messages in ``folder`` whose fields equal ``match``, oldest first."""
    if not folder.exists():
        return []
    messages = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]
    return [m for m in messages if all(m.get(key) == value for key, value in match.items())]


class OutboxSmsGateway:
    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send_code(self, phone: str, code: str, purpose: str, language: str) -> DeliveryResult:
        text = (f"【共治】您的验证码是 {code}，5 分钟内有效。如非本人操作，请忽略本短信。" if language == "zh-Hans"
                else f"[Gongzhi] Your code is {code}. It expires in 5 minutes. If you did not ask for it, ignore this.")
        message_id = write(self.folder, {"to": phone, "kind": "code", "purpose": purpose, "code": code,
                                         "text": text})
        return DeliveryResult(accepted=True, provider=self.name, provider_message_id=message_id)

    async def send_notice(self, phone: str, text: str, language: str) -> DeliveryResult:
        message_id = write(self.folder, {"to": phone, "kind": "notice", "text": text[:300]})
        return DeliveryResult(accepted=True, provider=self.name, provider_message_id=message_id)


@hookimpl(trylast=True)
def sms_gateway(settings: Settings) -> OutboxSmsGateway:
    return OutboxSmsGateway(settings.outbox_dir / "sms")
