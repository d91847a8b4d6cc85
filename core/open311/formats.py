"""Open311 answers in the two formats GeoReport v2 names: XML (the required one) and JSON.

Both are UTF-8 with a content type saying so; XML starts with its declaration. A list of
rows is a JSON array, or in XML a root element holding one element per row
(``<services><service>…``); an object is a JSON object, or a root element holding its
fields. In XML a list field holds one element per value, named by :data:`ITEM_NAMES`
(``<attributes><attribute>…``); ``None`` is an empty element, booleans are ``true`` or
``false``; datetimes are ISO 8601 with their offset in both formats.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, Iterable
from xml.etree import ElementTree

from litestar import Response

FORMATS = ("xml", "json")
# Litestar adds "; charset=utf-8" to text types itself.
CONTENT_TYPES = {"xml": "text/xml", "json": "application/json; charset=utf-8"}
# In XML, the element of each value of a list field.
ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def split(name: str) -> tuple[str, str | None]:
    """``"QD-2026-000001.json"`` → ``("QD-2026-000001", "json")``; no known format: ``(name, None)``."""
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix in FORMATS:
        return stem, suffix
    return name, None


# Characters XML 1.0 cannot carry at all (what people type never has them; names might).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return _NOT_XML.sub("", str(value))


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(element, key, inner)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _element(element, ITEM_NAMES.get(name, "item"), inner)
    else:
        element.text = _text(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"cannot render {type(value).__name__} in an Open311 answer")


def to_xml(root: str, content: dict[str, Any] | Iterable[dict[str, Any]], row: str | None = None) -> bytes:
    """``content`` under ``<root>``: an object's fields, or one ``<row>`` element per row."""
    top = ElementTree.Element(root)
    if isinstance(content, dict):
        for key, value in content.items():
            _element(top, key, value)
    else:
        assert row is not None, "a list needs the name of its rows"
        for entry in content:
            _element(top, row, entry)
    return _DECLARATION + ElementTree.tostring(top, encoding="unicode").encode("utf-8")


def to_json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, default=_json_default).encode("utf-8")


def render(fmt: str, root: str, content: dict[str, Any] | list[dict[str, Any]], row: str | None = None, *,
           status_code: int = 200) -> Response:
    """The answer in ``fmt``: ``root`` and ``row`` name the XML elements (JSON needs neither)."""
    body = to_xml(root, content, row) if fmt == "xml" else to_json(content)
    return Response(body, status_code=status_code, media_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status_code: int, descriptions: Iterable[str], headers: dict[str, str] | None = None) -> Response:
    """The spec's error answer: ``<errors><error><code>…<description>…`` or its JSON array."""
    rows = [{"code": status_code, "description": description} for description in descriptions]
    response = render(fmt, "errors", rows, "error", status_code=status_code)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
