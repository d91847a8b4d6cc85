"""The e2e harness: real Chromium, real ``gongzhi serve``.

Without ``--base-url`` a session fixture migrates a fresh database in its own var/
folder, loads the demo, and starts ``gongzhi serve`` on a free port with the test flag
set. With ``--base-url`` the journeys run against any running instance that has the
demo data. Chromium comes from ``GONGZHI_CHROMIUM``, then /usr/bin/chromium, then
Playwright's own. A failed journey keeps a trace and a screenshot (see the Makefile's
``e2e`` target for the options).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def chromium_path() -> str | None:
    configured = os.environ.get("GONGZHI_CHROMIUM")
    if configured:
        return configured
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None  # Playwright's own browser, where it was installed


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    args = {**browser_type_launch_args, "args": CHROMIUM_FLAGS}
    executable = chromium_path()
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Residents' phones first: every journey runs at 360 px unless it asks otherwise.
    return {**browser_context_args, **PHONE, "locale": "zh-CN",
            "extra_http_headers": {"Accept-Language": "zh-CN"}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A ``gongzhi serve`` process with its own var/ folder and database, run by ``python``
    (this environment's, or a throwaway one that plugins are installed into)."""

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python
        self.var_dir = Path(tempfile.mkdtemp(prefix="gongzhi-e2e-"))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GONGZHI_")}
        self.env.update(
            GONGZHI_VAR_DIR=str(self.var_dir),
            GONGZHI_TEST_MODE="1",
            GONGZHI_DATABASE_URL=os.environ.get(
                "GONGZHI_E2E_DATABASE_URL", f"sqlite:///{self.var_dir / 'e2e.sqlite3'}"
            ),
        )
        self.process: subprocess.Popen | None = None
        self.log = self.var_dir / "server.log"

    def gongzhi(self, *args: str) -> subprocess.CompletedProcess:
        """Run a ``gongzhi`` command against this server's database."""
        result = subprocess.run([self.python, "-m", "core.cli", *args], env=self.env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"gongzhi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> None:
        self.gongzhi("migrate")
        self.gongzhi("demo")
        self.serve()

    def serve(self) -> None:
        self.process = subprocess.Popen(
            [self.python, "-m", "core.cli", "serve", "--port", str(self.port)],
            env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gongzhi serve exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gongzhi serve did not answer in 30 s:\n{self.log.read_text()}")

    def halt(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def restart(self) -> None:
        """Stop serving and serve again (as an operator does after installing a plugin)."""
        self.halt()
        self.serve()

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(pytestconfig: pytest.Config) -> Iterator[LiveServer | None]:
    if pytestconfig.getoption("--base-url"):
        yield None
        return
    server = LiveServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config, live_server: LiveServer | None) -> str:
    return pytestconfig.getoption("--base-url") or live_server.url


class Outbox:
    """The development message providers' outbox of the server under test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self, kind: str, to: str) -> list[dict]:
        from core.messaging import outbox

        return outbox.read(self.folder / kind, to=to)

    def last_sms(self, to: str, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.messages("sms", to)
            if messages:
                return messages[-1]
            time.sleep(0.1)
        raise AssertionError(f"no SMS to {to} in {self.folder}")


@pytest.fixture(scope="session")
def outbox(live_server: LiveServer | None) -> Outbox:
    """Against --base-url, set GONGZHI_E2E_OUTBOX_DIR to that instance's var/outbox."""
    if live_server is not None:
        return Outbox(live_server.var_dir / "outbox")
    configured = os.environ.get("GONGZHI_E2E_OUTBOX_DIR")
    if not configured:
        pytest.fail("journeys that read codes need GONGZHI_E2E_OUTBOX_DIR with --base-url")
    return Outbox(Path(configured))


@pytest.fixture(scope="session")
def test_clock(base_url: str, live_server: LiveServer | None) -> str:
    """The URL of the server's test clock; only the journeys' own server has one (an
    instance given by --base-url may run its jobs elsewhere, or not be in test mode)."""
    if live_server is None:
        pytest.skip("the test clock needs the journeys' own server (not --base-url)")
    return f"{base_url}/_test/clock"


DEMO_PASSWORD = "gongzhi2026"


def sign_in_to_qindu(page, base_url: str, phone: str) -> None:
    """Sign in to 秦都区 as one of the demo's people, from a clean browser."""
    sign_in_to(page, base_url, "qindu", phone)


def sign_in_to(page, base_url: str, slug: str, phone: str) -> None:
    """Sign in to the district ``slug`` as one of the demo's people, from a clean browser."""
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(f"{base_url}/t/{slug}/login")
    page.get_by_label("手机号或邮箱").fill(phone)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def unique_phone(prefix: str = "137") -> str:
    import secrets

    return prefix + "".join(secrets.choice("0123456789") for _ in range(11 - len(prefix)))


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {page.viewport_size['width']}px"
