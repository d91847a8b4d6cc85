"""/t/{slug}/open311/v2/: the district as one Open311 GeoReport v2 jurisdiction.

Every resource answers in XML (``.xml``) and JSON (``.json``); errors too, in the spec's
format (``<errors><error><code>…<description>…``), with the HTTP status as their code.
Authenticated by ``api_key`` (a form or query parameter), never by a session, so no CSRF
token is needed. ``jurisdiction_id`` may be left out; when sent, it must be the district's
slug. What the answers mean is decided in :mod:`core.open311.services`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, QueryParameter

from core.errors import GongzhiError
from core.feedback import services as feedback
from core.i18n import Message, N_, gettext
from core.open311 import formats, services
from core.open311.services import Open311Error

log = logging.getLogger("gongzhi.open311")

_HTTP_TITLES = {404: N_("Not found"), 405: N_("This action is not allowed here"),
                413: N_("What you sent is too large")}


def _format(request: Request) -> str:
    """The format the path asks for (XML when it names none: XML is the required one)."""
    _stem, fmt = formats.split(request.url.path.rstrip("/").rpartition("/")[2])
    return fmt or "xml"


def handle_error(request: Request, exc: Exception) -> Response:
    fmt = _format(request)
    if isinstance(exc, Open311Error):
        headers = {"retry-after": str(exc.retry_after)} if exc.retry_after else None
        return formats.errors(fmt, exc.status_code, [str(d) for d in exc.descriptions], headers)
    if isinstance(exc, GongzhiError):
        return formats.errors(fmt, exc.status_code, [str(exc.detail) if exc.detail else gettext(exc.title)])
    if isinstance(exc, HTTPException):
        title = _HTTP_TITLES.get(exc.status_code)
        return formats.errors(fmt, exc.status_code, [gettext(title) if title else str(exc.detail)])
    log.exception("unhandled error at %s %s", request.method, request.url.path)
    return formats.errors(fmt, 500, [str(Message("We have been told about it. Please try again later."))])


def error_answer(request: Request, status_code: int, description: str) -> Response:
    """An error raised before the route (an unknown or unavailable district), in the spec's format."""
    return formats.errors(_format(request), status_code, [description])


def _named(name: str) -> tuple[str, str]:
    """A path segment such as ``QD-2026-000001.json``: the name and its format (404 without one)."""
    stem, fmt = formats.split(name)
    if fmt is None or not stem:
        raise Open311Error(404, Message("Add .xml or .json to the address."))
    return stem, fmt


def _check_jurisdiction(request: Request, jurisdiction_id: str | None) -> None:
    if jurisdiction_id and jurisdiction_id != request.state.tenant.slug:
        raise Open311Error(404, Message("This endpoint serves the jurisdiction %(slug)s only.",
                                        {"slug": request.state.tenant.slug}))


async def _reader(request: Request, api_key: str | None, jurisdiction_id: str | None) -> None:
    """Reading needs no key; one that is sent must be valid here."""
    _check_jurisdiction(request, jurisdiction_id)
    await services.client(request.state.tenant.id, api_key, request.app.state.throttle, required=False)


# OpenAPI: what a POST's form carries (the route reads the form itself, to answer in Open311's format).
_TEXT = Schema(type=OpenAPIType.STRING)
_POST_FIELDS = {
    "api_key": _TEXT, "jurisdiction_id": _TEXT, "service_code": _TEXT, "lat": Schema(type=OpenAPIType.NUMBER),
    "long": Schema(type=OpenAPIType.NUMBER), "address_string": _TEXT, "address_id": _TEXT,
    "attribute[code]": _TEXT, "email": _TEXT, "device_id": _TEXT, "account_id": _TEXT, "first_name": _TEXT,
    "last_name": _TEXT, "phone": _TEXT, "description": Schema(type=OpenAPIType.STRING, max_length=feedback.DESCRIPTION_MAX),
    "media_url": _TEXT,
}


