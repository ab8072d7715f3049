"""OCPP 2.0.1 id token details through the REST API (docs/rest-api.md, "Id tags"): set, changed and
refused in words, what a real 2.0.1 station (the `ocpp` package's v201 ChargePoint) hears in
idTokenInfo afterwards, the tag list's X-Total-Count, the details in CSV export and import with the
formula guard, and closedBy of a force-closed transaction, against a real server and database."""
from __future__ import annotations

from ocpp.v16 import call
from ocpp.v201 import call as call201

from test_api import Api, api, token  # noqa: F401 - the fixture
from test_commands import answering
from test_station_flow import now
from test_v201 import station as station201

CSV = "text/csv"
DETAILS = {"tokenType": "ISO14443", "groupIdToken": "DEPOT", "groupTokenType": "Central", "evseIds": [1],
           "chargingPriority": 4, "language1": "nl", "language2": "en-GB",
           "personalMessage": {"format": "UTF8", "language": "nl", "content": "Goedemiddag"}}


async def test_details_set_through_rest_reach_a_201_station(api, server):
    status, tag = await api.post("/api/v1/id-tags", {"idTag": "RF-201", **DETAILS})
    assert status == 201, tag
    assert {k: tag[k] for k in DETAILS} == DETAILS
    assert (await api.get("/api/v1/id-tags/RF-201")) == (200, tag)
    async with station201(server.url, "TOK201", "2.0.1") as cp:
        info = (await cp.call(call201.Authorize(id_token={"idToken": "RF-201", "type": "ISO14443"}))).id_token_info
        assert info == {"status": "Accepted", "charging_priority": 4, "language1": "nl", "language2": "en-GB",
                        "evse_id": [1], "group_id_token": {"id_token": "DEPOT", "type": "Central"},
                        "personal_message": {"format": "UTF8", "language": "nl", "content": "Goedemiddag"}}
        # a PUT that leaves the details out keeps them; null clears one
        status, changed, _ = await api.request("PUT", "/api/v1/id-tags/RF-201",
                                               json={"status": "Accepted", "language2": None, "evseIds": [2, 3]})
        assert status == 200 and changed["language2"] is None and changed["language1"] == "nl"
        assert changed["evseIds"] == [2, 3] and changed["personalMessage"] == DETAILS["personalMessage"]
        info = (await cp.call(call201.Authorize(id_token={"idToken": "RF-201", "type": "ISO14443"}))).id_token_info
        assert "language2" not in info and info["evse_id"] == [2, 3] and info["charging_priority"] == 4


async def test_bad_details_are_refused_in_words_and_change_nothing(api):
    assert (await api.post("/api/v1/id-tags", {"idTag": "RF-BAD", "language1": "de"}))[0] == 201
    status, body = await api.post("/api/v1/id-tags", {
        "idTag": "RF-BAD", "tokenType": "Card", "evseIds": [0], "chargingPriority": 1.5, "language1": "deutsch-de",
        "personalMessage": {"format": "RTF", "content": "x" * 513}})
    assert status == 400 and body["error"]["description"] == "invalid id token details"
    assert body["error"]["details"]["lines"] == [
        'tokenType "Card" is not one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization',
        "evseIds [0] is not a list of EVSE ids (positive integers; null: every EVSE)",
        "chargingPriority 1.5 is not an integer from -9 to 9",
        'language1 "deutsch-de" is not a language code (RFC 5646, at most 8 characters: en, de-DE)',
        'personalMessage format "RTF" is not one of ASCII, HTML, URI, UTF8',
        f'personalMessage content "{"x" * 39} is not a text of 1 to 512 characters']
    status, tag = await api.get("/api/v1/id-tags/RF-BAD")
    assert tag["language1"] == "de" and tag["tokenType"] is None
    status, body, _ = await api.request("PUT", "/api/v1/id-tags/RF-BAD", json={"personalMessage": "hello"})
    assert status == 400 and body["error"]["details"]["lines"] == [
        'personalMessage "hello" is not an object with format, content and language']
    status, body, _ = await api.request("PUT", "/api/v1/id-tags/RF-NONE", json={"tokenType": "Central"})
    assert status == 404 and body["error"]["description"] == "unknown id tag"


