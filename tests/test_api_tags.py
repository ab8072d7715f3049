"""Id tags through the REST API (docs/rest-api.md): search by substring and status with paging, the
CSV export, and the all-or-nothing CSV import with every bad line named in words, over HTTP against
a real server and database."""
from __future__ import annotations

from test_api import Api, token

CSV = "text/csv"


async def test_search_by_substring_and_status_paged(server, db):
    api = Api(server, token(db))
    for body in ({"idTag": "FLEET-1", "parentIdTag": "FLEET"}, {"idTag": "fleet-2", "status": "Blocked"},
                 {"idTag": "OTHER"}):
        assert (await api.post("/api/v1/id-tags", body))[0] == 201
    status, tags = await api.get("/api/v1/id-tags", params={"q": "fleet"})
    assert status == 200 and [t["idTag"] for t in tags] == ["FLEET-1", "fleet-2"]
    status, tags = await api.get("/api/v1/id-tags", params={"q": "FLEET", "status": "Blocked"})
    assert [t["idTag"] for t in tags] == ["fleet-2"]
    status, tags = await api.get("/api/v1/id-tags", params={"limit": "1", "offset": "1"})
    assert [t["idTag"] for t in tags] == ["OTHER"]
    status, body = await api.get("/api/v1/id-tags", params={"status": "Maybe"})
    assert status == 400 and body["error"]["description"] == "invalid id tag status"
    status, body = await api.get("/api/v1/id-tags", params={"limit": "x"})
    assert status == 400 and body["error"]["field"] == "limit"


async def test_import_then_export(server, db):
    api = Api(server, token(db))
    await api.post("/api/v1/id-tags", {"idTag": "OLD", "status": "Accepted"})
    text = ("\ufeffidTag,status,expiryDate,parentIdTag\r\nNEW-1,,2031-01-02T03:04:05Z,FLEET\r\n"
            '"NEW,2",Blocked,,\r\nOLD,Expired,,\r\n')
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=text.encode(),
                                        headers={"Content-Type": CSV})
    assert (status, body) == (200, {"imported": 3, "added": 2, "changed": 1})
    status, tag = await api.get("/api/v1/id-tags/NEW-1")
    assert (tag["status"], tag["expiryDate"], tag["parentIdTag"]) == \
        ("Accepted", "2031-01-02T03:04:05.000Z", "FLEET")
    status, body, headers = await api.request("GET", "/api/v1/id-tags.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "attachment" in headers["Content-Disposition"]
    assert body.splitlines() == ["idTag,status,expiryDate,parentIdTag",
                                 '"NEW,2",Blocked,,', "NEW-1,Accepted,2031-01-02T03:04:05.000Z,FLEET",
                                 "OLD,Expired,,"]
    # what export writes, import reads
    status, again, _ = await api.request("POST", "/api/v1/id-tags/import", data=body.encode(),
                                         headers={"Content-Type": CSV})
    assert (status, again) == (200, {"imported": 3, "added": 0, "changed": 3})


async def test_a_bad_import_changes_nothing_and_names_every_bad_line(server, db):
    api = Api(server, token(db))
    text = "idTag,status,expiryDate\nGOOD,,\nBAD,Maybe,\nLATE,,someday\n" + "X" * 37 + ",,\nGOOD,,\n"
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=text.encode(),
                                        headers={"Content-Type": CSV})
    assert status == 400
    assert body["error"]["description"] == "invalid id tag CSV"
    assert body["error"]["details"]["lines"] == [
        'line 3: status "Maybe" is not Accepted, Blocked, Expired or Invalid',
        'line 4: expiryDate "someday" is not a date and time (ISO 8601)',
        f'line 5: idTag "{"X" * 37}" does not have 1 to 36 characters',
        "line 6: idTag GOOD is in the file twice (first on line 2)"]
    assert await db.sql("select count(*) from cs.id_tag") == "0"
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=b"colour\nred\n",
                                        headers={"Content-Type": CSV})
    assert status == 400 and body["error"]["details"]["lines"] == [
        'line 1: unknown column "colour" (the columns are idTag,status,expiryDate,parentIdTag; for OCPP 2.0.1 '
        'also tokenType,groupIdToken,groupTokenType,evseIds,chargingPriority,language1,language2,'
        'personalMessageFormat,personalMessageLanguage,personalMessageContent)',
        "line 1: the header has no idTag column"]
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", json={"idTag": "A"})
    assert status == 415 and body["error"]["description"] == "the body must be text/csv"
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=b"idTag\n\xff\n",
                                        headers={"Content-Type": CSV})
    assert status == 400 and body["error"]["description"].startswith("the CSV is not UTF-8")
    many = "idTag\n" + "".join(f"T{i}\n" for i in range(10001))
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=many.encode(),
                                        headers={"Content-Type": CSV})
    assert status == 400 and body["error"]["details"]["lines"] == ["line 10002: more than 10000 id tags in one file"]


async def test_a_read_token_exports_but_may_not_import(server, db):
    reader = Api(server, token(db, "read", "reader"))
    status, body, _ = await reader.request("GET", "/api/v1/id-tags.csv")
    assert (status, body) == (200, "idTag,status,expiryDate,parentIdTag\n")
    status, _, _ = await reader.request("POST", "/api/v1/id-tags/import", data=b"idTag\nA\n",
                                        headers={"Content-Type": CSV})
    assert status == 403
    assert (await Api(server, None).request("GET", "/api/v1/id-tags.csv"))[0] == 401
