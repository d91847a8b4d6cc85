"""``gongzhi plugin publish``: posting a wheel to a Gongzhi's marketplace API, and saying
what came of it in lines a publisher reads at a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    ok: bool
    text: str


async def publish(wheel: Path, *, url: str, token: str, changelog: str = "", language: str = "",
                  transport: httpx.AsyncBaseTransport | None = None) -> Outcome:
    """Uploads ``wheel`` to the platform at ``url`` with a publisher's ``token``; the platform
    answers in ``language`` (the CLI's own, from the environment)."""
    wheel = Path(wheel)
    try:
        data = wheel.read_bytes()
    except OSError as error:
        return Outcome(False, f"{wheel}: cannot be read ({error.strerror or error})")
    async with httpx.AsyncClient(base_url=url.rstrip("/"), transport=transport, timeout=TIMEOUT_SECONDS) as client:
        try:
            response = await client.post(
                "/api/v1/marketplace/releases",
                headers={"Authorization": f"Bearer {token}", "Accept-Language": language or "*"},
                files={"wheel": (wheel.name, data, "application/zip")}, data={"changelog": changelog})
        except httpx.HTTPError as error:
            return Outcome(False, f"{url}: cannot be reached ({error})")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 201:
        return Outcome(True, f"Uploaded {body['plugin']} {body['version']}: pending review\nsha256 {body['sha256']}")
    problems = [str(message) for message in (body.get("errors") or {}).values()]
    detail = body.get("detail") or response.reason_phrase
    return Outcome(False, "\n".join(problems) or f"{response.status_code} {detail}")
