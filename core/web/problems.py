"""What the JSON API documents of its errors: problem-details answers (RFC 9457), as
core.web.errors makes them, for the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.datastructures import ResponseSpec

MEDIA_TYPE = "application/problem+json"

DESCRIPTIONS = {
    400: "The request is malformed: a parameter of the wrong type, or a body the operation cannot read",
    401: "No token, or a token that is unknown or revoked",
    403: "The token may not do this here: a missing scope, another district's token, or no person",
    404: "No such district, or nothing by that id that the token's person may see",
    409: "The resource changed meanwhile, or its state does not allow this",
    413: "The body is larger than the operation accepts",
    422: "Some fields need attention: `errors` maps each field to its message",
}


@dataclass
class ProblemDetails:
    """RFC 9457 problem details; ``errors`` names each bad field (422 only)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, str] | None = None


def problem_responses(*statuses: int, **described: str) -> dict[int, ResponseSpec]:
    """The problem-details answers of ``statuses`` for a route's ``responses``; a description
    given as ``s409="…"`` replaces the general one."""
    return {status: ResponseSpec(ProblemDetails, description=described.get(f"s{status}", DESCRIPTIONS[status]),
                                 media_type=MEDIA_TYPE, generate_examples=False) for status in statuses}
