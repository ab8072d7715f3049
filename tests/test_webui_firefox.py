"""The web UI in Firefox: Debian's `firefox-esr`, headless, driven over WebDriver BiDi by a tiny client
below (Playwright cannot drive a stock Firefox), against the real server (authentication off) and
PostgreSQL with an `ocpp` package 1.6 station. The Chromium tests (test_webui.py) cover the UI in
depth; these check that its modules, pages and live socket work in Firefox too. Every test fails on an
uncaught error or console.error in the page and saves a screenshot when it fails."""
from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import pytest_asyncio
import websockets
from ocpp.v16 import call

from browser import SHOTS
from conftest import wait_for
from ocpp_cs.config import Config
from test_station_flow import now, station

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox") or "/usr/bin/firefox-esr"
IDENTITY, VENDOR, MODEL = "FOX1", "FoxVendor", "FoxModel"

# A fresh profile: no first-run pages, default-browser check, telemetry, updates or background network.
# (Remote Agent's own recommended prefs are applied on top; `remote.active-protocols` is gone since
# Firefox 141: BiDi is the only protocol.)
PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "extensions.update.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
    "services.settings.server": "data:,#remote-settings-dummy/v1",
}

# Runs in every page before its own scripts: collects uncaught errors, unhandled rejections and
# console.error (where the UI reports a page that failed to render, and a live listener that threw).
COLLECT_ERRORS = """() => {
  const errors = window.__pageErrors = [];
  addEventListener("error", e => errors.push(`${e.message} (${e.filename}:${e.lineno}:${e.colno})`));
  addEventListener("unhandledrejection", e => errors.push(`unhandled rejection: ${e.reason?.stack || e.reason}`));
  const original = console.error;
  console.error = (...args) => { errors.push(`console.error: ${args.map(a => a?.stack || String(a)).join(" ")}`);
                                 original.apply(console, args); };
}"""


class BiDiError(Exception):
    pass


class BiDi:
    """A minimal WebDriver BiDi client: commands and their answers matched by id; events ignored."""

    def __init__(self, ws):
        self.ws = ws
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                future = self.waiting.pop(message.get("id"), None)   # events have no id
                if future is None or future.done():
                    continue
                if message.get("type") == "error":
                    future.set_exception(BiDiError(f"{message['error']}: {message.get('message')}"))
                else:
                    future.set_result(message["result"])
        finally:
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(BiDiError("the connection to Firefox closed"))

    async def send(self, method: str, **params: Any) -> dict:
        id_ = next(self.ids)
        self.waiting[id_] = future = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"id": id_, "method": method, "params": params}))
        return await asyncio.wait_for(future, 30)

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self.reader, return_exceptions=True)


class Tab:
    """One tab of its own user context (cookies, storage) showing the web UI of one server."""

    def __init__(self, bidi: BiDi, context: str, base: str):
        self.bidi, self.context, self.base = bidi, context, base

    async def open(self, route: str) -> None:
        """Loads the single page at a hash route, e.g. "#/stations/CP1"."""
        await self.bidi.send("browsingContext.navigate", context=self.context, url=f"{self.base}/{route}",
                             wait="complete")

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (awaited when it is a promise)."""
        answer = await self.bidi.send("script.evaluate", expression=f"JSON.stringify(({expression}) ?? null)",
                                      target={"context": self.context}, awaitPromise=True,
                                      resultOwnership="none")
        if answer["type"] == "exception":
            raise AssertionError(f"page script failed: {answer['exceptionDetails'].get('text')}")
        return json.loads(answer["result"]["value"])

    async def until(self, expression: str) -> Any:
        """Polls the expression until its JSON value is truthy in Python (an element is `{}`: falsy; test
        `!== null`), within conftest.wait_for's bound."""
        return await wait_for(lambda: self.evaluate(expression), interval=0.1)

    async def errors(self) -> list[str]:
        return await self.evaluate("window.__pageErrors")

    async def url(self) -> str:
        return await self.evaluate("location.href")

    async def screenshot(self, name: str) -> Path:
        shot = await self.bidi.send("browsingContext.captureScreenshot", context=self.context, origin="document")
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def checked(test):
    """Wraps an async test that takes a `tab` fixture: it also fails on any error the page collected,
    and on failure a full-page PNG is saved under SHOTS and its path printed."""
    @functools.wraps(test)
    async def wrapper(*args: Any, **kwargs: Any):
        tab = kwargs["tab"]
        try:
            result = await test(*args, **kwargs)
            assert await tab.errors() == [], "uncaught errors in the page"
            return result
        except BaseException:
            try:
                path = await tab.screenshot(f"firefox_{test.__name__}")
                print(f"\nscreenshot of the failing page: {path}\nat {await tab.url()}\n"
                      f"page errors: {await tab.errors()}")
            except Exception as e:  # noqa: BLE001 - the test's own error matters more
                print(f"\nno screenshot: {e}")
            raise
    return wrapper


# ----------------------------------------------------------------------------------------- fixtures

