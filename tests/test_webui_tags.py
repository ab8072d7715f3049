"""The web UI's id tag page in Chromium (tests/browser.py): a tag added and blocked there is refused
(Blocked) to an OCPP 1.6 station of the `ocpp` package; a CSV file imported there is listed, a bad
one changes nothing and names its bad lines; the export link downloads them all; search and edit."""
from __future__ import annotations

from pathlib import Path

from browser import expect, screenshot_on_failure
from ocpp.v16 import call

from test_station_flow import station
from test_webui import chromium, operator, ui  # noqa: F401  (fixtures)


def row(page, tag: str):
    return page.locator("#tags tbody tr", has=page.locator("code", has_text=tag))


@screenshot_on_failure
async def test_a_tag_added_and_blocked_in_the_ui_is_refused_to_a_station(server, db, operator, ui):  # noqa: F811
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/")
    await page.click("#nav a[data-nav=tags]")
    await expect(page.locator("h1")).to_have_text("Id tags")
    await expect(page.locator("#tags")).to_contain_text("No id tag yet")
    await expect(page.locator("main")).not_to_contain_text("null")
    await expect(page.locator("main .note")).to_have_count(0)  # not read-only

    await page.fill("#tag-id", "UI-TAG-1")
    await page.fill("#tag-parent", "FLEET")
    await page.click("#tag-save")
    await expect(page.locator("#tag-message")).to_have_text("Added UI-TAG-1.")
    await expect(row(page, "UI-TAG-1")).to_contain_text("Accepted")
    await expect(row(page, "UI-TAG-1")).to_contain_text("FLEET")

    async with station(server.url, "UI-TAGS-1") as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Acme", charge_point_model="M"))
        assert (await cp.call(call.Authorize(id_tag="UI-TAG-1"))).id_tag_info["status"] == "Accepted"
        await row(page, "UI-TAG-1").locator("button.tag-block").click()
        await expect(page.locator("#tag-message")).to_have_text("Blocked UI-TAG-1.")
        await expect(row(page, "UI-TAG-1")).to_contain_text("Blocked")
        await expect(row(page, "UI-TAG-1").locator("button.tag-block")).to_be_disabled()
        refused = await cp.call(call.Authorize(id_tag="UI-TAG-1"))
        assert refused.id_tag_info == {"status": "Blocked", "parent_id_tag": "FLEET"}

        # edit: back to Accepted, with an expiry in the past: the station hears Expired
        await row(page, "UI-TAG-1").locator("button.tag-edit").click()
        await expect(page.locator("#tag-id")).to_have_value("UI-TAG-1")
        await page.select_option("#tag-form-status", "Accepted")
        await page.fill("#tag-expiry", "2020-01-01T00:00")
        await page.click("#tag-save")
        await expect(page.locator("#tag-message")).to_have_text("Saved UI-TAG-1.")
        await expect(row(page, "UI-TAG-1")).to_contain_text("Accepted")
        assert (await cp.call(call.Authorize(id_tag="UI-TAG-1"))).id_tag_info["status"] == "Expired"

    page.once("dialog", lambda dialog: dialog.accept())
    await row(page, "UI-TAG-1").locator("button.tag-delete").click()
    await expect(page.locator("#tag-message")).to_have_text("Deleted UI-TAG-1.")
    await expect(page.locator("#tags")).to_contain_text("No id tag yet")
    assert await db.sql("select count(*) from cs.id_tag") == "0"


@screenshot_on_failure
async def test_import_a_csv_search_it_and_export_it(server, db, operator, ui, tmp_path: Path):  # noqa: F811
    page = ui.page
    await ui.sign_in(operator)
    await ui.open("#/tags")
    good = tmp_path / "tags.csv"
    good.write_text("idTag,status,expiryDate,parentIdTag\nCSV-1,,,DEPOT\nCSV-2,Blocked,,DEPOT\nOTHER-3,Invalid,,\n")
    await page.set_input_files("#tag-import", str(good))
    await expect(page.locator("#tag-message")).to_have_text(
        "Imported 3 id tags from tags.csv (3 new, 0 changed).")
    await expect(page.locator("#tags tbody tr")).to_have_count(3)
    await expect(row(page, "CSV-2")).to_contain_text("Blocked")

    await page.fill("#tag-search", "depot")
    await expect(page.locator("#tags tbody tr")).to_have_count(2)
    await page.select_option("#tag-status", "Blocked")
    await expect(page.locator("#tags tbody tr")).to_have_count(1)
    await expect(page.locator("#tags tbody tr")).to_contain_text("CSV-2")
    await page.fill("#tag-search", "nothing-like-it")
    await expect(page.locator("#tags")).to_contain_text("No id tag matches.")
    await page.fill("#tag-search", "")
    await page.select_option("#tag-status", "")
    await expect(page.locator("#tags tbody tr")).to_have_count(3)

    bad = tmp_path / "bad.csv"
    bad.write_text("idTag,status\nCSV-4,\nCSV-5,Maybe\n")
    await page.set_input_files("#tag-import", str(bad))
    await expect(page.locator("#tag-message")).to_contain_text("invalid id tag CSV")
    await expect(page.locator("#tag-import-errors li")).to_have_text(
        ['line 3: status "Maybe" is not Accepted, Blocked, Expired or Invalid'])
    await expect(page.locator("#tags tbody tr")).to_have_count(3)  # all or nothing: CSV-4 is not there

    async with page.expect_download() as download:
        await page.click("#tag-export")
    text = Path(await (await download.value).path()).read_text()
    assert text.splitlines() == ["idTag,status,expiryDate,parentIdTag", "CSV-1,Accepted,,DEPOT",
                                 "CSV-2,Blocked,,DEPOT", "OTHER-3,Invalid,,"]


@screenshot_on_failure
async def test_a_read_token_sees_the_tags_but_may_not_change_them(server, db, ui):  # noqa: F811
    from test_api import token
    await db.sql("select ocpp.set_id_tag('SEEN-1')")
    page = ui.page
    await ui.sign_in(token(db, "read", "reader"))
    await ui.open("#/tags")
    await expect(page.locator("main .note")).to_contain_text("read-only")
    await expect(row(page, "SEEN-1")).to_contain_text("Accepted")
    await expect(row(page, "SEEN-1").locator("button.tag-block")).to_be_disabled()
    await expect(row(page, "SEEN-1").locator("button.tag-delete")).to_be_disabled()
    await expect(page.locator("#tag-save")).to_be_disabled()
    await expect(page.locator("#tag-import")).to_be_disabled()
    async with page.expect_download() as download:
        await page.click("#tag-export")
    assert Path(await (await download.value).path()).read_text().splitlines()[1] == "SEEN-1,Accepted,,"
