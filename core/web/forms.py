"""Reading form posts and answering them: what routes share for HTML forms."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from core.errors import ValidationFailed
from core.i18n import Message

# Fields never sent back into a page.
_NEVER_ECHOED = {"password", "password_confirm", "_csrf_token"}


async def form_data(request: Request) -> dict[str, str]:
    """The posted form as a dict of the last value of each field."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


async def uploaded_parts(request: Request, name: str) -> list[tuple[str, str, bytes]]:
    """The files posted in field ``name`` of a multipart form, as (filename, declared content
    type, bytes); a file input left empty sends a part without a filename, which is no file.
    ValidationFailed on ``name`` when a file's bytes contradict the type it was sent as."""
    from core.storage.sniff import check_declared

    form = await request.form()
    parts = form.getall(name) if name in form else []
    files = []
    for part in parts:
        if isinstance(part, UploadFile) and part.filename:
            data = await part.read()
            check_declared(part.filename, part.content_type or "", data, field=name)
            files.append((part.filename, part.content_type or "", data))
    return files


async def uploaded_files(request: Request, name: str) -> list[tuple[str, bytes]]:
    """:func:`uploaded_parts` as (filename, bytes): what core's stores judge by the bytes alone."""
    return [(filename, data) for filename, _declared, data in await uploaded_parts(request, name)]


def echo(data: dict[str, str]) -> dict[str, str]:
    """What was typed, to put back into the form (passwords excepted)."""
    return {key: value for key, value in data.items() if key not in _NEVER_ECHOED}


def form_errors(error: ValidationFailed) -> dict[str, str]:
    return {name: str(message) for name, message in error.errors.items()}


def rerender(template: str, data: dict[str, str], errors: dict[str, Message] | ValidationFailed,
             status_code: int = 422, **context: Any) -> Template:
    """The form again, with each error next to its field and what was typed kept."""
    if isinstance(errors, ValidationFailed):
        errors = errors.errors
    return Template(
        template,
        context={"values": echo(data), "errors": {name: str(m) for name, m in errors.items()}, **context},
        status_code=status_code,
    )


def see_other(path: str) -> Redirect:
    """Post/redirect/get: a 303 to the next page."""
    return Redirect(path, status_code=303)


def revision_of(data: dict[str, str]) -> int:
    """The revision a form was rendered with (-1 when missing or bad, which no row has)."""
    value = data.get("revision", "")
    return int(value) if value.isascii() and value.isdigit() else -1
