"""One place that turns errors into responses: a translated page, or problem-details JSON
(RFC 9457) for ``/api/`` paths. A person never sees a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from jinja2 import TemplateNotFound
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect

from core.errors import GongzhiError, ValidationFailed
from core.i18n import Message, N_, gettext, negotiate, reset_language, set_language
from core.templating import environment

log = logging.getLogger("gongzhi.errors")

_TITLES = {
    400: N_("Bad request"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    405: N_("This action is not allowed here"),
    409: N_("Conflict"),
    413: N_("What you sent is too large"),
    422: N_("Some fields need attention"),
    423: N_("This district is not available"),
    429: N_("Too many requests; please wait a moment"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is briefly unavailable"),
}
# How long a 503 asks the client to wait before it tries again (seconds).
RETRY_AFTER_OUTAGE = 5


def _translated(value: Any) -> Any:
    """Field messages become text here, in the language the response is made in."""
    if isinstance(value, dict):
        return {name: str(message) for name, message in value.items()}
    return value


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/schema/openapi.json"


def problem(request: Request, status: int, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": gettext(_TITLES.get(status, N_("Error"))),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update({key: _translated(value) for key, value in extra.items()})
    return Response(body, status_code=status, media_type="application/problem+json")


def page(request: Request, status: int, detail: str | None = None, **context: Any) -> Response:
    env = environment()
    try:
        template = env.get_template(f"errors/{status}.html")
    except TemplateNotFound:
        template = env.get_template("errors/generic.html")
    html = template.render(
        request=request,
        status=status,
        title=gettext(_TITLES.get(status, N_("Error"))),
        detail=detail,
        tenant=request.scope.get("state", {}).get("tenant"),
        **context,
    )
    return Response(html, status_code=status, media_type=MediaType.HTML)


def respond(request: Request, status: int, detail: Message | str | None = None, **extra: Any) -> Response:
    # Errors raised in middleware reach here after the request's language was unset, and
    # unknown paths never set it: settle it again from the request.
    language = request.scope.get("state", {}).get("language") or negotiate(
        request.headers.get("accept-language")
    )
    token = set_language(language)
    try:
        text = str(detail) if detail is not None else None
        if request.url.path.startswith("/t/") and request.url.path.split("/")[3:4] == ["open311"]:
            # Open311 clients read errors in their spec's format.
            from core.open311.routes import error_answer

            return error_answer(request, status, text or gettext(_TITLES.get(status, N_("Error"))))
        if wants_json(request):
            return problem(request, status, text, **extra)
        return page(request, status, text, **extra)
    finally:
        reset_language(token)


def handle_gongzhi_error(request: Request, exc: GongzhiError) -> Response:
    from urllib.parse import quote

    from core.accounts.guards import NotSignedIn, SecondFactorRequired

    if isinstance(exc, NotSignedIn) and not wants_json(request):
        return _to_login(request)
    if isinstance(exc, SecondFactorRequired) and not wants_json(request):
        path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        return Redirect(f"/account/second-factor?required=1&next={quote(path, safe='/')}", status_code=303)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    response = respond(request, exc.status_code, exc.detail, **extra)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["retry-after"] = str(retry_after)
    return response


def _to_login(request: Request) -> Response:
    from urllib.parse import quote

    tenant = request.scope.get("state", {}).get("tenant")
    login = f"/t/{tenant.slug}/login" if tenant is not None else "/login"
    # The path as the browser sent it (Litestar's own path drops a trailing slash).
    path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    target = path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"{login}?next={quote(target, safe='/')}", status_code=303)


# What Litestar's multipart parser says (as a 400) when a form has more parts than allowed.
_TOO_MANY_PARTS = "Request Entity Too Large"


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s at %s: %s", status, request.url.path, exc.detail)
    detail = None
    if status == 400 and exc.detail == _TOO_MANY_PARTS:
        # The parser stopped at the limit, before reading the rest of the parts.
        status = 413
        detail = Message("A form may have at most %(count)s fields and files.",
                         {"count": request.app.state.settings.max_form_parts})
    elif status == 413:
        detail = Message("The limit is %(size)s.", {"size": _size(_body_limit(request))})
    response = respond(request, status, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` (or what it was raised from) is the database or Redis out of reach."""
    from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeout

    from core import db

    seen = 0
    while error is not None and seen < 8:
        if db.is_unavailable(error) or isinstance(error, (RedisConnectionError, RedisTimeout)):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _body_limit(request: Request) -> int:
    """The largest body the route asked for takes (a form with photos takes more than most)."""
    handler = request.scope.get("route_handler")
    try:
        limit = handler.resolve_request_max_body_size() if handler is not None else None
    except Exception:  # noqa: BLE001 (no route, or none of its layers says)
        limit = None
    return limit or request.app.state.settings.max_body_bytes


def _size(count: int) -> str:
    return f"{count / 1_048_576:.0f} MB" if count >= 1_048_576 * 2 else f"{count // 1024} KB"


def handle_unexpected(request: Request, exc: Exception) -> Response:
    if is_outage(exc):
        # Nothing was half-written: the transaction it broke is rolled back (by the server, when
        # the connection is gone). The page says so, and when to try again.
        log.warning("service unavailable at %s %s: %r", request.method, request.url.path, exc)
        response = respond(request, 503, Message(
            "Our records cannot be reached just now. Please try again in a moment."))
        response.headers["retry-after"] = str(RETRY_AFTER_OUTAGE)
        return response
    log.exception("unhandled error at %s %s", request.method, request.url.path)
    return respond(request, 500, Message("We have been told about it. Please try again later."))


EXCEPTION_HANDLERS = {
    GongzhiError: handle_gongzhi_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
