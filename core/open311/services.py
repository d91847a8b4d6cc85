"""Open311 GeoReport v2 on the feedback loop: a district's public categories are its
services, its items are service requests.

What is decided here, and why:

* **Services** are the district's enabled categories that are not private (a private
  category never appears, nor do its items, anywhere in Open311). ``service_code`` is the
  category's key; ``group`` comes from :data:`GROUPS`; ``keywords`` are the key and the name.
  A category's attributes (``services/{code}``) come from :data:`ATTRIBUTES`; core's
  categories have none yet, which the spec allows (``metadata`` is then false).
* **api_key** is a district's client key (``core.accounts.credentials``, kind ``client``,
  issued at /t/{slug}/console/keys) with the scope ``open311:write``. Posting needs one;
  reading does not, but a key that is sent is checked all the same. Unknown, revoked,
  another district's, a person's token, or lacking the scope: 403. Every call made with a
  key counts against :data:`PER_KEY` (429 past it, with ``Retry-After``).
* **Who raised it.** A valid mobile number in ``phone`` finds that person, or makes them an
  account without a password (they can sign in later with a code, and are told of every
  change, as when a grid worker enters an item for them); else a valid ``email`` does the
  same; else the item is the client key's: its submitter is the administrator who issued
  the key. Whatever contact details were sent are kept in the item's description, below a
  ``[Open311]`` line, with the client's name, ``device_id``, ``account_id``, ``address_id``,
  ``media_url`` and the attributes; staff read them there. The item's place defaults to the
  submitter's own community or grid, as in the app (no geocoder places coordinates yet).
* **Idempotency.** The item's key is derived from the client key and a hash of the posted
  fields (all but ``api_key``): a client retrying the same POST gets the same item (200
  instead of 201), never a second one. The same key is the ``token`` of the request; every
  request is registered at once, so a token always leads to its ``service_request_id``.
* **What is public.** Open311 is a public protocol: anyone may read service requests. So
  what a client posts is marked public, and an item raised in the app shows its
  description, address, coordinates and the notes of its timeline only when its resident
  let it be shown; otherwise only its service, status, dates and responsible party. The
  ``[Open311]`` block is never shown.
* **Status.** Rejected, resolved and closed items are ``closed`` (resolved: the work is done,
  though the resident may still reopen it); the rest are ``open``. The finer state is in
  ``status_notes``. ``agency_responsible`` names the unit that holds the item, or district
  supervision; ``expected_datetime`` is the deadline to resolve it.
* **Lists** are of requests raised in the last 90 days unless ``start_date`` / ``end_date``
  say otherwise (never more than 90 days apart), newest first, at most 1,000.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from core import clock, forms
from core.accounts import credentials, services as accounts
from core.accounts.tables import ApiCredential
from core.config import Settings
from core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from core.feedback import registry, services as feedback
from core.feedback.tables import FeedbackCategory, FeedbackItem, State, TimelineEntry
from core.feedback.transparency import STAFF_ONLY
from core.feedback.workflow import STATE_LABELS
from core.i18n import N_, Message
from core.tenancy import TenantScope
from core.throttle import Limit, Throttle
from tenants.tables import Community, Department, Grid, Street

SOURCE = "open311"
SCOPE = "open311:write"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this server's Open311 behaviour last changed (discovery's changeset).
CHANGESET = datetime(2026, 11, 28, tzinfo=clock.CHINA)
PER_KEY = Limit("open311:key", 600, 60 * 60)
WINDOW = timedelta(days=90)
MAX_ROWS = 1000
CLOSED = (State.rejected.value, State.resolved.value, State.closed.value)
OPEN = tuple(state.value for state in State if state.value not in CLOSED)
MARK = STAFF_ONLY  # what follows it in a description is for staff, never shown in Open311

# The group of each core category, in the service list.
GROUPS = {
    "sanitation": N_("City management"),
    "public_order": N_("City management"),
    "facilities": N_("Housing and facilities"),
    "property": N_("Housing and facilities"),
    "neighbours": N_("Neighbours and families"),
    "family": N_("Neighbours and families"),
    "suggestion": N_("Suggestions and questions"),
    "question": N_("Suggestions and questions"),
}
OWN_GROUP = N_("The district's own")
OTHER_GROUP = N_("Other")

REQUIRED = N_("This field is required.")
W3C = N_("Enter a date and time in W3C format, like 2026-01-01T00:00:00+08:00.")
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


class Open311Error(Exception):
    """An answer in the spec's error format: the HTTP status is each error's code."""

    def __init__(self, status_code: int, *descriptions: Message | str, retry_after: int | None = None) -> None:
        super().__init__(status_code, descriptions)
        self.status_code = status_code
        self.descriptions = descriptions
        self.retry_after = retry_after


# Services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    """A question a service asks beyond the description (``attribute[code]`` when posting)."""

    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True  # false: information only, nothing to answer
    order: int = 1
    datatype_description: str = ""
    values: tuple[Value, ...] = ()

    def __post_init__(self) -> None:
        if self.datatype not in DATATYPES:
            raise ValueError(f"attribute {self.code!r}: unknown datatype {self.datatype!r}")


# A category's attributes, by category key. Core's categories ask none yet.
ATTRIBUTES: dict[str, tuple[Attribute, ...]] = {}


def register_attributes(category_key: str, attributes: Iterable[Attribute]) -> None:
    ATTRIBUTES[category_key] = tuple(sorted(attributes, key=lambda attribute: attribute.order))


def _group(category: FeedbackCategory) -> str:
    if category.key in GROUPS:
        return str(Message(GROUPS[category.key]))
    spec = registry.CATEGORIES.get(category.key)
    if spec is not None and spec.plugin:
        return spec.plugin
    return str(Message(OWN_GROUP if category.key.startswith("own_") else OTHER_GROUP))


def _notice(category: FeedbackCategory) -> str:
    return str(Message("Accepted within %(accept)d hours and resolved within %(resolve)d hours of being raised.",
                       {"accept": category.accept_hours, "resolve": category.resolve_hours}))


async def public_categories(scope: TenantScope) -> list[FeedbackCategory]:
    """The district's services: enabled categories that are not private."""
    return await scope.objects(FeedbackCategory).where(
        FeedbackCategory.enabled == True, FeedbackCategory.private == False).order_by(  # noqa: E712
        FeedbackCategory.position, FeedbackCategory.id)


