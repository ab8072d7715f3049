"""The web UI's operations of issue 18 in Chromium (tests/browser.py): force-closing a transaction a
station lost, one command to several stations ticked on the dashboard, and the dashboard's figures,
which follow a station change by fetching that station alone (counted in the page's requests)."""
from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from browser import expect, screenshot_on_failure
from ocpp.v16 import call

from test_commands import answering
from test_station_flow import now
from test_webui import chromium, operator, ui  # noqa: F401  (fixtures)


@screenshot_on_failure
async def test_force_close_in_the_ui_frees_the_tag(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.set_id_tag('UI-LOST')")
    async with answering(server.url, "UI-OPS-1") as cp:
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="UI-LOST", meter_start=0,
                                                    timestamp=now()))
        assert (await cp.call(call.Authorize(id_tag="UI-LOST"))).id_tag_info["status"] == "ConcurrentTx"
        tx = await db.sql("select t.id from cs.transaction t join cs.station s on s.id = t.station_id "
                          "where s.identity = 'UI-OPS-1'")

        page = ui.page
        await ui.sign_in(operator)
        await ui.open(f"#/transactions/{tx}")
        await expect(page.locator("h1")).to_contain_text("running")
        await expect(page.locator("#close-confirm")).to_be_hidden()
        await page.click("#force-close")
        await page.select_option("#close-reason", "PowerLoss")
        await page.click("#close-confirm")
        await expect(page.locator("h1")).to_contain_text("stopped")
        await expect(page.locator("#transaction")).to_contain_text("PowerLoss")
        await expect(page.locator("#force-close")).to_have_count(0)
        assert await db.sql(f"select closed_by from cs.transaction where id = {tx}") == "operator"

        # the tag is free again at the station
        assert (await cp.call(call.Authorize(id_tag="UI-LOST"))).id_tag_info["status"] == "Accepted"
        again = await cp.call(call.StartTransaction(connector_id=1, id_tag="UI-LOST", meter_start=0,
                                                    timestamp=now()))
        assert again.id_tag_info["status"] == "Accepted" and again.transaction_id != start.transaction_id


@screenshot_on_failure
async def test_bulk_reset_from_the_dashboard(server, db, operator, ui):  # noqa: F811
    async with answering(server.url, "UI-BULK-1") as one, answering(server.url, "UI-BULK-2") as two, \
            answering(server.url, "UI-BULK-3") as three:
        page = ui.page
        await ui.sign_in(operator)
        await ui.open("#/")
        await expect(page.locator("#stations tbody tr")).to_have_count(3)
        await expect(page.locator("#bulk")).to_be_hidden()
        for identity in ("UI-BULK-1", "UI-BULK-2"):
            await page.check(f'#stations input.select[value="{identity}"]')
        await expect(page.locator("#bulk-info")).to_contain_text("2 selected: UI-BULK-1, UI-BULK-2")
        await page.select_option("#bulk-operation", "Reset")
        await expect(page.locator("#bulk-form .schema-form")).to_be_visible()
        await page.select_option('#bulk-form [name="type"]', "Soft")
        await page.click("#bulk-send")
        rows = page.locator("#bulk-results tbody tr")
        await expect(rows).to_have_count(2)
        for n, identity in enumerate(("UI-BULK-1", "UI-BULK-2")):
            await expect(rows.nth(n)).to_contain_text(identity)
            await expect(rows.nth(n)).to_contain_text("answered")
            await expect(rows.nth(n)).to_contain_text("Accepted")
        assert one.received == [("Reset", {"type": "Soft"})]
        assert two.received == [("Reset", {"type": "Soft"})]
        assert three.received == []
        ids = await db.sql("select string_agg(created_by, ',') from cs.command")
        assert ids == "operator,operator"


@screenshot_on_failure
async def test_dashboard_figures_follow_a_station_change_with_one_small_request(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.set_id_tag('UI-DAY')")
    async with answering(server.url, "UI-DAY-1") as cp, answering(server.url, "UI-DAY-2"):
        await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Available",
                                              timestamp=now()))
        start = await cp.call(call.StartTransaction(connector_id=1, id_tag="UI-DAY", meter_start=1000,
                                                    timestamp=now()))
        await cp.call(call.StopTransaction(meter_stop=3500, timestamp=now(), transaction_id=start.transaction_id))

        page = ui.page
        await ui.sign_in(operator)
        await ui.open("#/")
        await expect(page.locator("#today-energy b")).to_have_text("2.5 kWh")
        await expect(page.locator("#today-sessions b")).to_have_text("1")
        await expect(page.locator("#today-faulted b")).to_have_text("0")
        await expect(page.locator("#live-state")).to_contain_text("live")
        await expect(page.locator("#stations tbody tr")).to_have_count(2)
        await asyncio.sleep(1)   # the list read again once the socket opened is not counted

        paths: list[str] = []
        page.on("request", lambda r: paths.append(urlparse(r.url).path))
        await cp.call(call.StatusNotification(connector_id=1, error_code="GroundFailure", status="Faulted",
                                              timestamp=now()))
        row = page.locator("#stations tbody tr").filter(has_text="UI-DAY-1")
        await expect(row.locator("td").first).to_have_text("faulted")
        await expect(page.locator("#today-faulted b")).to_have_text("1")
        await asyncio.sleep(1)   # room for any further request the change would cause
        assert paths.count("/api/v1/stations/UI-DAY-1") == 1, paths
        assert "/api/v1/stations" not in paths, paths
        assert not any(p.startswith("/api/v1/stations/") and p != "/api/v1/stations/UI-DAY-1" for p in paths), paths
