"""The web UI in a newcomer's first hour (issue 18), in Debian's headless Chromium: one live socket
per page, whichever way the user signs in, and an icon in the tab."""
from __future__ import annotations

import re

import aiohttp
from browser import expect, screenshot_on_failure
from test_webui import chromium, operator, ui  # noqa: F401 - fixtures

LIVE = re.compile(r"/ui/live$")


def live_sockets(ui) -> list:
    opened: list = []
    ui.page.on("websocket", lambda ws: opened.append(ws) if LIVE.search(ws.url) else None)
    return opened


@screenshot_on_failure
async def test_the_page_opens_its_live_socket_once(server, operator, ui):
    page = ui.page
    opened = live_sockets(ui)
    await ui.open("#/")
    await expect(page).to_have_url(re.compile(r"#/signin$"))
    await page.fill("#token", operator)
    await page.click('form.signin button[type="submit"]')
    await expect(page.locator("#live-state")).to_have_text("● live")
    await ui.go("#/log")
    await expect(page.locator("#log-status")).to_be_visible()
    await ui.go("#/")
    await expect(page.locator("#live-state")).to_have_text("● live")
    assert len(opened) == 1, [ws.url for ws in opened]

    await page.reload()  # signed in already: the session check opens it, the page reuses it
    await expect(page.locator("#live-state")).to_have_text("● live")
    await ui.go("#/log")
    await expect(page.locator("#log-status")).to_be_visible()
    assert len(opened) == 2, [ws.url for ws in opened]
    assert not any(ws.is_closed() for ws in opened[1:])


@screenshot_on_failure
async def test_the_page_has_an_icon(server, operator, ui):
    failed: list[str] = []
    ui.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    await ui.sign_in(operator)
    await ui.open("#/")
    await expect(ui.page.locator("#live-state")).to_have_text("● live")
    href = await ui.page.locator('link[rel="icon"]').get_attribute("href")
    assert href == "/ui/favicon.svg"
    async with aiohttp.ClientSession() as http:
        for path in (href, "/favicon.ico"):
            async with http.get(f"{ui.base}{path}") as r:
                body = await r.read()
                assert r.status == 200 and r.content_type == "image/svg+xml", (path, r.status)
                assert body.startswith(b"<svg")
    assert failed == []


@screenshot_on_failure
async def test_last_seen_moves_on_heartbeats(server, db, operator, ui):
    """A heartbeat changes no state (no station NOTIFY), yet the station page's "Last seen" follows it."""
    from ocpp.v16 import call
    from test_station_flow import station

    async with station(server.url, "SEEN1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await db.sql("update cs.station_presence p set last_seen = now() - interval '3 hours' from cs.station s "
                     "where s.id = p.station_id and s.identity = 'SEEN1'")
        await ui.sign_in(operator)
        await ui.open("#/stations/SEEN1")
        facts = ui.page.locator(".facts")
        await expect(facts).to_contain_text(re.compile(r"Last seen\s*3 h ago"))
        await expect(ui.page.locator("#live-state")).to_have_text("● live")
        await cp.call(call.Heartbeat())
        await expect(facts).to_contain_text(re.compile(r"Last seen\s*(just now|\d+ s ago)"))