async def service_list(scope: TenantScope) -> list[dict[str, Any]]:
    return [{"service_code": category.key, "service_name": category.name, "description": _notice(category),
             "metadata": bool(ATTRIBUTES.get(category.key)), "type": "realtime",
             "keywords": f"{category.key}, {category.name}", "group": _group(category)}
            for category in await public_categories(scope)]


async def service(scope: TenantScope, code: str) -> FeedbackCategory:
    for category in await public_categories(scope):
        if category.key == code:
            return category
    raise Open311Error(404, Message("There is no service %(code)s here.", {"code": code}))


async def definition(scope: TenantScope, code: str) -> dict[str, Any]:
    category = await service(scope, code)
    return {"service_code": category.key, "attributes": [
        {"variable": a.variable, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": a.datatype_description or None, "order": a.order, "description": a.description,
         "values": [{"key": v.key, "name": v.name} for v in a.values]}
        for a in ATTRIBUTES.get(category.key, ())]}


def discovery(settings: Settings, slug: str, district: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": str(Message("For help with this API, ask the administrators of %(district)s.",
                               {"district": district})),
        "key_service": str(Message("A district administrator issues api keys to named clients at %(url)s",
                                   {"url": f"{settings.public_url}/t/{slug}/console/keys"})),
        "endpoints": [{"specification": SPECIFICATION, "url": f"{settings.public_url}/t/{slug}/open311/v2",
                       "changeset": CHANGESET, "type": "test" if settings.test_mode else "production",
                       "formats": ["text/xml", "application/json"]}],
    }


# api_key ----------------------------------------------------------------------------------


