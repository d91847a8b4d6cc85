"""The renderer against the GeoReport v2 specification's own examples: each example's JSON,
rendered as XML, is the spec's XML example for the same data (compared element by element,
in order), and the JSON comes back as it went in."""

import json
from xml.etree import ElementTree

import pytest

from core.open311 import formats

# The spec's examples, one pair (JSON, XML) per resource, as the spec shows them.
SERVICES_JSON = """[
  {"service_code": "001", "service_name": "Cans left out 24x7",
   "description": "Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
   "metadata": true, "type": "realtime", "keywords": "lorem, ipsum, dolor", "group": "sanitation"},
  {"service_code": "002", "service_name": "Construction plate shifted",
   "description": "Metal construction plate covering the street or sidewalk has been moved.",
   "metadata": true, "type": "realtime", "keywords": "lorem, ipsum, dolor", "group": "street"}
]"""
SERVICES_XML = """<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
  <service>
    <service_code>002</service_code>
    <service_name>Construction plate shifted</service_name>
    <description>Metal construction plate covering the street or sidewalk has been moved.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>street</group>
  </service>
</services>"""

DEFINITION_JSON = """{
  "service_code": "DMV66",
  "attributes": [
    {"variable": true, "code": "WHISHETN", "datatype": "singlevaluelist", "required": true,
     "datatype_description": null, "order": 1, "description": "What is the ticket/tag/DL number?",
     "values": [{"key": 123, "name": "Ford"}, {"key": 124, "name": "Chrysler"}]}
  ]
}"""
DEFINITION_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_definition>
  <service_code>DMV66</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>WHISHETN</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description></datatype_description>
      <order>1</order>
      <description>What is the ticket/tag/DL number?</description>
      <values>
        <value>
          <key>123</key>
          <name>Ford</name>
        </value>
        <value>
          <key>124</key>
          <name>Chrysler</name>
        </value>
      </values>
    </attribute>
  </attributes>
</service_definition>"""

POSTED_JSON = """[{"service_request_id": 293944, "service_notice": "The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code", "account_id": null}]"""
POSTED_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
    <account_id/>
  </request>
</service_requests>"""

TOKEN_JSON = """[{"service_request_id": 638344, "token": 12345}]"""
TOKEN_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <token>12345</token>
  </request>
</service_requests>"""

REQUESTS_JSON = """[
  {"service_request_id": 638344, "status": "closed", "status_notes": "Duplicate request.",
   "service_name": "Sidewalk and Curb Issues", "service_code": "006", "description": null,
   "agency_responsible": null, "service_notice": null, "requested_datetime": "2010-04-14T06:37:38-08:00",
   "updated_datetime": "2010-04-14T06:37:38-08:00", "expected_datetime": "2010-04-15T06:37:38-08:00",
   "address": "8TH AVE and JUDAH ST", "address_id": 545483, "zipcode": 94122, "lat": 37.762221815,
   "long": -122.4651145, "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg"}
]"""
REQUESTS_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description></description>
    <agency_responsible></agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
  </request>
</service_requests>"""

ERRORS_JSON = """[{"code": 403, "description": "Invalid api_key received -- can't proceed with create_request."},
                  {"code": 404, "description": "Whatever"}]"""
ERRORS_XML = """<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can't proceed with create_request.</description>
  </error>
  <error>
    <code>404</code>
    <description>Whatever</description>
  </error>
</errors>"""