async def test_the_list_says_how_many_match_in_all(api):
    for n in range(5):
        await api.post("/api/v1/id-tags", {"idTag": f"CNT-{n}", "status": "Blocked" if n % 2 else "Accepted"})
    await api.post("/api/v1/id-tags", {"idTag": "ELSE"})
    status, tags, headers = await api.request("GET", "/api/v1/id-tags", params={"q": "cnt", "limit": "2"})
    assert status == 200 and [t["idTag"] for t in tags] == ["CNT-0", "CNT-1"]
    assert headers["X-Total-Count"] == "5"
    status, tags, headers = await api.request("GET", "/api/v1/id-tags", params={"status": "Blocked", "offset": "1"})
    assert [t["idTag"] for t in tags] == ["CNT-3"] and headers["X-Total-Count"] == "2"
    status, tags, headers = await api.request("GET", "/api/v1/id-tags", params={"q": "nothing"})
    assert (status, tags, headers["X-Total-Count"]) == (200, [], "0")


async def test_csv_round_trip_with_details_and_the_formula_guard(api, db):
    await api.post("/api/v1/id-tags", {"idTag": "CSV-201", **DETAILS, "chargingPriority": -2})
    await api.post("/api/v1/id-tags", {"idTag": "=1+2", "parentIdTag": "@SUM(A1)"})
    status, text, _ = await api.request("GET", "/api/v1/id-tags.csv")
    assert status == 200
    assert text.splitlines() == [
        "idTag,status,expiryDate,parentIdTag,tokenType,groupIdToken,groupTokenType,evseIds,chargingPriority,"
        "language1,language2,personalMessageFormat,personalMessageLanguage,personalMessageContent",
        "'=1+2,Accepted,,'@SUM(A1),,,,,,,,,,",
        "CSV-201,Accepted,,,ISO14443,DEPOT,Central,1,'-2,nl,en-GB,UTF8,nl,Goedemiddag"]
    before = await db.sql("select string_agg(i::text, ';' order by id_tag) from (select id_tag, status, "
                          "parent_id_tag, token_type, group_id_token, group_token_type, evse_ids, "
                          "charging_priority, language1, language2, personal_message from cs.id_tag) i")
    await db.sql("delete from cs.id_tag")
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import", data=text.encode(),
                                        headers={"Content-Type": CSV})
    assert (status, body) == (200, {"imported": 2, "added": 2, "changed": 0})
    after = await db.sql("select string_agg(i::text, ';' order by id_tag) from (select id_tag, status, "
                         "parent_id_tag, token_type, group_id_token, group_token_type, evse_ids, "
                         "charging_priority, language1, language2, personal_message from cs.id_tag) i")
    assert after == before
    # an old CSV without the 2.0.1 columns still imports, and keeps the details
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import",
                                        data=b"idTag,status,expiryDate,parentIdTag\nCSV-201,Blocked,,\n",
                                        headers={"Content-Type": CSV})
    assert (status, body) == (200, {"imported": 1, "added": 0, "changed": 1})
    status, tag = await api.get("/api/v1/id-tags/CSV-201")
    assert tag["status"] == "Blocked" and tag["language1"] == "nl" and tag["chargingPriority"] == -2
    status, body, _ = await api.request("POST", "/api/v1/id-tags/import",
                                        data=b"idTag,tokenType,language1\nX1,Card,\nX2,,klingon1\n",
                                        headers={"Content-Type": CSV})
    assert status == 400 and body["error"]["details"]["lines"] == [
        'line 2: tokenType "Card" is not one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, '
        'NoAuthorization',
        'line 3: language1 "klingon1" is not a language code (RFC 5646, at most 8 characters: en, de-DE)']


async def test_a_force_close_names_who_closed_it(api, server, db):
    await db.sql("select ocpp.set_id_tag('CLOSE-ME')")
    async with answering(server.url, "CLOSEBY1") as cp:
        await cp.call(call.StartTransaction(connector_id=1, id_tag="CLOSE-ME", meter_start=100, timestamp=now()))
        status, rows = await api.get("/api/v1/transactions", params={"identity": "CLOSEBY1"})
        assert status == 200 and "closedBy" not in rows[0]
        tx = rows[0]["id"]
        night = Api(server, token(db, "operator", "night-shift"))
        status, closed = await night.post(f"/api/v1/transactions/{tx}/close", {"reason": "EmergencyStop"})
        assert status == 200 and closed["closedBy"] == {"by": "operator", "user": "night-shift",
                                                        "reason": "EmergencyStop"}
        status, one = await api.get(f"/api/v1/transactions/{tx}")
        assert one["closedBy"] == closed["closedBy"]
        status, rows = await api.get("/api/v1/transactions", params={"identity": "CLOSEBY1"})
        assert rows[0]["closedBy"]["user"] == "night-shift"
        assert await db.sql(f"select closed_by_user from cs.transaction where id = {tx}") == "night-shift"
