"""Headless Chromium for the web UI tests: Debian's /usr/bin/chromium driven by Python Playwright
(no `playwright install`, no downloaded browser), one fresh browser context (cookies, storage) per
test, and a screenshot when a test fails."""
from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright, expect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("OCPP_CS_WEBUI_SHOTS", Path(tempfile.gettempdir()) / "ocpp-cs-webui-failures"))
WAIT = 20_000  # ms an expectation waits for the page to get there (never asserted as a duration)

expect.set_options(timeout=WAIT)


async def launch(playwright) -> Browser:
    # Playwright gives every launch a fresh, temporary --user-data-dir and adds --headless.
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


class UI:
    """One page of the web UI of one server."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []  # uncaught exceptions and CSP violations: a test fails on any
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Chromium reports each Content-Security-Policy violation as a console error
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                and "Content Security Policy" in m.text else None)

    async def open(self, route: str = "#/") -> None:
        """Loads the single page at a hash route, e.g. "#/stations/CP1"."""
        await self.page.goto(f"{self.base}/{route}")

    async def go(self, route: str) -> None:
        """Follows a hash route inside the loaded page (no reload)."""
        await self.page.evaluate("route => { location.hash = route }", route)

    async def sign_in(self, token: str) -> None:
        """Signs in as the sign-in page does (the cookie lands in this browser context)."""
        response = await self.page.request.post(f"{self.base}/ui/session", data={"token": token})
        assert response.status == 200, await response.text()

    async def fetch_status(self, path: str, method: str = "GET") -> int:
        """The HTTP status of a same-origin fetch made by the page (with its cookie)."""
        return await self.page.evaluate(
            "([p, m]) => fetch(p, {method: m, credentials: 'same-origin', headers: {'Content-Type': "
            "'application/json'}, body: m === 'GET' ? undefined : '{}'}).then(r => r.status)", [path, method])

    async def screenshot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


def screenshot_on_failure(test):
    """Wraps an async test that takes a `ui` fixture: on failure, a full-page PNG of where the page
    was is saved under SHOTS and its path printed (pytest shows it with the failure)."""
    @functools.wraps(test)
    async def wrapper(*args: Any, **kwargs: Any):
        try:
            return await test(*args, **kwargs)
        except BaseException:
            ui = kwargs.get("ui")
            if isinstance(ui, UI):
                try:
                    path = await ui.screenshot(test.__name__)
                    print(f"\nscreenshot of the failing page: {path}\nat {ui.page.url}\n"
                          f"page errors: {ui.errors}")
                except Exception as e:  # noqa: BLE001 - the test's own error matters more
                    print(f"\nno screenshot: {e}")
            raise
    return wrapper


__all__ = ["UI", "launch", "async_playwright", "expect", "screenshot_on_failure", "SHOTS"]
