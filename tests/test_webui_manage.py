"""The web UI's station "Manage" panel and settings page in Chromium (tests/browser.py): a station
held Pending (boot.unknown_station) accepted from the page and Accepted at its next BootNotification,
its password set without being shown, its removal after a confirmation, and a setting changed in
place, seen in SQL, with SQL's refusal of a bad value shown in words."""
from __future__ import annotations

from browser import expect, screenshot_on_failure
from ocpp.v16 import call

from test_api import token
from test_station_flow import station
from test_webui import chromium, operator, ui  # noqa: F401  (fixtures)

BOOT = dict(charge_point_vendor="Acme", charge_point_model="M")


def facts_row(page, name: str):
    return page.locator(".facts dt", has_text=name).locator("xpath=following-sibling::dd[1]")


@screenshot_on_failure
async def test_a_pending_station_is_accepted_from_the_ui(server, db, operator, ui):  # noqa: F811
    await db.sql("""select ocpp.set_setting('boot.unknown_station', '"Pending"')""")
    async with station(server.url, "UI-MG-1") as cp:
        assert (await cp.call(call.BootNotification(**BOOT))).status == "Pending"
        page = ui.page
        await ui.sign_in(operator)
        await ui.open("#/stations/UI-MG-1")
        await expect(facts_row(page, "Registration")).to_have_text("Pending")
        await page.locator("#manage-accept").click()
        await expect(page.locator("#manage-result")).to_contain_text("UI-MG-1 accepted")
        await expect(facts_row(page, "Registration")).to_have_text("Accepted")
        await expect(page.locator("#manage-accept")).to_be_hidden()
        assert await db.sql("select registration_status from cs.station where identity = 'UI-MG-1'") == "Accepted"
        assert (await cp.call(call.BootNotification(**BOOT))).status == "Accepted"

        # the password: typed into a password field, stored as a hash, never on the page again
        password = page.locator("#manage-password")
        await expect(password).to_have_attribute("type", "password")
        await password.fill("ui-secret-42")
        await page.locator("#manage-set-password").click()
        await expect(page.locator("#manage-result")).to_contain_text("Password set")
        await expect(password).to_have_value("")
        assert "ui-secret-42" not in await page.content()
        stored = await db.sql("select password_hash from cs.station where identity = 'UI-MG-1'")
        assert stored.startswith("bcrypt-sha256$")

        # a refusal in words: a heartbeat interval that is not positive
        await page.locator("#manage-heartbeat").fill("0")
        await page.locator("#manage-set-heartbeat").click()
        await expect(page.locator("#manage-result .error")).to_contain_text("0 seconds is not positive")
        await page.locator("#manage-heartbeat").fill("90")
        await page.locator("#manage-set-heartbeat").click()
        await expect(page.locator("#manage-result")).to_contain_text("Heartbeat interval set to 90 s")
        assert await db.sql("select heartbeat_interval from cs.station where identity = 'UI-MG-1'") == "90"


@screenshot_on_failure
async def test_a_station_is_deleted_only_after_confirmation(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.add_station('UI-MG-2')")
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/stations/UI-MG-2")
    messages: list[str] = []

    async def dismiss(dialog):
        messages.append(dialog.message)
        await dialog.dismiss()
    page.once("dialog", dismiss)
    await page.locator("#manage-delete").click()
    await expect(page.locator("#manage-delete")).to_be_enabled()
    assert messages and "Delete UI-MG-2" in messages[0]
    assert await db.sql("select count(*) from cs.station where identity = 'UI-MG-2'") == "1"

    async def accept(dialog):
        await dialog.accept()
    page.once("dialog", accept)
    await page.locator("#manage-delete").click()
    await expect(page).to_have_url(f"{ui.base}/#/")
    assert await db.sql("select count(*) from cs.station where identity = 'UI-MG-2'") == "0"


@screenshot_on_failure
async def test_a_setting_is_changed_in_place_and_a_bad_value_refused_in_words(server, db, operator, ui):  # noqa: F811
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/settings")
    await expect(page.locator("#nav a[data-nav=settings]")).to_have_class("active")
    cell = page.locator('.setting-value[data-key="boot.retry_interval"]')
    row = page.locator("#settings tr", has=cell)
    await expect(row).to_contain_text("seconds, the interval of a Pending or Rejected BootNotification")
    await expect(cell.locator(".setting-current")).to_have_text("60")

    await cell.locator(".setting-edit").click()
    await cell.locator(".setting-input").fill("45")
    await cell.locator(".setting-save").click()
    await expect(cell.locator(".setting-current")).to_have_text("45")
    assert await db.sql("select value from cs.setting where key = 'boot.retry_interval'") == "45"

    await cell.locator(".setting-edit").click()
    await cell.locator(".setting-input").fill("-5")
    await cell.locator(".setting-save").click()
    await expect(cell.locator(".setting-message .error")).to_contain_text(
        "invalid setting value. boot.retry_interval does not accept -5")
    assert await db.sql("select value from cs.setting where key = 'boot.retry_interval'") == "45"

    # a text value needs no quotes
    status = page.locator('.setting-value[data-key="boot.unknown_station"]')
    await status.locator(".setting-edit").click()
    await status.locator(".setting-input").fill("Pending")
    await status.locator(".setting-save").click()
    await expect(status.locator(".setting-current")).to_have_text('"Pending"')
    assert await db.sql("select value from cs.setting where key = 'boot.unknown_station'") == '"Pending"'


@screenshot_on_failure
async def test_a_read_token_sees_but_cannot_change(server, db, ui):  # noqa: F811
    await db.sql("select ocpp.add_station('UI-MG-3', 'Pending')")
    page = ui.page
    await ui.sign_in(token(db, "read", "reader"))
    await ui.open("#/stations/UI-MG-3")
    await expect(page.locator("#manage")).to_contain_text("Your token is read-only")
    for button in ("#manage-accept", "#manage-set-password", "#manage-delete"):
        await expect(page.locator(button)).to_be_disabled()
    await ui.open("#/settings")
    await expect(page.locator('.setting-value[data-key="boot.retry_interval"] .setting-current')).to_have_text("60")
    await expect(page.locator(".setting-edit")).to_have_count(0)
