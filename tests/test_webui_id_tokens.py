"""The web UI's id tag page with the OCPP 2.0.1 details in Chromium (tests/browser.py): a tag's
details edited there are listed and reach a real 2.0.1 station (the `ocpp` package's v201
ChargePoint) in idTokenInfo; a bad detail is refused in words; the list says how many tags match;
the export guards a formula-like field; and a force-closed transaction's page says who closed it."""
from __future__ import annotations

from pathlib import Path

from browser import expect, screenshot_on_failure
from ocpp.v16 import call
from ocpp.v201 import call as call201

from test_commands import answering
from test_station_flow import now
from test_v201 import station as station201
from test_webui import chromium, operator, ui  # noqa: F401  (fixtures)
from test_webui_tags import row


@screenshot_on_failure
async def test_edit_a_tags_201_details_and_see_them_listed_and_authorized(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.set_id_tag('UI-201', 'Accepted', NULL, 'FLEET')")
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/tags")
    await expect(page.locator("#tag-count")).to_have_text("1 tag")
    await expect(row(page, "UI-201")).to_contain_text("any")

    await row(page, "UI-201").locator("button.tag-edit").click()
    await expect(page.locator("#tag-id")).to_have_value("UI-201")
    await page.select_option("#tag-token-type", "ISO14443")
    await page.fill("#tag-group-token", "DEPOT")
    await page.select_option("#tag-group-type", "Central")
    await page.fill("#tag-evses", "1, 2")
    await page.fill("#tag-priority", "3")
    await page.fill("#tag-language1", "fr")
    await page.fill("#tag-message-content", "Bonjour")
    await page.fill("#tag-message-language", "fr")
    await page.click("#tag-save")
    await expect(page.locator("#tag-message")).to_have_text("Saved UI-201.")
    await expect(row(page, "UI-201")).to_contain_text("ISO14443")
    await expect(row(page, "UI-201").locator(".tag-details")).to_have_text(
        "group DEPOT (Central) · EVSE 1, 2 · priority 3 · fr · “Bonjour”")

    async with station201(server.url, "UI-TOK201", "2.0.1") as cp:
        info = (await cp.call(call201.Authorize(id_token={"idToken": "UI-201", "type": "ISO14443"}))).id_token_info
        assert info == {"status": "Accepted", "charging_priority": 3, "language1": "fr", "evse_id": [1, 2],
                        "group_id_token": {"id_token": "DEPOT", "type": "Central"},
                        "personal_message": {"format": "UTF8", "language": "fr", "content": "Bonjour"}}

    # the form shows the stored details again; a bad one is refused in words and changes nothing
    await row(page, "UI-201").locator("button.tag-edit").click()
    await expect(page.locator("#tag-evses")).to_have_value("1, 2")
    await expect(page.locator("#tag-message-content")).to_have_value("Bonjour")
    await page.fill("#tag-evses", "1, two")
    await page.fill("#tag-language2", "français")
    await page.click("#tag-save")
    await expect(page.locator("#tag-message")).to_contain_text("invalid id token details")
    await expect(page.locator("#tag-import-errors li")).to_have_text([
        'evseIds "1, two" is not a list of EVSE ids (positive integers; null: every EVSE)',
        'language2 "français" is not a language code (RFC 5646, at most 8 characters: en, de-DE)'])
    await expect(row(page, "UI-201").locator(".tag-details")).to_contain_text("EVSE 1, 2")


@screenshot_on_failure
async def test_count_and_the_exports_formula_guard(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.set_id_tag('=CMD()', 'Accepted', NULL, '+GROUP')")
    await db.sql("select ocpp.set_id_tag('PLAIN-' || g) from generate_series(1, 60) g")
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/tags")
    await expect(page.locator("#tag-count")).to_have_text("61 tags")
    await expect(page.locator("#tags tbody tr")).to_have_count(50)
    await page.click("#tag-next")
    await expect(page.locator("#tags tbody tr")).to_have_count(11)
    await expect(page.locator("#tag-page")).to_have_text("page 2 of 2")
    await page.fill("#tag-search", "plain-1")
    await expect(page.locator("#tag-count")).to_have_text("11 tags")
    await expect(page.locator("#tag-csv-201")).to_contain_text("does not run it as a formula")

    async with page.expect_download() as download:
        await page.click("#tag-export")
    lines = Path(await (await download.value).path()).read_text().splitlines()
    assert lines[0] == "idTag,status,expiryDate,parentIdTag"
    assert "'=CMD(),Accepted,,'+GROUP" in lines


@screenshot_on_failure
async def test_a_force_closed_transaction_says_who_closed_it(server, db, operator, ui):  # noqa: F811
    await db.sql("select ocpp.set_id_tag('UI-CLOSED')")
    async with answering(server.url, "UI-CLOSEBY") as cp:
        await cp.call(call.StartTransaction(connector_id=1, id_tag="UI-CLOSED", meter_start=0, timestamp=now()))
        tx = await db.sql("select t.id from cs.transaction t join cs.station s on s.id = t.station_id "
                          "where s.identity = 'UI-CLOSEBY'")
        page = ui.page
        await ui.sign_in(operator)
        await ui.open(f"#/transactions/{tx}")
        await expect(page.locator("h1")).to_contain_text("running")
        await expect(page.locator("#tx-closed-by")).to_have_count(0)
        await page.click("#force-close")
        await page.select_option("#close-reason", "EmergencyStop")
        await page.click("#close-confirm")
        await expect(page.locator("h1")).to_contain_text("stopped")
        # the operator fixture's token is named "operator"
        await expect(page.locator("#tx-closed-by")).to_have_text("the operator operator, reason EmergencyStop")