@pytest_asyncio.fixture(scope="session")
async def firefox() -> AsyncIterator[BiDi]:
    """One headless Firefox with a fresh profile for the run, and a BiDi session to it."""
    profile = Path(tempfile.mkdtemp(prefix="ocpp-cs-firefox-"))
    (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
                                             for k, v in PREFS.items()))
    log_path = profile / "firefox.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
             "--remote-debugging-port", "0", "about:blank"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"})

    async def listening():
        if process.poll() is not None:
            raise AssertionError(f"firefox exited ({process.returncode}): {log_path.read_text()[-2000:]}")
        found = re.search(r"WebDriver BiDi listening on (ws://\S+)", log_path.read_text(errors="replace"))
        return found and found.group(1)

    bidi = None
    try:
        url = await wait_for(listening, timeout=60)
        bidi = BiDi(await websockets.connect(f"{url}/session", max_size=None))
        await bidi.send("session.new", capabilities={})
        await bidi.send("script.addPreloadScript", functionDeclaration=COLLECT_ERRORS)
        yield bidi
    finally:
        # Firefox's own shutdown is not under test: a few seconds to close, then it is killed.
        if bidi:
            try:
                await asyncio.wait_for(bidi.send("browser.close"), 5)
            except Exception:  # noqa: BLE001 - Firefox may close the socket before it answers
                pass
            await bidi.close()
        try:
            await asyncio.to_thread(process.wait, 5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def server_config() -> Config:
    """Authentication off ([api] demo = true): the pages need no sign-in."""
    config = Config()
    config.api.demo = True
    return config


@pytest_asyncio.fixture
async def tab(firefox: BiDi, server) -> AsyncIterator[Tab]:
    user_context = (await firefox.send("browser.createUserContext"))["userContext"]
    context = (await firefox.send("browsingContext.create", type="tab", userContext=user_context))["context"]
    await firefox.send("browsingContext.setViewport", context=context, viewport={"width": 1280, "height": 900})
    yield Tab(firefox, context, f"http://127.0.0.1:{server.port}")
    await firefox.send("browsingContext.close", context=context)
    await firefox.send("browser.removeUserContext", userContext=user_context)


@pytest_asyncio.fixture
async def charging(server):
    """FOX1, an `ocpp` package 1.6 station: booted, connector 1 Charging, connected during the test."""
    async with station(server.url, IDENTITY) as cp:
        await cp.call(call.BootNotification(charge_point_vendor=VENDOR, charge_point_model=MODEL))
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Charging",
                                              timestamp=now()))
        yield cp


# ----------------------------------------------------------------------------------------- tests

def row_of(container: str, identity: str) -> str:
    """JavaScript: the cell texts of the first table row under `container` that names the station."""
    return f"""[...document.querySelectorAll({json.dumps(container + " tbody tr")})]
      .map(row => [...row.cells].map(cell => cell.textContent.trim()))
      .find(cells => cells.includes({json.dumps(identity)}))"""


@checked
async def test_dashboard_lists_the_station_with_vendor_model_and_charging_state(charging, tab):
    await tab.open("#/")
    cells = await tab.until(row_of("#stations", IDENTITY))
    state, identity, version, vendor, model, connectors = cells[:6]
    assert (state, identity, version, vendor, model) == ("charging", IDENTITY, "1.6", VENDOR, MODEL)
    assert "Charging" in connectors
    assert await tab.evaluate("document.querySelector('[data-state=\"charging\"] b').textContent") == "1"


@checked
async def test_live_log_shows_a_frame_sent_after_the_page_loaded(charging, tab):
    heartbeats = f"""[...document.querySelectorAll("#log-rows tbody tr")]
      .filter(row => row.cells[1].textContent === {json.dumps(IDENTITY)} && row.cells[4].textContent === "Heartbeat")
      .map(row => row.cells[2].textContent + " " + row.cells[3].textContent)"""
    await tab.open("#/log")
    # the first page of the log is drawn (the station's boot is in it) and the live socket is open
    await tab.until(f"({row_of('#log-rows', IDENTITY)}) && document.querySelector('#live-state.on') !== null")
    assert await tab.evaluate(heartbeats) == []
    await charging.call(call.Heartbeat())
    # the log page never polls: the frames can only come over the live WebSocket
    assert await tab.until(f"({heartbeats}).length === 2 && {heartbeats}") == ["out → RESULT", "in ← CALL"]


@checked
async def test_station_page_offers_the_commands_and_builds_their_form(charging, tab):
    await tab.open(f"#/stations/{IDENTITY}")
    operations = await tab.until("[...document.querySelectorAll('#operation option')].map(o => o.value)"
                                 ".filter(Boolean).join(' ')")
    assert {"RemoteStartTransaction", "Reset", "GetConfiguration"} <= set(operations.split())
    assert IDENTITY in await tab.evaluate("document.querySelector('h1').textContent")
    # picking an operation builds its form from the JSON schema (schemaform.js)
    await tab.evaluate("(() => { const s = document.querySelector('#operation'); s.value = 'RemoteStartTransaction';"
                       " s.dispatchEvent(new Event('change')); })()")
    assert await tab.until("document.querySelector('#command-form .schema-form [name=\"idTag\"]')?.tagName") == "INPUT"
