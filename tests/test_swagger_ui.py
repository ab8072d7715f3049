"""Swagger UI at /docs/ in headless Chromium (Debian's chromium), from the server alone: the page
renders the spec's operations, and the ChargePointList call made from the page with a token answers
with the connected stations. Driven over the DevTools protocol, no driver to download."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile

import aiohttp
import websockets

from conftest import free_port, wait_for
from test_api import token
from test_station_flow import station

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab of a headless Chromium, spoken to over the DevTools protocol."""

    def __init__(self, ws):
        self.ws = ws
        self.n = 0
        self.events: list[dict] = []  # what came between the answers (Log.entryAdded, ...)

    async def send(self, method: str, **params):
        self.n += 1
        await self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            reply = json.loads(await self.ws.recv())
            if "method" in reply:
                self.events.append(reply)
            if reply.get("id") == self.n:
                if "error" in reply:
                    raise AssertionError(reply["error"])
                return reply["result"]

    def csp_violations(self) -> list[str]:
        """Console errors about the Content-Security-Policy (Chromium logs every violation)."""
        return [e["params"]["entry"]["text"] for e in self.events if e["method"] == "Log.entryAdded"
                and "Content Security Policy" in e["params"]["entry"]["text"]]

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                                 returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value")


async def test_swagger_ui_loads_and_its_chargepointlist_call_works(server, db):
    assert CHROMIUM, "Debian's chromium is needed (.ci/setup installs it)"
    port = free_port()
    profile = tempfile.mkdtemp(prefix="ocpp-cs-chromium-")
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--remote-debugging-port={port}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bearer = token(db)
    try:
        async with aiohttp.ClientSession() as http:
            async def targets():
                try:
                    async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
                        return [t for t in await r.json() if t["type"] == "page"]
                except aiohttp.ClientError:
                    return None
            target = (await wait_for(targets, 30))[0]
        async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as ws, \
                station(server.url, "UI1") as cp:
            from ocpp.v16 import call
            await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            page = Page(ws)
            await page.send("Page.enable")
            await page.send("Log.enable")
            # the page's own view of CSP violations, besides the console
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=(
                "window.__csp = []; document.addEventListener('securitypolicyviolation', "
                "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"))
            await page.send("Page.navigate", url=f"http://127.0.0.1:{server.port}/docs/")

            async def rendered():  # Swagger UI draws the operations from /api/v1/openapi.json
                return await page.evaluate(
                    "document.querySelectorAll('.opblock').length > 10 && "
                    "document.body.innerText.includes('/api/v1/CentralSystem/ChargePointList')")
            await wait_for(rendered, 30)
            assert await page.evaluate("typeof window.ui") == "object"
            # the call as the page makes it: same origin, with the operator's token
            stations = await page.evaluate(
                "fetch('/api/v1/CentralSystem/ChargePointList', {headers: {Authorization: "
                f"'Bearer {bearer}'}}}}).then(r => r.json())")
            assert any(s["identity"] == "UI1" and s["connected"] for s in stations), stations
            await page.evaluate("1")  # read the events that came meanwhile
            assert await page.evaluate("window.__csp") == []
            assert page.csp_violations() == []
    finally:
        browser.terminate()
        browser.wait(10)
        shutil.rmtree(profile, ignore_errors=True)