_POST_BODY = RequestBody(
    description="A service request; a location is lat and long, address_string or address_id",
    required=True, content={"application/x-www-form-urlencoded": OpenAPIMediaType(schema=Schema(
        type=OpenAPIType.OBJECT, properties=_POST_FIELDS, required=["api_key", "service_code"]))})

# OpenAPI: what the routes answer. One handler serves a resource in both formats (the path's
# extension picks one), so each status lists both; errors are the spec's list of code and description.
_ERROR_ROWS = Schema(type=OpenAPIType.ARRAY, items=Schema(
    type=OpenAPIType.OBJECT, properties={"code": Schema(type=OpenAPIType.INTEGER), "description": _TEXT},
    required=["code", "description"]))
_ERRORS = {
    400: "A parameter or a field is not what the spec allows (each one is listed)",
    403: "The api_key is unknown, revoked, another district's, or lacks the scope open311:write",
    404: "No such district, jurisdiction, service or request, or an address without .xml or .json",
    413: "The request is larger than the district accepts",
    429: "Too many requests with this api_key; Retry-After says when to try again",
}


def _answer(description: str, json_schema: Schema) -> OpenAPIResponse:
    return OpenAPIResponse(description=description, content={
        formats.CONTENT_TYPES["json"].split(";")[0]: OpenAPIMediaType(schema=json_schema),
        formats.CONTENT_TYPES["xml"]: OpenAPIMediaType(schema=_TEXT)})


def _operation(success: dict[int, str], errors: tuple[int, ...], body: RequestBody | None = None) -> type[Operation]:
    """An operation documented with its answers in both formats (and its form, for a POST)."""
    responses = {str(status): _answer(description, Schema()) for status, description in success.items()}
    responses.update({str(status): _answer(_ERRORS[status], _ERROR_ROWS) for status in errors})

    @dataclass
    class Open311Operation(Operation):
        def __post_init__(self) -> None:
            self.responses = dict(responses)
            if body is not None:
                self.request_body = body

    return Open311Operation


_READ = _operation({200: "The resource, in the format the path names"}, (400, 403, 404, 429))
_POST = _operation({201: "The new service request's id or token", 200: "The request was posted before: its id"},
                   (400, 403, 404, 413, 429), _POST_BODY)


ApiKey = Annotated[str | None, QueryParameter(name="api_key", required=False,
                                         description="The client key the district issued (optional for reading)")]
Jurisdiction = Annotated[str | None, QueryParameter(name="jurisdiction_id", required=False,
                                               description="The district's slug, or nothing")]
_FORMATS_NOTE = "Append .xml or .json; errors come in the same format, as the spec lists them."


