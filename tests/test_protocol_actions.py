"""protocol/actions.py: the one table of actions and directions, held to the OCA schemas and WSDLs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ocpp_cs.protocol import actions
from ocpp_cs.protocol.actions import BOTH, CENTRAL_SYSTEM, STATION
from ocpp_cs.validation.schemas import SCHEMA_DIR

WSDL = Path(__file__).with_name("wsdl")
SECURITY_WHITEPAPER = {
    "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage", "GetInstalledCertificateIds",
    "GetLog", "InstallCertificate", "LogStatusNotification", "SecurityEventNotification",
    "SignCertificate", "SignedFirmwareStatusNotification", "SignedUpdateFirmware"}


def schema_names(version: str) -> tuple[set[str], set[str]]:
    """(requests, messages without a Response schema) of version's OCA schema folder."""
    stems = {p.stem for p in (SCHEMA_DIR / version).glob("*.json")}
    responses = {s.removesuffix("Response") for s in stems if s.endswith("Response")}
    requests = {s.removesuffix("Request") for s in stems if not s.endswith("Response")}
    return requests, requests - responses


@pytest.mark.parametrize("version", actions.JSON_VERSIONS)
def test_every_schema_is_in_the_table_and_nothing_else(version):
    requests, without_response = schema_names(version)
    assert actions.actions(version) == requests
    assert actions.send_actions(version) == without_response


def wsdl_operations(name: str) -> set[str]:
    return set(re.findall(r'<wsdl:operation name="(\w+)"', (WSDL / name).read_text()))


@pytest.mark.parametrize("version, central, station", [
    ("1.5", "ocpp_centralsystemservice_1.5_final.wsdl", "ocpp_chargepointservice_1.5_final.wsdl"),
    ("1.6", "OCPP_CentralSystemService_1.6.wsdl", "OCPP_ChargePointService_1.6.wsdl"),
])
def test_soap_directions_are_the_wsdls(version, central, station):
    # the central system's service takes what a station sends, and the other way round; the 1.6
    # WSDLs predate the Security Whitepaper's messages
    for side, wsdl in ((STATION, central), (CENTRAL_SYSTEM, station)):
        operations = wsdl_operations(wsdl)
        if version == "1.5":
            assert actions.sent_by(version, side) == operations
        else:
            assert actions.sent_by(version, side) - operations <= SECURITY_WHITEPAPER


def test_directions():
    assert actions.sender("1.6", "Reset") == CENTRAL_SYSTEM
    assert actions.sender("2.0.1", "TransactionEvent") == STATION
    assert actions.sender("2.1", "DataTransfer") == BOTH
    assert actions.sender("1.6", "TransactionEvent") is None
    for version in actions.VERSIONS:
        assert not (actions.sent_by(version, STATION) & actions.sent_by(version, CENTRAL_SYSTEM)
                    - {"DataTransfer"})
    assert actions.send_actions("1.6") == frozenset()
    assert "DataTransfer" in actions.commands("2.0.1") and "Heartbeat" not in actions.commands("1.6")


def test_refusals():
    assert actions.refusal("1.6", CENTRAL_SYSTEM, "Heartbeat") is None
    assert actions.refusal("1.6", STATION, "Reset") is None
    assert actions.refusal("2.1", CENTRAL_SYSTEM, "NotifyPeriodicEventStream", as_send=True) is None
    assert actions.refusal("2.1", STATION, "NotifyPeriodicEventStream", as_send=True) == (
        "NotSupported", "NotifyPeriodicEventStream is sent by a station, not a central system")
    with pytest.raises(ValueError):
        actions.actions("1.2")
    with pytest.raises(ValueError):
        actions.sent_by("1.6", "both")


def test_rest_operations_are_the_central_systems_messages():
    # the REST API's command paths follow SQL's order (test_api), the table has the set
    from ocpp_cs.api.routes import V16_OPERATIONS, V201_OPERATIONS
    assert set(V16_OPERATIONS) == actions.sent_by("1.6", CENTRAL_SYSTEM)
    assert set(V201_OPERATIONS) == actions.sent_by("2.0.1", CENTRAL_SYSTEM)


async def test_sql_has_the_same_table(conn):
    """SQL keeps its own list of who sends what (cs.action_list, read by ocpp.parse and ocpp.send);
    it must say what protocol/actions.py says, version by version, in both directions."""
    rows = await conn.fetch("select version, action, direction from ocpp.actions()")
    assert {r["version"] for r in rows} == set(actions.VERSIONS)
    sql = {(r["version"], r["direction"]): set() for r in rows}
    for r in rows:
        sql[(r["version"], r["direction"])].add(r["action"])
    for version in actions.VERSIONS:
        assert sql.get((version, "station_to_csms"), set()) == set(
            actions.sent_by(version, actions.STATION)), version
        assert sql.get((version, "csms_to_station"), set()) == set(
            actions.sent_by(version, actions.CENTRAL_SYSTEM)), version