async def client(tenant_id: int, api_key: str | None, throttle: Throttle, *, required: bool) -> ApiCredential | None:
    """The client key sent as ``api_key``, if it may use Open311 in this district; counted
    against its limit. None when none was sent and none is ``required``."""
    if not api_key:
        if required:
            raise Open311Error(403, Message("Send the api_key your district issued to your client."))
        return None
    try:
        credential = await credentials.authenticate(f"Bearer {api_key}", tenant_id=tenant_id, scope=SCOPE)
    except NotAuthenticated:
        raise Open311Error(403, Message("This api_key is not valid (unknown or revoked).")) from None
    except PermissionDenied as denied:
        raise Open311Error(403, denied.detail or Message("This api_key may not be used here.")) from None
    if credential.kind != "client":
        raise Open311Error(403, Message("Send a client key issued by the district as api_key, not a person's token."))
    verdict = await throttle.hit(PER_KEY, str(credential.id))
    if not verdict.allowed:
        raise Open311Error(429, Message("This api_key made too many requests. Try again in %(seconds)d seconds.",
                                        {"seconds": verdict.retry_after}), retry_after=verdict.retry_after)
    return credential


# Posting a request ------------------------------------------------------------------------

Fields = Mapping[str, list[str]]
# Where the feedback loop names a field, and what Open311 calls it.
_OPEN311_NAMES = {"category": "service_code", "latitude": "lat", "longitude": "long", "address": "address_string",
                  "description": "description"}
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


def first(fields: Fields, name: str) -> str:
    values = fields.get(name) or [""]
    return values[0]


def _url(value: Any) -> str:
    value = forms.text(value, max_length=2000, required=False)
    if value and not _URL.match(value):
        raise forms.FieldError(Message("Enter a web address starting with http:// or https://."))
    return value


def _described(errors: Mapping[str, Message]) -> list[str]:
    return [f"{_OPEN311_NAMES.get(name, name)}: {message}" for name, message in errors.items()]


@dataclass(frozen=True)
class Posted:
    """A POST cleaned of everything that is not the feedback loop's own business."""

    category: FeedbackCategory
    data: dict[str, str]  # the feedback loop's form
    phone: str
    email: str
    display_name: str
    staff_lines: list[str]


def _attribute_value(attribute: Attribute, value: str) -> str:
    if attribute.datatype == "number":
        try:
            float(value)
        except ValueError:
            raise forms.FieldError(Message("Enter a number.")) from None
    elif attribute.datatype == "datetime":
        try:
            _moment(value)
        except ValueError:
            raise forms.FieldError(Message(W3C)) from None
    elif attribute.datatype in ("singlevaluelist", "multivaluelist"):
        if value not in {choice.key for choice in attribute.values}:
            raise forms.FieldError(Message("Choose one of the list."))
    return forms.text(value, max_length=1000, multiline=attribute.datatype == "text")


def _attribute_lines(category: FeedbackCategory, fields: Fields, errors: list[str]) -> list[str]:
    """The answers to the service's attributes, as lines for staff; each bad one in ``errors``."""
    lines = []
    for attribute in ATTRIBUTES.get(category.key, ()):
        if not attribute.variable:
            continue
        name = f"attribute[{attribute.code}]"
        values = [v for v in fields.get(name, []) + fields.get(f"{name}[]", []) if v.strip()]
        if attribute.datatype != "multivaluelist":
            values = values[:1]
        if not values:
            if attribute.required:
                errors.append(f"{name}: {Message(REQUIRED)}")
            continue
        try:
            values = [_attribute_value(attribute, value) for value in values]
        except forms.FieldError as error:
            errors.append(f"{name}: {error.message}")
            continue
        lines.append(f"{name}: {', '.join(values)}")
    return lines