class Open311Controller(Controller):
    path = "/t/{slug:str}/open311/v2"
    include_in_schema = True  # the OpenAPI document describes the API, not the pages
    opt = {"auth": "api_key", "exclude_from_csrf": True}
    tags = ["open311"]
    exception_handlers = {Exception: handle_error}

    @get(["/discovery.xml", "/discovery.json"], name="open311_discovery", operation_class=_READ,
         summary="Open311 service discovery: where this jurisdiction's GeoReport v2 endpoint is",
         description=_FORMATS_NOTE)
    async def discovery(self, request: Request, api_key: ApiKey = None) -> Response:
        await _reader(request, api_key, None)
        tenant = request.state.tenant
        return formats.render(_format(request), "discovery",
                              services.discovery(request.app.state.settings, tenant.slug, tenant.display_name))

    @get(["/services.xml", "/services.json"], name="open311_services", operation_class=_READ,
         summary="Open311: the district's services (its public feedback categories)", description=_FORMATS_NOTE)
    async def service_list(self, request: Request, api_key: ApiKey = None,
                           jurisdiction_id: Jurisdiction = None) -> Response:
        await _reader(request, api_key, jurisdiction_id)
        rows = await services.service_list(request.state.tenant.scope)
        return formats.render(_format(request), "services", rows, "service")

    @get("/services/{service_code:str}", name="open311_service", operation_class=_READ,
         summary="Open311: one service's definition and attributes (services/{service_code}.xml or .json)",
         description=_FORMATS_NOTE)
    async def service_definition(self, request: Request, service_code: FromPath[str], api_key: ApiKey = None,
                                 jurisdiction_id: Jurisdiction = None) -> Response:
        code, fmt = _named(service_code)
        await _reader(request, api_key, jurisdiction_id)
        return formats.render(fmt, "service_definition", await services.definition(request.state.tenant.scope, code))

    @post(["/requests.xml", "/requests.json"], name="open311_post", operation_class=_POST,
          summary="Open311: post a service request (form-encoded, with api_key); 201, or 200 when the same "
                  "request was posted before", description=_FORMATS_NOTE)
    async def post_request(self, request: Request) -> Response:
        form = await request.form()
        fields: dict[str, list[str]] = {}
        for key in form.keys():
            values = [value for value in form.getall(key) if isinstance(value, str)]
            if values:
                fields[key] = values
        api_key = (fields.get("api_key") or [request.query_params.get("api_key") or ""])[0]
        jurisdiction_id = (fields.get("jurisdiction_id") or [request.query_params.get("jurisdiction_id") or ""])[0]
        _check_jurisdiction(request, jurisdiction_id)
        tenant = request.state.tenant
        credential = await services.client(tenant.id, api_key, request.app.state.throttle, required=True)
        assert credential is not None
        item, new = await services.submit(request.app.state.settings, tenant.scope, tenant.slug, credential, fields)
        category = await services.category_of(tenant.scope, item)
        answer = services.posted_answer(item, category, services.first(fields, "account_id"))
        return formats.render(_format(request), "service_requests", [answer], "request",
                              status_code=201 if new else 200)

    @get(["/requests.xml", "/requests.json"], name="open311_requests", operation_class=_READ,
         summary="Open311: service requests, newest first (90 days and 1,000 at most)", description=_FORMATS_NOTE)
    async def request_list(
            self, request: Request, api_key: ApiKey = None, jurisdiction_id: Jurisdiction = None,
            service_request_id: Annotated[str | None, QueryParameter(
                required=False, description="Comma-separated; overrides the other filters")] = None,
            service_code: Annotated[str | None, QueryParameter(required=False, description="Comma-separated")] = None,
            start_date: Annotated[str | None, QueryParameter(required=False, description="W3C date-time")] = None,
            end_date: Annotated[str | None, QueryParameter(required=False, description="W3C date-time")] = None,
            status: Annotated[str | None, QueryParameter(required=False, description="open, closed")] = None,
    ) -> Response:
        await _reader(request, api_key, jurisdiction_id)
        query = services.clean_query({"service_request_id": service_request_id or "", "service_code": service_code
                                      or "", "start_date": start_date or "", "end_date": end_date or "",
                                      "status": status or ""})
        rows = await services.requests(request.state.tenant.scope, query)
        return formats.render(_format(request), "service_requests", rows, "request")

    @get("/requests/{service_request_id:str}", name="open311_request", operation_class=_READ,
         summary="Open311: one service request (requests/{service_request_id}.xml or .json)",
         description=_FORMATS_NOTE)
    async def one_request(self, request: Request, service_request_id: FromPath[str], api_key: ApiKey = None,
                          jurisdiction_id: Jurisdiction = None) -> Response:
        wanted, fmt = _named(service_request_id)
        await _reader(request, api_key, jurisdiction_id)
        row = await services.request(request.state.tenant.scope, wanted)
        return formats.render(fmt, "service_requests", [row], "request")

    @get("/tokens/{token:str}", name="open311_token", operation_class=_READ,
         summary="Open311: the service request a token stands for (tokens/{token}.xml or .json)",
         description=_FORMATS_NOTE)
    async def token_lookup(self, request: Request, token: FromPath[str], api_key: ApiKey = None,
                    jurisdiction_id: Jurisdiction = None) -> Response:
        wanted, fmt = _named(token)
        await _reader(request, api_key, jurisdiction_id)
        row: dict[str, Any] = await services.by_token(request.state.tenant.scope, wanted)
        return formats.render(fmt, "service_requests", [row], "request")
