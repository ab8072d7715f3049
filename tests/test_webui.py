"""The web UI end to end: the real server and PostgreSQL (conftest), stations from the emulator and
the `ocpp` package, and Debian's headless Chromium driven by Playwright (tests/browser.py). Each test
looks at the page as a person would (text, badges, forms) and takes a screenshot when it fails."""
from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path
from typing import AsyncIterator

import pytest
import pytest_asyncio
from ocpp.exceptions import NotSupportedError
from ocpp.v16 import call

from browser import UI, async_playwright, expect, launch, screenshot_on_failure
from ocpp_emulator import Emulator, StationOptions, load_stations
from test_api import token
from test_commands import answering
from test_emulator import FAST, station_file
from test_emulator201 import station_file as station_file_201
from test_station_flow import now, station


@pytest_asyncio.fixture(scope="session")
async def chromium():
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        yield browser
        await browser.close()


@pytest_asyncio.fixture
async def ui(chromium, server) -> AsyncIterator[UI]:
    context = await chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    ui = UI(page, f"http://127.0.0.1:{server.port}")
    yield ui
    await context.close()
    assert not ui.errors, f"uncaught errors in the page: {ui.errors}"


@pytest.fixture
def demo(server_config):
    """Authentication off ([api] demo = true); first in a test's arguments, before `server`."""
    server_config.api.demo = True
    return server_config


@pytest_asyncio.fixture
async def emulator(server, tmp_path: Path) -> AsyncIterator[Emulator]:
    """EM1: OCPP 1.6, connectors 1 (AC) and 2 (DC), meter values every second."""
    station_file(tmp_path, "EM1", [{"id": 1, "voltage": "AC", "interface": "Type2", "meterValue": 1000},
                                   {"id": 2, "voltage": "DC", "interface": "CCS2", "meterValue": 0,
                                    "power": 50000}])
    emu = Emulator(load_stations(tmp_path), url=server.url + "/", options=StationOptions(**FAST))
    await emu.start()
    await emu.wait_booted(15)
    yield emu
    await emu.stop()


@pytest.fixture
def operator(db) -> str:
    return token(db, "operator")


async def send_command(page, operation: str, fields: dict[str, str] | None = None) -> None:
    """Picks the operation, fills the form built from its schema, and presses Send."""
    await page.select_option("#operation", operation)
    await expect(page.locator("#command-form .schema-form")).to_be_visible()
    for name, value in (fields or {}).items():
        control = page.locator(f'#command-form [name="{name}"]')
        if await control.evaluate("e => e.tagName") == "SELECT":
            await control.select_option(value)
        else:
            await control.fill(value)
    await expect(page.locator("#send")).to_be_enabled()
    await page.click("#send")


# ----------------------------------------------------------------------------------------- tests