async def clean(scope: TenantScope, fields: Fields) -> Posted:
    """Everything an Open311 POST may get wrong, before anything is written (400 naming each)."""
    errors: list[str] = []
    code = first(fields, "service_code").strip()
    category = None
    if not code:
        errors.append(f"service_code: {Message(REQUIRED)}")
    else:
        category = next((c for c in await public_categories(scope) if c.key == code), None)
        if category is None:
            unknown = Message("There is no service %(code)s here.", {"code": code})
            errors.append(f"service_code: {unknown}")
    lat, long = first(fields, "lat").strip(), first(fields, "long").strip()
    address_string = first(fields, "address_string")
    address_id = first(fields, "address_id").strip()
    if not (lat or long or address_string.strip() or address_id):
        errors.append(str(Message("A location is required: lat and long, address_string or address_id.")))
    form = forms.Form({name: first(fields, name) for name in fields})
    given = {
        "first_name": form.field("first_name", forms.text, max_length=50, required=False),
        "last_name": form.field("last_name", forms.text, max_length=50, required=False),
        "phone": form.field("phone", forms.text, max_length=30, required=False),
        "email": form.field("email", forms.text, max_length=254, required=False),
        "device_id": form.field("device_id", forms.text, max_length=200, required=False),
        "account_id": form.field("account_id", forms.text, max_length=200, required=False),
        "address_id": form.field("address_id", forms.text, max_length=200, required=False),
        "media_url": form.field("media_url", _url),
    }
    description = form.field("description", forms.text, max_length=feedback.DESCRIPTION_MAX, multiline=True,
                             required=False)
    errors.extend(_described(form.errors))
    lines = _attribute_lines(category, fields, errors) if category is not None else []
    if errors:
        raise Open311Error(400, *errors)
    assert category is not None
    phone = email = ""
    try:
        phone = forms.phone(given["phone"], required=False) if given["phone"] else ""
    except forms.FieldError:
        pass  # not a mainland mobile number: kept for staff, not used to find the person
    try:
        email = forms.email(given["email"], required=False) if given["email"] else ""
    except forms.FieldError:
        pass
    staff = [f"{name}: {value}" for name, value in given.items() if value] + lines
    data = {"category": str(category.id), "description": description or category.name, "address": address_string,
            "latitude": lat, "longitude": long, "public": "1"}
    name = _display_name(given["first_name"] or "", given["last_name"] or "", phone, email)
    return Posted(category, data, phone, email, name, staff)


def _display_name(first: str, last: str, phone: str, email: str) -> str:
    if re.search(r"[\u3400-\u9fff]", first + last):
        name = f"{last}{first}"
    else:
        name = f"{first} {last}".strip()
    if name:
        return name[:50]
    if phone:
        return f"{phone[:3]}****{phone[-4:]}"
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"[:50]


def idempotency_key(credential: ApiCredential, fields: Fields) -> str:
    """One key per client and body: the same POST sent again finds the item it made."""
    body = sorted((name, values) for name, values in fields.items() if name != "api_key")
    digest = hashlib.sha256(json.dumps([credential.id, body], ensure_ascii=False).encode()).hexdigest()
    return f"o311-{digest[:48]}"


async def _submitter(posted: Posted, credential: ApiCredential) -> int:
    """The person the contact details name (made if new), else the key's issuer."""
    if not (posted.phone or posted.email):
        assert credential.person_id is not None
        return credential.person_id
    identifier = accounts.Identifier("phone", posted.phone) if posted.phone else accounts.Identifier(
        "email", posted.email)
    person = await accounts.find_person(identifier)
    if person is None:
        try:
            person = await accounts.create_person(posted.display_name, identifier, password=None)
        except Conflict:  # the same POST twice at once: the other made the account
            person = await accounts.find_person(identifier)
    return person.id


async def submit(settings: Settings, scope: TenantScope, slug: str, credential: ApiCredential,
                 fields: Fields) -> tuple[FeedbackItem, bool]:
    """Register the request as a feedback item (or find the one this POST already made)."""
    posted = await clean(scope, fields)
    try:
        # Checked as the key's issuer first, so that no account is made for a request refused.
        await feedback.clean(scope, posted.data, person_id=credential.person_id)
        person_id = await _submitter(posted, credential)
        submission = await feedback.clean(scope, posted.data, person_id=person_id)
    except ValidationFailed as failed:
        raise Open311Error(400, *_described(failed.errors)) from None
    staff = "\n".join([f"client: {credential.name}", *posted.staff_lines])
    submission = replace(submission, description=f"{submission.description}{MARK}{staff}")
    return await feedback.submit(settings, scope, slug, person_id, submission,
                                 idempotency_key=idempotency_key(credential, fields), source=SOURCE)


def posted_answer(item: FeedbackItem, category: FeedbackCategory, account_id: str) -> dict[str, Any]:
    return {"service_request_id": item.tracking_number, "token": item.idempotency_key,
            "service_notice": _notice(category), "account_id": account_id or None}


