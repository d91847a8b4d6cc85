"""Every HTML form under bad input: generated from the route inventory and the pages themselves.

The registry of forms is not typed by hand. Signed in as people who together see every page
of a populated district (district A of tests/test_cross_tenant.py: its admin, who also holds
every plugin's roles; a platform admin, who publishes too; a resident), every HTML page route of
the inventory is opened with its path filled with real ids, and each ``<form method="post">``
is read: its action, and each field with its type, limits, options and the value the page put
in it (hidden ones too: revisions, idempotency keys). A form is filed under the POST route its
action names. Every unsafe HTML route (session auth) must be reached by a form, or be listed in
tests/bad_input_exemptions.py with why: a new form is in the sweep the moment it exists.

Then each form is sent as the page filled it, with one field at a time replaced by a value of
the bad-input matrix (:data:`MATRIX`: empty, missing, the wrong type, ten times the field's
limit, -1, 2**31, 10**30, full-width digits, zero-width and right-to-left marks, HTML and
script, SQL metacharacters, a NUL byte). Every field but the CSRF token is tried, hidden ones
included: a browser's user can change them as easily as the others. For each answer:

* never a 5xx;
* no HTML answer carries the raw markup of the matrix (``<script>window.__pwned``,
  ``<img src=x onerror``): echoed values are escaped; nor does the page an accepted post leads
  to, nor, at the end, any page of the registry (what was stored is escaped when shown);
* a 422 shows the form again, with a message, keeping what was typed in every field that
  shows typed text, the bad one included;
* a refused post (4xx) wrote nothing: the number of rows of every table (listed from the
  database's catalogue) is unchanged.

Budget: the whole matrix on every field of every form is a few thousand posts. A field whose
values the form never echoes and whose refusal writes nothing gets each value once, with the
database counted before and after each refusal: one query over every table on both engines.
The sweep runs in well under three minutes per engine on two shared cores; the terminal
summary prints the registry's size and the posts sent.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field as dataclass_field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest

from core import clock, db
from core.accounts import credentials, services
from core.feedback import categories as feedback_categories, services as feedback, workflow
from core.notices import services as notices
from core.notices.tables import Notice
from core.accounts.roles import PUBLISHER
from core.app import create_app
from core.config import Settings
from core.web.inventory import RouteInfo, inventory, is_framework_route
from plugins.legal_aid import cases as legal_aid_cases, consultations as legal_aid, duty as legal_aid_duty
from plugins.legal_aid.tables import Case as LegalAidCase, Consultation as LegalAidConsultation
from plugins.mental_health import care as mental_health_care, helpers as mental_health_helpers
from plugins.red_property import firms as red_property_firms
from plugins.volunteer_exchange import activities as volunteer_activities
from plugins.volunteer_exchange.tables import Attendance as VolunteerAttendance
from tests.bad_input_exemptions import EXEMPTIONS
from tests import test_cross_tenant
from tests.services import admin_database_url

world = test_cross_tenant.world  # the populated district (a fixture), shared with the cross-tenant test

ROUTES = [r for r in inventory(create_app(Settings.from_env())) if not is_framework_route(r)]
HTML_ROUTES = [r for r in ROUTES if not r.path.startswith("/api/") and r.auth in ("none", "session")]
PAGE_ROUTES = [r for r in HTML_ROUTES if r.method == "GET"]
FORM_ROUTES = [r for r in HTML_ROUTES if r.unsafe and r.auth == "session"]
SUMMARY = {"pages": 0, "forms": 0, "fields": 0, "posts": 0, "exemptions": len(EXEMPTIONS)}

PLUGINS = ("parking", "legal_aid", "mental_health", "red_property", "volunteer_exchange")
# The raw markup of the matrix's HTML values: never in an answer unescaped.
RAW_MARKERS = ("<script>window.__pwned", "<img src=x onerror")
MISSING = object()  # the field is left out of the post altogether


# The forms' fields ---------------------------------------------------------------------------

TEXT_TYPES = {"text", "textarea", "email", "tel", "search", "url"}
# Fields that show what was typed as typed (a select or a checkbox can only show its options).
TYPED_TYPES = TEXT_TYPES | {"number", "date", "time", "datetime-local", "month"}


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or "select", "textarea", "button"
    value: str | list[str] = ""
    maxlength: int | None = None
    required: bool = False
    options: list[str] = dataclass_field(default_factory=list)
    secret: bool = False  # a one-time code: never shown again, like a password

    @property
    def multiple(self) -> bool:
        return isinstance(self.value, list)


@dataclass
class Form:
    page: str  # where it was found
    person: str
    action: str
    enctype: str
    fields: dict[str, Field]
    route: RouteInfo | None = None

    @property
    def swept(self) -> list[Field]:
        return [f for f in self.fields.values() if f.name != "_csrf_token" and f.kind != "file"]


class _FormParser(HTMLParser):
    """The post forms of a page, with their fields, as a browser would send them."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[tuple[dict, dict[str, Field], list[dict]]] = []
        self._form: tuple[dict, dict[str, Field], list[dict]] | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = (a, {}, []) if a.get("method", "get").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form[1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            limit = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            if kind in ("checkbox", "radio"):
                known = fields.setdefault(name, Field(name, kind, [] if kind == "checkbox" else ""))
                known.options.append(a.get("value", "on"))
                known.required = known.required or "required" in a
                if "checked" in a:
                    if kind == "checkbox":
                        known.value.append(a.get("value", "on"))
                    else:
                        known.value = a.get("value", "on")
            elif kind in ("submit", "image", "reset"):
                pass
            else:
                fields[name] = Field(name, kind, a.get("value", ""), limit, "required" in a,
                                     secret=a.get("autocomplete") == "one-time-code")
        elif tag == "button":
            kind = a.get("type", "submit").lower()
            if kind == "submit":
                self._form[2].append(a)
                if name and name not in fields:
                    fields[name] = Field(name, "button", a.get("value", ""))
        elif tag == "select" and name:
            self._select = fields[name] = Field(name, "select", "", None, "required" in a)
            if "multiple" in a:
                self._select.value = []
        elif tag == "option" and self._select is not None:
            self._option = a
            self._option_text = ""
        elif tag == "textarea" and name:
            limit = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self._textarea = fields[name] = Field(name, "textarea", "", limit, "required" in a)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option.get("value", self._option_text.strip())
            self._select.options.append(value)
            if "selected" in self._option:
                if self._select.multiple:
                    self._select.value.append(value)
                else:
                    self._select.value = value
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            if self._textarea.value.startswith("\n"):  # a browser drops the first newline
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None


def parse_forms(html: str, page: str, person: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    forms = []
    for attrs, fields, buttons in parser.forms:
        action = attrs.get("action") or page
        enctype = attrs.get("enctype", "application/x-www-form-urlencoded")
        forms.append(Form(page, person, action, enctype, fields))
        for button in buttons:  # a button may send the form elsewhere
            if button.get("formaction") and button["formaction"] != action:
                forms.append(Form(page, person, button["formaction"], enctype, dict(fields)))
    return forms


# Which route a form posts to -----------------------------------------------------------------

def _pattern(route_path: str) -> re.Pattern:
    def part(match: re.Match) -> str:
        kind = match.group(2)
        return r"\d+" if kind == "int" else (".+" if kind == "path" else "[^/]+")

    return re.compile("^" + re.sub(r"\{(\w+)(?::(\w+))?\}", part, route_path) + "/?$")


_POST_ROUTES = sorted(((r, _pattern(r.path)) for r in HTML_ROUTES if r.method == "POST"),
                      key=lambda pair: pair[0].path.count("{"))


def route_of(action: str) -> RouteInfo | None:
    path = urlparse(action).path
    for route, pattern in _POST_ROUTES:
        if pattern.match(path):
            return route
    return None


# The pages, with their paths filled --------------------------------------------------------

def page_paths(world, people) -> dict[str, list[str]]:
    """Each HTML page route's paths, filled with real ids of district A."""
    common = {
        "slug": ["qindu"], "item_id": [world["feedback_item"].id, world["resolved_item"]],
        "notice_id": [world["notice"].id, world["draft_notice"]],
        "root": [world["notice"].root], "name": list(PLUGINS), "case_id": world["legal_aid_cases"],
        "consultation_id": world["legal_aid_consultations"], "matter": ["wages"],
        "point_id": [world["mental_health_point"]], "helper_id": [world["mental_health_helper"]],
        "referral_id": [world["mental_health_referral"].id], "person_id": [world["mental_health_resident"]],
        "screening_id": [world["mental_health_screening"].id], "instrument": ["phq9", "gad7"], "band": ["mild"],
        "bill_id": [world["red_property_bill"]], "compound_id": [world["red_property_compound"]],
        "meeting_id": [world["red_property_meeting"]], "payment_id": [world["red_property_payment"]],
        "vote_id": [world["red_property_vote"]], "order_no": [world["red_property_order"]],
        "rating_id": [world["red_property_rating"]], "activity_id": [world["volunteer_activity"]],
        "code": [world["code"]],
    }
    special = {
        "/t/{slug:str}/p/red_property/firm/items/{item_id:int}": {"item_id": [world["red_property_repair"]]},
        "/t/{slug:str}/p/volunteer_exchange/activities/{activity_id:int}/check/{code:str}": {"code": ["in-1-abc"]},
        "/t/{slug:str}/feedback/public/{item_id:int}": {"item_id": [world["feedback_item"].id,
                                                                     world["open311_item"].id]},
    }
    paths: dict[str, list[str]] = {}
    for route in PAGE_ROUTES:
        names = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
        values = {**common, **special.get(route.path, {})}
        if route.path in ("/onboard/{slug:str}", "/marketplace/{name:str}") or any(n not in values for n in names):
            continue  # a page of something the district does not hold (a pending district, a release)
        filled = [route.path]
        for name in names:
            filled = [re.sub(r"\{" + name + r"(?::\w+)?\}", str(v), p, count=1) for p in filled for v in values[name]]
        paths[route.path] = filled
    return paths


# The bad-input matrix ------------------------------------------------------------------------

NUMERIC_TYPES = {"number", "date", "time", "datetime-local", "month", "select", "radio", "checkbox"}


def _wrong_type(f: Field) -> str:
    if f.kind in NUMERIC_TYPES or f.name in ("revision", "parent") or f.name.endswith("_id"):
        return "三"  # text where a number, a date or an option belongs
    return "12345"  # a number in a text field


def _too_long(f: Field) -> str:
    size = f.maxlength or (4000 if f.kind == "textarea" else 200)
    return "长" * (size * 10)


MATRIX: list[tuple[str, object]] = [
    ("empty", ""),
    ("missing", MISSING),
    ("wrong type", _wrong_type),
    ("too long", _too_long),
    ("negative", "-1"),
    ("huge", str(2 ** 31)),
    ("huge", str(10 ** 30)),
    ("full-width digits", "１２３"),
    ("zero-width", "\u200b"),
    ("right-to-left", "\u202e测试\u202c"),
    ("html", "<script>window.__pwned=1</script>"),
    ("html", '"><img src=x onerror=alert(1)>'),
    ("sql", "' OR 1=1 --"),
    ("sql", '"; DROP TABLE x; --'),
    ("nul", "a\x00b"),
]


# The budget: each form gets each class of value once (of a class's values, one form the
# first, the next form the second), each class on the field it suits best that has had the
# fewest so far (numbers and the wrong type on fields that hold numbers, ids or options; long
# text, markup, NUL and invisible marks on text); a form with more fields than classes gets
# more posts, so that every field has at least one.
NUMBER_CLASSES = {"wrong type", "negative", "huge", "full-width digits"}
TEXT_CLASSES = {"too long", "zero-width", "right-to-left", "html", "sql", "nul"}


def _holds_number(f: Field) -> bool:
    return f.kind in NUMERIC_TYPES or f.kind in ("hidden", "button") or f.name.endswith("_id")


def schedule(form: Form, turn: int) -> list[tuple[Field, str, object]]:
    fields = form.swept
    if not fields:
        return []  # a button alone: nothing to type
    classes: dict[str, list] = {}
    for value_class, value in MATRIX:
        classes.setdefault(value_class, []).append(value)
    given = {f.name: 0 for f in fields}
    posts = []
    for value_class, values in classes.items():
        suited = [f for f in fields if (_holds_number(f) if value_class in NUMBER_CLASSES else
                                        not _holds_number(f) if value_class in TEXT_CLASSES else True)]
        f = min(suited or fields, key=lambda f: given[f.name])
        given[f.name] += 1
        posts.append((f, value_class, values[turn % len(values)]))
    for n, f in enumerate(f for f in fields if not given[f.name]):
        value_class, values = list(classes.items())[(turn + n) % len(classes)]
        posts.append((f, value_class, values[turn % len(values)]))
    return [(f, value_class, value(f) if callable(value) else value) for f, value_class, value in posts]


def plausible(f: Field) -> str | list[str]:
    """The page's value, or a plausible valid one for a required field the page left empty."""
    if f.multiple:
        return f.value or ([f.options[0]] if f.required and f.options else [])
    if f.value or f.kind in ("password", "file", "hidden", "button"):
        return f.value
    if f.kind in ("select", "radio"):
        return next((o for o in f.options if o), "")
    if f.kind == "checkbox":
        return ""
    if not f.required:
        return ""
    tomorrow = (clock.now() + timedelta(days=1)).astimezone(clock.CHINA)
    return {"date": tomorrow.strftime("%Y-%m-%d"), "time": "09:00", "number": "1", "email": "sweep@example.com",
            "tel": "13800000099", "datetime-local": tomorrow.strftime("%Y-%m-%dT09:00"),
            "month": tomorrow.strftime("%Y-%m")}.get(f.kind, "测试")


def body_of(form: Form, bad: Field | None = None, value: object = None) -> tuple[list[tuple[str, str]], dict]:
    data: list[tuple[str, str]] = []
    for f in form.fields.values():
        if f.kind == "file":
            continue
        sent = plausible(f)
        if bad is not None and f.name == bad.name:
            if value is MISSING:
                continue
            sent = value
        for one in (sent if isinstance(sent, list) else [sent]):
            if f.kind == "checkbox" and one == "" and not (bad is not None and f.name == bad.name):
                continue
            data.append((f.name, one))
    files = {}
    if "multipart" in form.enctype:
        files = {f.name: ("", b"", "application/octet-stream") for f in form.fields.values() if f.kind == "file"}
        files = files or {"_none": ("", b"", "application/octet-stream")}
    return data, files


# The database's rows -----------------------------------------------------------------------

# Tables a refused post may rightly write to, with why.
WRITTEN_WHEN_REFUSED = {
    "core_audit_entry": "the page shown again reads sealed records (a consultation, a case file), and every "
                        "read of them is audited",
}


class RowCounter:
    """Rows of every table the catalogue lists, in one query, seen past Row Level Security."""

    def __init__(self) -> None:
        self.url = Settings.from_env().database_url

    async def __aenter__(self) -> "RowCounter":
        if db.is_sqlite():
            self.sqlite = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            names = [r[0] for r in self.sqlite.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        else:
            import asyncpg

            name = urlparse(self.url).path.lstrip("/")
            self.pg = await asyncpg.connect(urlparse(admin_database_url())._replace(path=f"/{name}").geturl())
            names = [r["tablename"] for r in await self.pg.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        self.query = " UNION ALL ".join(f"SELECT '{n}', count(*) FROM \"{n}\"" for n in sorted(names))
        return self

    async def __aexit__(self, *exc) -> None:
        if db.is_sqlite():
            self.sqlite.close()
        else:
            await self.pg.close()

    async def counts(self) -> dict[str, int]:
        if db.is_sqlite():
            return dict(self.sqlite.execute(self.query).fetchall())
        return {row[0]: row[1] for row in await self.pg.fetch(self.query)}


# The people and their pages -----------------------------------------------------------------

@pytest.fixture
async def people(world, platform_admin, sign_in, app, jobs):
    """Clients signed in as A's admin (with every plugin's roles), A's rights adviser and A's
    counsellor (the pages of what is theirs to handle), a platform admin who also publishes,
    and A's resident (a mental-health helper too). District A gets what makes the rest of its
    forms show: a draft notice, an accepted item (call-ins), a resolved one (rating), a
    confirmed attendance, free duty hours and sessions, a token and a second session."""
    from tests.http import http_client

    a, settings = world["a"], Settings.from_env()
    admin_id = (await services.find_person(services.Identifier("phone", "13900000001"))).id
    resident_id = world["mental_health_resident"]
    await services.add_membership(a, admin_id, [
        "legal_aid.adviser", "legal_aid.lawyer", "mental_health.counsellor", "mental_health.supervisor",
        "red_property.manager", "volunteer_exchange.organiser", "volunteer_exchange.merchant"])
    await services.add_membership(a, admin_id, [red_property_firms.FIRM_STAFF], "red_property_firm",
                                  world["red_property_firm"])
    await services.add_membership(a, admin_id, ["staff"], "department", world["department"].id)
    await services.add_membership(a, resident_id, [mental_health_helpers.HELPER])
    await services.grant_platform_role(platform_admin.id, PUBLISHER)
    await credentials.issue("person", "巡检", ["organisation:read"], tenant_id=a.tenant_id, person_id=admin_id)
    draft = await notices.clean(a, {"title": "草稿通知", "body": "正文", "audience": "district"})
    await notices.create(a, draft, author_id=admin_id)
    item = world["feedback_item"]
    await workflow.accept(a, "qindu", item.id, actor_id=admin_id, revision=item.revision)
    category = (await feedback_categories.enabled(a))[0]
    resolved, _new = await feedback.submit(settings, a, "qindu", resident_id, await feedback.clean(
        a, {"category": str(category.id), "description": "路灯不亮", "public": "1"}, person_id=resident_id),
        idempotency_key="bad-input-resolved")
    world["resolved_item"], world["draft_notice"] = resolved.id, (await a.objects(Notice).where(
        Notice.status == "draft").first()).id
    await workflow.accept(a, "qindu", resolved.id, actor_id=admin_id, revision=resolved.revision)
    await workflow.resolve(a, "qindu", resolved.id, actor_id=admin_id, revision=resolved.revision + 1,
                           what_was_done="已修好", settings=settings)
    await volunteer_activities.confirm(a, admin_id, {"district_admin"}, world["volunteer_attendance"])
    attended = await a.get(VolunteerAttendance, world["volunteer_attendance"])
    await volunteer_activities.sign_up(a, admin_id, attended.activity)
    await a.create(VolunteerAttendance, activity=attended.activity, person_id=admin_id,
                   checked_in_at=attended.checked_in_at, checked_out_at=attended.checked_out_at, minutes=60)
    asked, _new = await legal_aid.ask(a, "qindu", resident_id, {
        "matter": "neighbours", "description": "楼上邻居每天深夜装修噪音扰民，多次协商无果", "idempotency_key": "bad-input-legal-aid"}, [])
    asked = await a.get(LegalAidConsultation, asked.id)
    if asked.adviser_id:
        await legal_aid_cases.open_case(a, "qindu", asked.adviser_id, asked.id,
                                        {"kind": "referral", "department": "住建局"})
    later = (clock.now() + timedelta(days=2)).astimezone(clock.CHINA).date().isoformat()
    counsellor_id = (await services.find_person(services.Identifier("phone", "13900000005"))).id
    await mental_health_care.publish_slot(a, counsellor_id, {"day": later, "start": "15:00", "minutes": "50",
                                                              "place": "服务站"})
    lawyer_id = (await services.find_person(services.Identifier("phone", "13900000007"))).id
    await legal_aid_duty.schedule(a, admin_id, {"district_admin"}, {
        "lawyer": str(lawyer_id), "mode": "online", **{f"day{n}": "1" for n in range(1, 8)}, "start": "14:00",
        "end": "15:00", "minutes": "60", "first_day": later, "last_day": later, "place": "线上"})
    clients = {}
    for who, phone, login in (("district admin", "13900000001", "/t/qindu/login"),
                              ("adviser", "13900000006", "/t/qindu/login"),
                              ("counsellor", "13900000005", "/t/qindu/login"),
                              ("platform admin", "13900000000", "/login"),
                              ("resident", "13900000004", "/t/qindu/login"),
                              ("district admin elsewhere", "13900000001", "/t/qindu/login")):
        client = http_client(app)
        await client.__aenter__()
        await sign_in(client, phone, login_path=login)
        clients[who] = client
    world["legal_aid_consultations"] = [row["id"] for row in await a.select(LegalAidConsultation)]
    world["legal_aid_cases"] = [row["id"] for row in await a.select(LegalAidCase)]
    await jobs.run_due()
    yield {who: client for who, client in clients.items() if who != "district admin elsewhere"}
    for client in clients.values():
        await client.__aexit__(None, None, None)


async def build_registry(world, people) -> tuple[dict[str, list[Form]], list[tuple[str, str]]]:
    """Every post form of every page, filed under the route it posts to (one form per route
    and set of fields: the rename form of each street is one form), and the pages read, with
    who read them."""
    registry: dict[str, list[Form]] = {}
    seen: set[tuple] = set()
    pages = []
    for route_path, paths in page_paths(world, people).items():
        for path in paths:
            for who, client in people.items():
                answer = await client.get(path)
                assert answer.status_code < 500, f"GET {path} as {who} answered {answer.status_code}"
                if answer.status_code != 200 or "text/html" not in answer.headers.get("content-type", ""):
                    continue
                pages.append((path, who))
                for form in parse_forms(answer.text, path, who):
                    form.route = route_of(form.action)
                    if form.route is None:
                        continue
                    key = (form.route.method, form.route.path, tuple(sorted(form.fields)))
                    if key in seen:
                        continue
                    seen.add(key)
                    registry.setdefault(f"{form.route.method} {form.route.path}", []).append(form)
    return registry, pages


def _every_form_route_is_reached(registry: dict[str, list[Form]]) -> None:
    """Every unsafe HTML route is reached by a form of some page, or exempted with a reason."""
    missing = [f"{r.method} {r.path}" for r in FORM_ROUTES
               if f"{r.method} {r.path}" not in registry and (r.method, r.path) not in EXEMPTIONS]
    assert not missing, f"unsafe HTML routes that no page's form reaches, and no exemption: {missing}"
    stale = [key for key in EXEMPTIONS if f"{key[0]} {key[1]}" in registry]
    assert not stale, f"exempted routes that a form does reach (drop the exemption): {stale}"


def _sent(data: list[tuple[str, str]]) -> dict[str, list[str]]:
    sent: dict[str, list[str]] = {}
    for name, value in data:
        sent.setdefault(name, []).append(value)
    return sent


def _kept(form: Form, sent: dict[str, list[str]], answer: str) -> list[str]:
    """What the form shown again lost of what was typed (fields showing typed text only)."""
    again = [f for f in parse_forms(answer, form.page, form.person) if f.action == form.action]
    if not again:
        return ["the form is not shown again"]
    shown = max(again, key=lambda f: len(set(f.fields) & set(sent)))
    lost = []
    for f in form.fields.values():
        if f.kind not in TYPED_TYPES or f.secret or f.name not in sent:
            continue
        typed = sent[f.name][-1]
        if f.name not in shown.fields:
            lost.append(f"{f.name} is gone")
        elif shown.fields[f.name].value != typed:
            lost.append(f"{f.name} shows {shown.fields[f.name].value[:40]!r}, typed {typed[:40]!r}")
    if 'role="alert"' not in answer:
        lost.append("no message")
    return lost


def _order(key: str) -> tuple:
    # What could end the session or the district goes last: a platform admin's actions on
    # districts, then a person's own account.
    return (key.startswith("POST /admin/"), key.startswith("POST /account"), key)


async def test_every_form_is_reached_and_refuses_bad_input_cleanly(world, people):
    registry, pages = await build_registry(world, people)
    _every_form_route_is_reached(registry)  # before the sweep: a route no form reaches is not swept
    problems: dict[tuple[str, str], list[str]] = {}
    async with RowCounter() as rows:
        before = await rows.counts()
        for key in sorted(registry, key=_order):
            for form in registry[key]:
                client = people[form.person]
                SUMMARY["forms"] += 1
                SUMMARY["fields"] += len(form.swept)
                for f, value_class, value in schedule(form, SUMMARY["forms"]):
                    data, files = body_of(form, f, value)
                    sent = _sent(data)
                    answer = await client.post(form.action, data=sent, files=files or None)
                    SUMMARY["posts"] += 1
                    where = f"{form.page} as {form.person}: {f.name}={value_class} {str(value)[:30]!r}"

                    def problem(what: str, detail: str = "") -> None:
                        problems.setdefault((key, what), []).append(f"{where}{detail}")

                    status = answer.status_code
                    if status >= 500:
                        problem(f"answered {status}")
                        before = await rows.counts()
                        continue
                    html = "text/html" in answer.headers.get("content-type", "")
                    if html and any(marker in answer.text for marker in RAW_MARKERS):
                        problem("shows the markup unescaped")
                    if status == 303 and "/login" in answer.headers.get("location", ""):
                        problem("ended the session")
                    if 400 <= status < 500:
                        after = await rows.counts()
                        changed = {t: (before[t], after.get(t)) for t in before
                                   if before[t] != after.get(t) and t not in WRITTEN_WHEN_REFUSED}
                        if changed:
                            problem(f"answered {status} but wrote rows", f": {changed}")
                        before = after
                        if status == 422:
                            lost = _kept(form, sent, answer.text)
                            for what in lost:
                                problem(f"answered 422: {what.split(' shows ')[0]}", f": {what}")
                    else:
                        before = await rows.counts()
                        if status == 303 and value_class == "html":
                            shown = await client.get(answer.headers["location"])
                            if any(marker in shown.text for marker in RAW_MARKERS):
                                problem(f"{answer.headers['location']} shows the markup unescaped")
    for path, who in pages:  # what was stored is escaped wherever it shows
        shown = await people[who].get(path)
        if any(marker in shown.text for marker in RAW_MARKERS):
            problems.setdefault((f"GET {path}", "shows stored markup unescaped"), []).append(who)
    SUMMARY["pages"] = len(pages)
    assert not problems, f"{len(problems)} kinds of problem:\n" + "\n".join(
        f"{key}: {what} ({len(cases)}×, e.g. {cases[0]})" for (key, what), cases in sorted(problems.items()))
