"""An unmodified third-party Open311 client (the ``georeport`` package) reads a district
served by ``gongzhi serve`` over real HTTP, in JSON and in XML.

The server is started as the e2e journeys start theirs (e2e/conftest.py), on a free port,
but on this test run's own database, where the test has put the district's data first.
The client makes synchronous HTTP requests, so it runs in a thread of its own.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from georeport import GeoReport

from core.open311 import services as open311
from tests.core.open311.conftest import LAT, LONG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(district, tmp_path: Path):
    """``gongzhi serve`` on a free port, on this run's database; its address."""
    port = _free_port()
    log = tmp_path / "server.log"
    process = subprocess.Popen([sys.executable, "-m", "core.cli", "serve", "--port", str(port)],
                               env=dict(os.environ), stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gongzhi serve exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gongzhi serve did not answer in 30 s:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_everything(root: str, output_format: str, service_request_id: str) -> dict:
    client = GeoReport(root, jurisdiction="qindu", output_format=output_format)
    return {
        "services": client.get_service_list(),
        "definition": client.get_service_definition("sanitation"),
        "requests": client.get_service_requests(service_code="sanitation", status="open"),
        "by_id": client.get_service_requests(service_request_id=service_request_id),
        "request": client.get_service_request(service_request_id),
    }


async def test_the_georeport_client_reads_the_district_in_json_and_xml(live_server, district, post):
    posted = (await post("json", address_string="北大街12号", media_url="https://photos.example.cn/12.jpg")).json()[0]
    number = posted["service_request_id"]
    root = f"{live_server}/t/qindu/open311/v2"

    as_json = await asyncio.to_thread(_read_everything, root, "json", number)
    codes = [service["service_code"] for service in as_json["services"]]
    assert codes == [c.key for c in await open311.public_categories(district["scope"])]
    assert "family" not in codes and as_json["services"][0]["service_name"] == "环境卫生"
    assert as_json["definition"] == {"service_code": "sanitation", "attributes": []}
    assert [r["service_request_id"] for r in as_json["requests"]] == [number]
    assert [r["service_request_id"] for r in as_json["by_id"]] == [number]
    request = as_json["request"]
    assert (request["service_request_id"], request["status"], request["address"], request["media_url"]) == (
        number, "open", "北大街12号", "https://photos.example.cn/12.jpg")
    assert (request["lat"], request["long"]) == (LAT, LONG)
    assert request["requested_datetime"].endswith("+08:00")

    as_xml = await asyncio.to_thread(_read_everything, root, "xml", number)
    # xmltodict gives a list for several elements, a dict for one, and text for every value.
    assert [service["service_code"] for service in as_xml["services"]] == codes
    assert as_xml["services"][0]["metadata"] == "false"
    assert as_xml["definition"]["service_code"] == "sanitation" and not as_xml["definition"]["attributes"]
    assert as_xml["requests"]["service_request_id"] == number and as_xml["by_id"]["service_request_id"] == number
    request = as_xml["request"]
    assert (request["service_request_id"], request["status"], request["description"]) == (
        number, "open", "北大街12号门口垃圾三天没人清运。")
    assert (float(request["lat"]), float(request["long"])) == (LAT, LONG)
    assert request["expected_datetime"] == as_json["request"]["expected_datetime"]