@screenshot_on_failure
async def test_dashboard_lists_stations_and_follows_them_live(demo, server, tmp_path, ui):
    station_file(tmp_path, "EM1", [{"id": 1, "voltage": "AC", "interface": "Type2", "meterValue": 0}])
    station_file_201(tmp_path, "EM201")
    emu = Emulator(load_stations(tmp_path), url=server.url + "/", options=StationOptions(**FAST))
    await emu.start()
    try:
        await emu.wait_booted(15)
        page = ui.page
        await ui.open("#/")
        await expect(page.locator("#banner")).to_contain_text("Authentication is off")
        rows = page.locator("#stations tbody tr")
        await expect(rows).to_have_count(2)
        em1, em201 = rows.filter(has_text="EM1"), rows.filter(has_text="EM201")
        for row, version in ((em1, "1.6"), (em201, "2.0.1")):
            await expect(row.locator("td").nth(2)).to_have_text(version)
            await expect(row.locator("td").nth(3)).to_have_text("TestVendor")
            await expect(row.locator("td").nth(4)).to_have_text("TestModel")
            await expect(row.locator(".badges .badge").first).to_contain_text("Available")
        await expect(page.locator('[data-state="available"] b')).to_have_text("2")
        await expect(page.locator('[data-state="offline"] b')).to_have_text("0")
        await page.click('a.identity:text-is("EM201")')
        await expect(page).to_have_url(re.compile(r"#/stations/EM201$"))
        await expect(page.locator("#connectors")).to_contain_text("Available")
        await page.go_back()

        # A new station boots, starts charging and goes away: the page follows without a reload.
        # Its vendor is markup, which must show as text.
        async with station(server.url, "LIVE1") as cp:
            await cp.call(call.BootNotification(charge_point_vendor="<b id=xss>V</b>", charge_point_model="M1"))
            await cp.call(call.StatusNotification(connector_id=1, error_code="NoError", status="Charging",
                                                  timestamp=now()))
            live = rows.filter(has_text="LIVE1")
            await expect(live.locator("td").nth(3)).to_have_text("<b id=xss>V</b>")
            await expect(live.locator("td").first).to_have_text("charging")
            await expect(page.locator('[data-state="charging"] b')).to_have_text("1")
            assert await page.locator("#xss").count() == 0
        await expect(live.locator("td").first).to_have_text("offline")
        await expect(page.locator('[data-state="offline"] b')).to_have_text("1")

        await page.fill("#station-search", "em201")
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("EM201")
        await page.fill("#station-search", "")
        await page.click('[data-state="offline"]')
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("LIVE1")

        # a phone: one column, nothing wider than the screen
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.click('[data-state="offline"]')
        await expect(rows).to_have_count(3)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        await emu.stop()


@screenshot_on_failure
async def test_station_page_sends_reset_from_the_form_and_shows_the_answer(emulator, operator, ui):
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/stations/EM1")
    await expect(page.locator("h1")).to_contain_text("EM1")
    await expect(page.locator(".facts")).to_contain_text("TestVendor / TestModel")
    await expect(page.locator("#boot")).to_contain_text("chargePointSerialNumber")
    await expect(page.locator("#operation option")).to_contain_text(["RemoteStartTransaction", "Reset"])

    await send_command(page, "Reset", {"type": "Soft"})
    answer = page.locator('#command-result .answer[data-operation="Reset"]')
    await expect(answer).to_contain_text("EM1 answered Reset")
    await expect(answer.locator(".badge")).to_have_text("Accepted")
    # the station's own live log shows the CALL going out
    await expect(page.locator("#station-log")).to_contain_text("Reset")
    await expect(page.locator("#commands")).to_contain_text("answered")

    # GetConfiguration: its answer on the page, and the keys it reported in the Configuration section
    await send_command(page, "GetConfiguration")
    await expect(page.locator('#command-result .answer[data-operation="GetConfiguration"]')).to_contain_text(
        "MeterValueSampleInterval")
    await expect(page.locator("#configuration")).to_contain_text("ChargePointModel")


