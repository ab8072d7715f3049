"""The statements of the REST API, the web UI and the token commands (api.sql), one method each.

The handlers of server/api and server/webui call these methods and never see a connection: the
object runs on the gateway's pool in the server, or on one connection of its own in a command-line
tool (cli.py). Lists and records come back as the JSON text PostgreSQL made, passed through to the
client unparsed. A refusal raises DatabaseError (connection.py) with PostgreSQL's SQLSTATE, message
and detail; the API maps it to an HTTP status.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from .gateway import load_queries

QUERIES_FILE = Path(__file__).with_name("api.sql")


class Executor(Protocol):
    """An asyncpg pool or connection: both run a statement and give its first value."""
    async def fetchval(self, query: str, *args: Any) -> Any: ...


class ApiQueries:
    def __init__(self, executor: Executor):
        self._db = executor
        self.q = load_queries(QUERIES_FILE)

    async def _value(self, name: str, *args: Any) -> Any:
        return await self._db.fetchval(self.q[name], *args)

    # --- tokens ---

    async def token_check(self, token: str) -> str | None:
        """The role of a live token (read or operator), None for any other."""
        return await self._value("token_check", token)

    async def token_create(self, name: str, role: str, expires: str | None) -> str:
        return await self._value("token_create", name, role, expires)

    async def token_first(self, name: str, role: str) -> str | None:
        return await self._value("token_first", name, role)

    async def token_revoke(self, name: str) -> None:
        await self._value("token_revoke", name)

    # --- stations ---

    async def chargepointlist(self) -> str:
        return await self._value("chargepointlist")

    async def station(self, identity: str) -> str:
        return await self._value("station", identity)

    async def evses(self, identity: str) -> str:
        return await self._value("evses", identity)

    async def charging_profiles(self, identity: str, everything: bool) -> str:
        return await self._value("charging_profiles", identity, everything)

    async def configuration(self, identity: str) -> str:
        return await self._value("configuration", identity)

    async def variables(self, identity: str) -> str:
        return await self._value("variables", identity)

    # --- provisioning (docs/provisioning.md) ---

    async def declare_evse(self, identity: str, evse_id: int, connectors: int) -> int:
        return await self._value("declare_evse", identity, evse_id, connectors)

    async def seed_variable(self, identity: str, component: str, variable: str, value: str | None,
                            attribute_type: str, component_instance: str, variable_instance: str,
                            evse_id: int, connector_id: int, mutability: str | None,
                            data_type: str | None) -> None:
        await self._value("seed_variable", identity, component, variable, value, attribute_type,
                          component_instance, variable_instance, evse_id, connector_id, mutability,
                          data_type)

    async def set_station_auth_required(self, identity: str, required: bool | None) -> None:
        await self._value("set_station_auth_required", identity, required)

    async def operations(self, version: str) -> str:
        return await self._value("operations", version)

    # --- transactions and reservations (dates as ISO 8601 text, cast in SQL) ---

    async def transactionlist(self, identity: str | None, date_from: str | None,
                              date_to: str | None, limit: int, offset: int, id_tag: str | None,
                              running: str | None) -> str:
        return await self._value("transactionlist", identity, date_from, date_to, limit, offset,
                                 id_tag, running)

    async def transaction(self, transaction_id: int) -> str:
        return await self._value("transaction", transaction_id)

    async def reservationlist(self, identity: str | None, date_from: str | None,
                              date_to: str | None, limit: int, offset: int,
                              status: str | None) -> str:
        return await self._value("reservationlist", identity, date_from, date_to, limit, offset,
                                 status)

    async def transaction_cost(self, transaction_id: int) -> str:
        """Recomputes and stores the cost of a transaction (ocpp.transaction_cost); null: no tariff."""
        return await self._value("transaction_cost", transaction_id)

    # --- tariffs (docs/tariffs.md) ---

    async def tariffs(self) -> str:
        return await self._value("tariffs")

    async def tariff(self, tariff_id: str) -> str:
        return await self._value("tariff", tariff_id)

    async def set_tariff(self, tariff_id: str, body_json: str, must_exist: bool) -> str:
        return await self._value("set_tariff", tariff_id, body_json, must_exist)

    async def delete_tariff(self, tariff_id: str) -> None:
        await self._value("delete_tariff", tariff_id)

    async def tariff_assignments(self) -> str:
        return await self._value("tariff_assignments")

    async def assign_tariff(self, tariff_id: str, identity: str | None, evse_id: int | None,
                            id_token_group: str | None) -> str:
        return await self._value("assign_tariff", tariff_id, identity, evse_id, id_token_group)

    async def unassign_tariff(self, assignment_id: int) -> None:
        await self._value("unassign_tariff", assignment_id)

    # --- id tags ---

    async def id_tag(self, id_tag: str) -> str:
        return await self._value("id_tag", id_tag)

    async def set_id_tag(self, id_tag: str, status: str, expiry_date: str | None,
                         parent_id_tag: str | None, must_exist: bool) -> str:
        return await self._value("set_id_tag", id_tag, status, expiry_date, parent_id_tag,
                                 must_exist)

    async def delete_id_tag(self, id_tag: str) -> None:
        await self._value("delete_id_tag", id_tag)

    async def block_id_tag(self, id_tag: str) -> str:
        return await self._value("block_id_tag", id_tag)

    # --- commands ---

    async def send(self, identity: str, action: str, payload_json: str,
                   token: str | None = None) -> int:
        """Queues a command (ocpp.send); its id. token: the caller's API token, whose name the
        command records as its sender (createdBy; else the database login)."""
        return await self._value("send", identity, action, payload_json, token)

    async def command(self, command_id: int) -> str:
        return await self._value("command", command_id)

    async def cancel_command(self, command_id: int) -> None:
        await self._value("cancel_command", command_id)

    async def commands(self, identity: str | None, status: str | None, limit: int,
                       offset: int) -> str:
        return await self._value("commands", identity, status, limit, offset)

    # --- message log ---

    async def message_log(self, identity: str | None, date_from: str | None, date_to: str | None,
                          limit: int, offset: int, action: str | None,
                          direction: str | None) -> str:
        return await self._value("message_log", identity, date_from, date_to, limit, offset,
                                 action, direction)

    async def message_log_after(self, after_id: int, upto_id: int, limit: int) -> str:
        """Rows with after_id < id <= upto_id, at most limit (the live feed)."""
        return await self._value("message_log_after", after_id, upto_id, limit)

    async def message_log_newest(self) -> int:
        return await self._value("message_log_newest")

    # --- sites (docs/site-load-balancing.md); numbers go as text, cast in SQL ---

    async def sites(self) -> str:
        return await self._value("sites")

    async def set_site(self, name: str, limit: str, unit: str | None, voltage: str | None,
                       phases: str | None, site_id: int | None) -> str:
        """Creates (site_id None: or changes the site of that name) or changes a site."""
        return await self._value("set_site", name, limit, unit, voltage, phases, site_id)

    async def delete_site(self, site_id: int) -> None:
        await self._value("delete_site", site_id)

    async def site_load(self, site_id: int) -> str:
        return await self._value("site_load", site_id)

    async def add_station_to_site(self, site_id: int, identity: str, priority: str | None,
                                  min_current: str | None, max_current: str | None) -> str:
        return await self._value("add_station_to_site", site_id, identity, priority, min_current,
                                 max_current)

    async def remove_station_from_site(self, identity: str, site_id: int) -> None:
        await self._value("remove_station_from_site", identity, site_id)

    # --- operations (issue 18); a command to several stations is one send per station ---

    async def close_transaction(self, transaction_id: int, reason: str,
                                meter_stop: int | None) -> str:
        """An operator stop of an open transaction (ocpp.close_transaction); the transaction."""
        return await self._value("close_transaction", transaction_id, reason, meter_stop)

    async def today(self, since: str | None) -> str:
        """Sessions, energy and station states since a moment (ocpp.api_today)."""
        return await self._value("today", since)

    # --- station management and settings (docs/rest-api.md, "Stations: manage"; "Settings") ---

    async def set_station_registration(self, identity: str, status: str | None) -> None:
        await self._value("set_station_registration", identity, status)

    async def set_station_password(self, identity: str, password: str | None) -> None:
        """A bcrypt hash is stored (ocpp.set_station_password); null removes the password."""
        await self._value("set_station_password", identity, password)

    async def set_station_security_profile(self, identity: str, profile: str | None) -> None:
        await self._value("set_station_security_profile", identity, profile)

    async def set_station_account(self, identity: str, account: str | None) -> None:
        await self._value("set_station_account", identity, account)

    async def set_station_heartbeat_interval(self, identity: str, seconds: str | None) -> None:
        await self._value("set_station_heartbeat_interval", identity, seconds)

    async def delete_station(self, identity: str) -> None:
        await self._value("delete_station", identity)

    async def settings(self) -> str:
        return await self._value("settings")

    async def set_setting(self, key: str, value_json: str) -> None:
        await self._value("set_setting", key, value_json)

    async def setting(self, key: str) -> str | None:
        """One setting as ocpp.settings() lists it; None for an unknown key."""
        return await self._value("setting", key)

    # --- id tags: search and CSV (docs/rest-api.md) ---

    async def find_id_tags(self, search: str | None, status: str | None, limit: int, offset: int) -> str:
        return await self._value("find_id_tags", search, status, limit, offset)

    async def import_id_tags(self, csv: str) -> str:
        """All or nothing; a refusal's detail names every bad line, one a line."""
        return await self._value("import_id_tags", csv)

    async def export_id_tags(self) -> str:
        return await self._value("export_id_tags")

    # --- 2.0.1 id token details, the counted tag list, who force-closed (issue 18, tokens18) ---

    async def id_token(self, id_tag: str) -> str:
        """One id tag with its 2.0.1 details (ocpp.api_id_token)."""
        return await self._value("id_token", id_tag)

    async def set_id_token(self, id_tag: str, status: str, expiry: str | None, parent: str | None,
                           details_json: str, must_exist: bool) -> str:
        """ocpp.api_set_id_token: details_json names the 2.0.1 details to set (the others keep theirs)."""
        return await self._value("set_id_token", id_tag, status, expiry, parent, details_json, must_exist)

    async def id_token_page(self, search: str | None, status: str | None, limit: int, offset: int) -> str:
        """{"total", "tags"} (ocpp.api_id_token_page)."""
        return await self._value("id_token_page", search, status, limit, offset)

    async def close_transaction_by(self, transaction_id: int, reason: str, meter_stop: int | None,
                                   token: str | None) -> str:
        """ocpp.close_transaction, recording the token's name (else the database login) as who closed it."""
        return await self._value("close_transaction_by", transaction_id, reason, meter_stop, token)