async def category_of(scope: TenantScope, item: FeedbackItem) -> FeedbackCategory:
    return await scope.get(FeedbackCategory, item.category)


async def by_token(scope: TenantScope, token: str) -> dict[str, Any]:
    public = [c.id for c in await scope.objects(FeedbackCategory).where(FeedbackCategory.private == False)]  # noqa: E712
    item = None
    if public and feedback.valid_key(token):
        item = await scope.objects(FeedbackItem).where(
            FeedbackItem.idempotency_key == token, FeedbackItem.source == SOURCE,
            FeedbackItem.category.is_in(public)).first()
    if item is None:
        raise Open311Error(404, Message("There is no request with this token."))
    return {"service_request_id": item.tracking_number, "token": token}


# Reading requests -------------------------------------------------------------------------


def _moment(value: str) -> datetime:
    """A W3C date or date-time; without an offset it is China Standard Time."""
    value = value.strip()
    if not value or not value[:4].isdigit():
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("z", "Z"))  # a date alone: its first moment
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.CHINA)


@dataclass(frozen=True)
class Query:
    ids: tuple[str, ...]
    codes: tuple[str, ...]
    start: datetime
    end: datetime
    statuses: tuple[str, ...]


def _listed(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def clean_query(params: Mapping[str, str]) -> Query:
    """GET requests' filters, or 400 naming each bad one."""
    errors: list[str] = []
    dates: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = (params.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = _moment(raw)
            except ValueError:
                errors.append(f"{name}: {Message(W3C)}")
    statuses = _listed(params.get("status") or "")
    if any(status not in ("open", "closed") for status in statuses):
        either = Message("Open or closed, or both separated by a comma.")
        errors.append(f"status: {either}")
    start, end = dates["start_date"], dates["end_date"]
    if not errors:
        if start is None and end is None:
            end = clock.now()
            start = end - WINDOW
        elif start is None:
            start = end - WINDOW
        elif end is None:
            end = min(start + WINDOW, clock.now()) if start < clock.now() else start + WINDOW
        if start > end:
            errors.append(str(Message("start_date must come before end_date.")))
        elif end - start > WINDOW:
            errors.append(str(Message("start_date and end_date may be at most 90 days apart.")))
    if errors:
        raise Open311Error(400, *errors)
    return Query(_listed(params.get("service_request_id") or ""), _listed(params.get("service_code") or ""),
                 start, end, statuses)


def _status(state: str) -> str:
    return "closed" if state in CLOSED else "open"


def _shown_description(item: FeedbackItem) -> str:
    text = item.description
    if item.source == SOURCE and MARK in text:
        text = text.rpartition(MARK)[0]
    return text


def _media_url(item: FeedbackItem) -> str | None:
    if item.source != SOURCE or MARK not in item.description:
        return None
    for line in item.description.rpartition(MARK)[2].splitlines():
        if line.startswith("media_url: "):
            return line.removeprefix("media_url: ")
    return None


async def _names(scope: TenantScope, items: list[FeedbackItem]) -> dict[tuple[str, int], str]:
    """The names of the units holding the items."""
    names: dict[tuple[str, int], str] = {}
    for kind, table in (("grid", Grid), ("community", Community), ("street", Street), ("department", Department)):
        ids = sorted({item.party_id for item in items if item.party_type == kind and item.party_id is not None})
        if ids:
            for row in await scope.select(table, table.id, table.name).where(table.id.is_in(ids)):
                names[(kind, row["id"])] = row["name"]
    return names


def _agency(item: FeedbackItem, names: dict[tuple[str, int], str]) -> str:
    name = names.get((item.party_type, item.party_id)) if item.party_id is not None else None
    if name:
        return name
    party = registry.PARTY_TYPES.get(item.party_type)
    return str(Message(party.label)) if party else item.party_type


async def _notes(scope: TenantScope, items: list[FeedbackItem]) -> dict[int, str]:
    """The newest note of each public item's timeline (never a sealed one)."""
    ids = [item.id for item in items if item.public]
    notes: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = await scope.select(TimelineEntry, TimelineEntry.item, TimelineEntry.note).where(
            TimelineEntry.item.is_in(ids[start:start + 500]), TimelineEntry.note != "",
            TimelineEntry.sealed == False).order_by(TimelineEntry.id)  # noqa: E712
        notes.update({row["item"]: row["note"] for row in rows})
    return notes


def _row(item: FeedbackItem, category: FeedbackCategory, agency: str, note: str | None) -> dict[str, Any]:
    label = str(Message(STATE_LABELS.get(item.state, item.state)))
    shown = item.public
    return {
        "service_request_id": item.tracking_number,
        "status": _status(item.state),
        "status_notes": str(Message("%(state)s: %(note)s", {"state": label, "note": note})) if note else label,
        "service_name": category.name,
        "service_code": category.key,
        "description": _shown_description(item) if shown else None,
        "agency_responsible": agency,
        "service_notice": _notice(category),
        "requested_datetime": clock.local(item.created_at),
        "updated_datetime": clock.local(item.updated_at),
        "expected_datetime": clock.local(item.resolve_due),
        "address": (item.address or None) if shown else None,
        "lat": item.latitude if shown else None,
        "long": item.longitude if shown else None,
        "media_url": _media_url(item) if shown else None,
    }


async def _rows(scope: TenantScope, items: list[FeedbackItem], categories: dict[int, FeedbackCategory]) -> list[dict]:
    names = await _names(scope, items)
    notes = await _notes(scope, items)
    return [_row(item, categories[item.category], _agency(item, names), notes.get(item.id)) for item in items]


async def _categories(scope: TenantScope) -> dict[int, FeedbackCategory]:
    """Every category whose items Open311 shows (disabled ones too: their items stay)."""
    return {c.id: c for c in await scope.objects(FeedbackCategory).where(FeedbackCategory.private == False)}  # noqa: E712


# What a listed request shows of its item.
_LISTED = (FeedbackItem.id, FeedbackItem.category, FeedbackItem.tracking_number, FeedbackItem.state,
           FeedbackItem.public, FeedbackItem.description, FeedbackItem.source, FeedbackItem.party_type,
           FeedbackItem.party_id, FeedbackItem.address, FeedbackItem.latitude, FeedbackItem.longitude,
           FeedbackItem.created_at, FeedbackItem.updated_at, FeedbackItem.resolve_due)


async def requests(scope: TenantScope, query: Query) -> list[dict[str, Any]]:
    every = await scope.objects(FeedbackCategory)
    categories = {c.id: c for c in every if not c.private}
    if not categories:
        return []
    found = scope.select(FeedbackItem, *_LISTED)
    # Every item of the district but the private categories': said this way round (the few
    # private categories left out, not the many others listed), PostgreSQL sees that most of
    # the district's items qualify and reads its newest first, stopping at the limit.
    private = [c.id for c in every if c.private]
    if private:
        found = found.where(FeedbackItem.category.not_in(private))
    if query.ids:
        found = found.where(FeedbackItem.tracking_number.is_in(list(query.ids)))
    else:
        if query.codes:
            wanted = [c.id for c in categories.values() if c.key in query.codes]
            if not wanted:
                return []
            found = found.where(FeedbackItem.category.is_in(wanted))
        found = found.where(FeedbackItem.created_at >= query.start, FeedbackItem.created_at <= query.end)
        if len(query.statuses) == 1:
            found = found.where(FeedbackItem.state.is_in(list(CLOSED if query.statuses[0] == "closed" else OPEN)))
    rows = await found.order_by(FeedbackItem.created_at, ascending=False).order_by(
        FeedbackItem.id, ascending=False).limit(MAX_ROWS)
    # Up to a thousand rows: plain records, not ORM objects (which cost most of the answer's time).
    return await _rows(scope, [SimpleNamespace(**row) for row in rows], categories)


async def request(scope: TenantScope, service_request_id: str) -> dict[str, Any]:
    categories = await _categories(scope)
    item = None
    if categories:
        item = await scope.objects(FeedbackItem).where(
            FeedbackItem.tracking_number == service_request_id,
            FeedbackItem.category.is_in(sorted(categories))).first()
    if item is None:
        raise Open311Error(404, Message("There is no request %(id)s here.", {"id": service_request_id}))
    return (await _rows(scope, [item], categories))[0]