DISCOVERY_JSON = """{
  "changeset": "2011-04-05T17:48:34Z",
  "contact": "You can email or call for assistance api@yourcity.net +1 (555) 555-5555",
  "key_service": "You can request a key here: http://api.yourcity.net/request_key.html",
  "endpoints": [
    {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://open311.sfgov.org/dev/v2",
     "changeset": "2011-04-20T17:48:34Z", "type": "test", "formats": ["text/xml", "application/json"]},
    {"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://open311.sfgov.org/v2",
     "changeset": "2011-04-25T17:48:34Z", "type": "production", "formats": ["text/xml"]}
  ]
}"""
DISCOVERY_XML = """<?xml version="1.0" encoding="utf-8"?>
<discovery>
  <changeset>2011-04-05T17:48:34Z</changeset>
  <contact>You can email or call for assistance api@yourcity.net +1 (555) 555-5555</contact>
  <key_service>You can request a key here: http://api.yourcity.net/request_key.html</key_service>
  <endpoints>
    <endpoint>
      <specification>http://wiki.open311.org/GeoReport_v2</specification>
      <url>http://open311.sfgov.org/dev/v2</url>
      <changeset>2011-04-20T17:48:34Z</changeset>
      <type>test</type>
      <formats>
        <format>text/xml</format>
        <format>application/json</format>
      </formats>
    </endpoint>
    <endpoint>
      <specification>http://wiki.open311.org/GeoReport_v2</specification>
      <url>http://open311.sfgov.org/v2</url>
      <changeset>2011-04-25T17:48:34Z</changeset>
      <type>production</type>
      <formats>
        <format>text/xml</format>
      </formats>
    </endpoint>
  </endpoints>
</discovery>"""

EXAMPLES = {
    "services": (SERVICES_JSON, SERVICES_XML, "service"),
    "service_definition": (DEFINITION_JSON, DEFINITION_XML, None),
    "posted request": (POSTED_JSON, POSTED_XML, "request"),
    "token": (TOKEN_JSON, TOKEN_XML, "request"),
    "service_requests": (REQUESTS_JSON, REQUESTS_XML, "request"),
    "errors": (ERRORS_JSON, ERRORS_XML, "error"),
    "discovery": (DISCOVERY_JSON, DISCOVERY_XML, None),
}


def tree(element: ElementTree.Element) -> tuple:
    """An element as (tag, text, children), whitespace between elements ignored."""
    return element.tag, (element.text or "").strip(), [tree(child) for child in element]


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_specs_json_example_renders_as_its_xml_example(example):
    example_json, example_xml, row = EXAMPLES[example]
    expected = ElementTree.fromstring(example_xml.encode())
    rendered = formats.to_xml(expected.tag, json.loads(example_json), row)
    assert rendered.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert tree(ElementTree.fromstring(rendered)) == tree(expected)


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_specs_json_example_comes_back_as_it_went_in(example):
    example_json = EXAMPLES[example][0]
    assert json.loads(formats.to_json(json.loads(example_json)).decode("utf-8")) == json.loads(example_json)


def test_errors_are_answered_in_the_format_asked_with_the_status_as_their_code():
    as_xml = formats.errors("xml", 403, ["Invalid api_key received -- can't proceed with create_request."])
    assert as_xml.status_code == 403 and as_xml.media_type == "text/xml"
    assert tree(ElementTree.fromstring(as_xml.content)) == ("errors", "", [("error", "", [
        ("code", "403", []), ("description", "Invalid api_key received -- can't proceed with create_request.", [])])])
    as_json = formats.errors("json", 400, ["service_code: not found", "lat: out of range"])
    assert as_json.media_type == "application/json; charset=utf-8"
    assert json.loads(as_json.content) == [{"code": 400, "description": "service_code: not found"},
                                           {"code": 400, "description": "lat: out of range"}]


def test_chinese_text_is_utf8_and_what_xml_cannot_carry_is_left_out():
    rendered = formats.to_xml("services", [{"service_name": "环境卫生 <&> \x01"}], "service")
    assert "<service_name>环境卫生 &lt;&amp;&gt; </service_name>".encode() in rendered
    assert formats.to_json([{"service_name": "环境卫生"}]) == '[{"service_name": "环境卫生"}]'.encode()


def test_a_name_and_its_format():
    assert formats.split("QD-2026-000001.json") == ("QD-2026-000001", "json")
    assert formats.split("sanitation.xml") == ("sanitation", "xml")
    assert formats.split("sanitation.html") == ("sanitation.html", None)
    assert formats.split("sanitation") == ("sanitation", None)