@screenshot_on_failure
async def test_remote_start_from_the_ui_shows_the_transaction_and_its_chart(emulator, operator, ui):
    page = ui.page
    tag = f"UI-{uuid.uuid4().hex[:8]}"
    await ui.sign_in(operator)
    await ui.open("#/stations/EM1")
    await send_command(page, "RemoteStartTransaction", {"idTag": tag, "connectorId": "1"})
    await expect(page.locator('#command-result .answer[data-operation="RemoteStartTransaction"] .badge')) \
        .to_have_text("Accepted")
    await expect(page.locator("#connectors")).to_contain_text("Charging")
    await expect(page.locator("#station-transactions")).to_contain_text(tag)

    await ui.go("#/transactions")
    await page.fill("#tx-idtag", tag)
    await page.click('form.filters button[type="submit"]')
    await expect(page).to_have_url(re.compile(r"idTag=" + tag))
    rows = page.locator("#transactions tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("EM1")
    await expect(rows.first).to_contain_text("running")
    await page.fill("#tx-idtag", "NO-SUCH-TAG")
    await page.click('form.filters button[type="submit"]')
    await expect(page.locator("#transactions")).to_contain_text("No transaction matches")
    await page.go_back()
    await rows.first.locator("a.tx").click()

    await expect(page).to_have_url(re.compile(r"#/transactions/\d+$"))
    await expect(page.locator("#transaction")).to_contain_text(tag)
    await expect(page.locator("#transaction")).to_contain_text("1000 Wh")   # meter start
    chart = page.locator("#transaction svg.chart")
    await expect(chart).to_be_visible()
    # meter values come every second: the page picks them up while the transaction runs
    await expect(chart.locator('[data-series="Energy delivered"] circle').nth(2)).to_be_attached()
    await expect(chart.locator('[data-series="Power"] circle').nth(1)).to_be_attached()
    assert await chart.locator('[data-series="Energy delivered"] path').get_attribute("d")


@screenshot_on_failure
async def test_live_log_shows_frames_filters_pauses_and_exports_csv(server, operator, ui):
    page = ui.page
    word = uuid.uuid4().hex[:10]
    await ui.sign_in(operator)
    await ui.open("#/log")
    await expect(page.locator("#log-status")).to_contain_text("frames")
    await expect(page.locator(".live-state")).to_have_text("● live")
    async with station(server.url, "LOG1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await cp.call(call.DataTransfer(vendor_id="webui", message_id="first", data=f"hello-{word}"))
        rows = page.locator("#log-rows tbody tr")
        await expect(page.locator("#log-rows")).to_contain_text(f"hello-{word}")
        await expect(page.locator("#log-rows")).to_contain_text("BootNotification")

        await page.fill("#log-search", word)
        await expect(rows).to_have_count(1)
        await expect(rows.first).to_contain_text("LOG1")
        await expect(rows.first).to_contain_text("in ←")
        await page.select_option("#log-direction", "out")
        await expect(page.locator("#log-rows")).to_contain_text("No frame matches")
        await page.select_option("#log-direction", "")
        await page.fill("#log-search", "")
        await page.select_option("#log-action", "DataTransfer")
        await expect(rows.first).to_contain_text("DataTransfer")
        await page.select_option("#log-action", "")
        await page.fill("#log-station", "LOG1")
        await page.fill("#log-search", word)

        # paused: new frames wait, and come in on resume
        await page.click("#log-pause")
        await cp.call(call.DataTransfer(vendor_id="webui", message_id="second", data=f"again-{word}"))
        await expect(page.locator("#log-status")).to_contain_text(re.compile(r"paused: [1-9]\d* new frames"))
        assert f"again-{word}" not in await page.locator("#log-rows").inner_text()
        await page.click("#log-pause")
        await expect(page.locator("#log-rows")).to_contain_text(f"again-{word}")
        await expect(rows).to_have_count(2)

        async with page.expect_download() as download:
            await page.click("#log-csv")
        text = Path(await (await download.value).path()).read_text()
        table = list(csv.DictReader(io.StringIO(text)))
        assert [r["identity"] for r in table] == ["LOG1", "LOG1"]
        assert {r["action"] for r in table} == {"DataTransfer"}
        assert f"again-{word}" in table[0]["payload"] and f"hello-{word}" in table[1]["payload"]


@screenshot_on_failure
async def test_sign_in_with_a_token_and_nothing_without_one(server, db, operator, ui):
    page = ui.page
    await ui.open("#/stations/CP1")
    await expect(page).to_have_url(re.compile(r"#/signin$"))
    await expect(page.locator("#token")).to_be_visible()
    assert await page.locator("#nav").is_hidden()
    assert await page.locator("#log-rows").count() == 0
    assert await ui.fetch_status("/api/v1/stations") == 401
    assert await ui.fetch_status("/ui/session") == 401
    await ui.go("#/log")
    await expect(page).to_have_url(re.compile(r"#/signin$"))
    await page.goto("about:blank")
    await ui.open("#/log")   # a fresh load of a deep link: after signing in, that is where we go
    await expect(page).to_have_url(re.compile(r"#/signin$"))

    await page.fill("#token", "ocs_wrong")
    await page.click('form.signin button[type="submit"]')
    await expect(page.locator(".signin .error")).to_contain_text("not valid")

    await page.fill("#token", operator)
    await page.click('form.signin button[type="submit"]')
    await expect(page).to_have_url(re.compile(r"#/log$"))      # back where the user wanted to go
    await expect(page.locator("#log-status")).to_be_visible()
    await expect(page.locator("#who")).to_have_text("operator")
    assert await page.locator("#banner").is_hidden()
    assert await ui.fetch_status("/api/v1/stations") == 200

    await page.click("#signout")
    await expect(page).to_have_url(re.compile(r"#/signin$"))
    assert await ui.fetch_status("/api/v1/stations") == 401

    # a read-only token: it may look, not send
    async with station(server.url, "RO1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        await page.fill("#token", token(db, "read"))
        await page.click('form.signin button[type="submit"]')
        await expect(page.locator("#who")).to_have_text("read-only")
        await ui.go("#/stations/RO1")
        await page.select_option("#operation", "Reset")
        await expect(page.locator(".commands .note")).to_contain_text("read-only")
        await expect(page.locator("#send")).to_be_disabled()
        assert await ui.fetch_status("/api/v1/ChargePoint/RO1/Reset", "POST") == 403


@screenshot_on_failure
async def test_command_errors_are_shown_in_words(server, operator, ui):
    page = ui.page
    result = page.locator("#command-result")
    await ui.sign_in(operator)
    async with answering(server.url, "ERR1") as cp:
        cp.answers["Reset"] = NotSupportedError(description="no resets on this one")
        await ui.open("#/stations/ERR1")
        await expect(page.locator(".facts")).to_contain_text("connected to")

        await send_command(page, "Reset", {"type": "Hard"})
        await expect(result.locator(".error")).to_contain_text("CALLERROR")
        await expect(result.locator(".error")).to_contain_text("NotSupported")
        await expect(result.locator(".error")).to_contain_text("no resets on this one")

        # the raw JSON view, with a value the schema refuses: the error names the field
        await page.check('#command-form [name="raw-toggle"]')
        await page.fill('#command-form [name="raw-json"]', '{"type": "Sideways"}')
        await page.click("#send")
        await expect(result.locator(".error")).to_contain_text('field "type"')
        await page.fill('#command-form [name="raw-json"]', '{"type": ')
        await page.click("#send")
        await expect(result.locator(".error")).to_contain_text("raw JSON is not valid")

        await page.context.set_offline(True)
        await page.fill('#command-form [name="raw-json"]', '{"type": "Soft"}')
        await page.click("#send")
        await expect(result.locator(".error")).to_contain_text("server cannot be reached")
        await page.context.set_offline(False)

    # the station went away: the page says so, and a command says it was not sent
    await expect(page.locator("h1")).to_contain_text("offline")
    await page.click("#send")
    await expect(result.locator(".error")).to_contain_text("The station is offline")

    await ui.go("#/stations/NO-SUCH")
    await expect(page.locator("main .error")).to_contain_text("Not found")


@screenshot_on_failure
async def test_live_log_filter_finds_history_older_than_the_first_page(server, db, operator, ui):
    # one frame of a quiet station, then more frames of another than the page's first 200
    frame = '{"identity": "%s", "direction": "in", "messageType": 2, "action": "%s", "uniqueId": "%s", "payload": {}}'
    await db.sql(f"select ocpp.log_frames('[{frame % ('QUIET1', 'Heartbeat', 'old-1')}]')")
    busy = ", ".join(frame % ("BUSY1", "Heartbeat", f"b-{i}") for i in range(300))
    await db.sql(f"select ocpp.log_frames('[{busy}]')")
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/log")
    await expect(page.locator("#log-status")).to_contain_text("of 200 frames")
    assert "QUIET1" not in await page.locator("#log-rows").inner_text()
    await page.fill("#log-station", "QUIET1")
    rows = page.locator("#log-rows tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("QUIET1")
    await expect(rows.first).to_contain_text("Heartbeat")
