"""The web UI's site pages in Chromium (tests/browser.py): the list of sites and one site's load —
its limit, each charging EVSE's allocation and what it draws — with stations of the `ocpp` package
charging in the site and the page following a stop by itself."""
from __future__ import annotations

import json

from browser import expect, screenshot_on_failure
from ocpp.v16 import call

from test_site_load import Held, boot, start, station_class
from test_station_flow import now, station
from test_webui import chromium, operator, ui  # noqa: F401  (fixtures)


@screenshot_on_failure
async def test_site_page_shows_limit_allocations_and_draw(server, db, operator, ui):  # noqa: F811
    held = Held()
    cls = station_class(held)
    async with station(server.url, "UI-SITE-1", cls=cls) as s1, station(server.url, "UI-SITE-2", cls=cls) as s2:
        for cp in (s1, s2):
            await boot(cp)
        site = json.loads(await db.sql("select ocpp.set_site('Car park', 32)"))["id"]
        for identity in ("UI-SITE-1", "UI-SITE-2"):
            await db.sql(f"select ocpp.add_station_to_site({site}, '{identity}')")
        tx1 = await start(s1)
        await start(s2)
        await s1.call(call.MeterValues(connector_id=1, transaction_id=tx1, meter_value=[{
            "timestamp": now(), "sampledValue": [
                {"value": "15.5", "measurand": "Current.Import", "unit": "A", "phase": "L1"}]}]))

        page = ui.page
        await ui.sign_in(operator)
        await ui.open("#/sites")
        await expect(page.locator("#sites")).to_contain_text("32 A per phase")
        await page.locator("#sites a", has_text="Car park").click()
        await expect(page.locator("h1")).to_have_text("Car park")
        await expect(page.locator("#site-limit")).to_have_text("32 A per phase")
        rows = page.locator("#site-load table").first.locator("tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text("UI-SITE-1")
        await expect(rows.nth(0)).to_contain_text("16.0 A")
        await expect(rows.nth(0)).to_contain_text("15.5 A")
        await expect(rows.nth(1)).to_contain_text("UI-SITE-2")
        await expect(page.locator("#site-allocated")).to_have_text("32.0 A")
        await expect(page.locator("#site-draw")).to_have_text("15.5 A")
        await expect(page.locator("#site-load progress")).to_have_attribute("value", "100")

        # a stop: the page follows by itself
        held.stopped("UI-SITE-1", 1)
        await s1.call(call.StopTransaction(meter_stop=500, timestamp=now(), transaction_id=tx1))
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("UI-SITE-2")
        await expect(rows.first).to_contain_text("32.0 A")
    assert held.highest <= 32.0
