-- Every statement the REST API (server/api/) and the web UI run, by name: one call of the ocpp.* API
-- each (docs/rest-api.md), each run by one method of database/api.py. Text parameters are cast in
-- SQL, so a bad date or JSON is PostgreSQL's error (class 22, HTTP 400), not the driver's.

-- name: token_check
SELECT ocpp.api_token_check($1);

-- name: chargepointlist
SELECT ocpp.chargepointlist()::text;

-- name: transactionlist
SELECT ocpp.api_transactionlist($1, $2::text::timestamptz, $3::text::timestamptz, $4::integer, $5::integer, $6, $7::text::boolean)::text;

-- name: reservationlist
SELECT ocpp.api_reservationlist($1, $2::text::timestamptz, $3::text::timestamptz, $4::integer, $5::integer, $6)::text;

-- name: send
-- $4: the caller's API token, or null; for this statement only, so that cs.command_creator names the
-- command's sender by the token's name (created_by)
WITH caller AS MATERIALIZED (SELECT set_config('ocpp.api_token', coalesce($4::text, ''), true))
SELECT ocpp.send($1, $2, $3::text::jsonb) FROM caller;

-- name: command
SELECT ocpp.command($1::bigint)::text;

-- name: cancel_command
SELECT ocpp.cancel_command($1::bigint);

-- name: station
SELECT ocpp.api_station($1)::text;

-- name: transaction
SELECT ocpp.api_transaction($1::integer)::text;

-- name: id_tag
SELECT ocpp.api_id_tag($1)::text;

-- name: set_id_tag
SELECT ocpp.api_set_id_tag($1, $2, $3::text::timestamptz, $4, $5::boolean)::text;

-- name: delete_id_tag
SELECT ocpp.delete_id_tag($1);

-- name: block_id_tag
SELECT ocpp.block_id_tag($1)::text;

-- name: commands
SELECT ocpp.api_commands($1, $2, $3::integer, $4::integer)::text;

-- name: message_log
SELECT ocpp.api_message_log($1, $2::text::timestamptz, $3::text::timestamptz, $4::integer, $5::integer, $6, $7)::text;

-- name: token_create
SELECT ocpp.api_token_create($1, $2, $3::text::interval);

-- name: token_first
SELECT ocpp.api_token_first($1, $2);

-- name: token_revoke
SELECT ocpp.api_token_revoke($1);

-- name: charging_profiles
SELECT ocpp.api_charging_profiles($1, $2)::text;

-- name: evses
SELECT ocpp.evselist($1)::text;

-- name: configuration
SELECT ocpp.api_configuration($1)::text;

-- name: variables
SELECT ocpp.api_variables($1)::text;

-- name: operations
SELECT ocpp.api_operations($1)::text;

-- name: message_log_after
SELECT ocpp.api_message_log_after($1::bigint, $2::bigint, $3::integer)::text;

-- name: message_log_newest
SELECT coalesce((ocpp.api_message_log(NULL, NULL, NULL, 1, 0)->0->>'id')::bigint, 0);

-- name: tariffs
SELECT ocpp.tariffs()::text;

-- name: tariff
SELECT ocpp.tariff($1)::text;

-- name: set_tariff
SELECT ocpp.api_set_tariff($1, $2::text::jsonb, $3::boolean)::text;

-- name: delete_tariff
SELECT ocpp.delete_tariff($1);

-- name: tariff_assignments
SELECT ocpp.tariff_assignments()::text;

-- name: assign_tariff
SELECT ocpp.assign_tariff($1, $2, $3::integer, $4)::text;

-- name: unassign_tariff
SELECT ocpp.unassign_tariff($1::integer);

-- name: transaction_cost
SELECT ocpp.transaction_cost($1::integer)::text;

-- name: declare_evse
SELECT ocpp.declare_evse($1, $2::integer, $3::integer);

-- name: seed_variable
SELECT ocpp.seed_variable($1, $2, $3, $4, $5, $6, $7, $8::integer, $9::integer, $10, $11);

-- name: set_station_auth_required
SELECT ocpp.set_station_auth_required($1, $2::boolean);

-- name: sites
SELECT ocpp.sites()::text;

-- name: set_site
SELECT ocpp.set_site($1, $2::text::numeric, coalesce($3, 'A'), coalesce($4::text::numeric, 230),
                     coalesce($5::text::integer, 3), $6::integer)::text;

-- name: delete_site
SELECT ocpp.delete_site($1::integer);

-- name: site_load
SELECT ocpp.site_load($1::integer)::text;

-- name: add_station_to_site
SELECT ocpp.add_station_to_site($1::integer, $2, coalesce($3::text::integer, 0), $4::text::numeric,
                                $5::text::numeric)::text;

-- name: remove_station_from_site
SELECT ocpp.remove_station_from_site($1, $2::integer);

-- --- operations (issue 18: force-close, commands to several stations, the dashboard's figures) ---

-- name: close_transaction
SELECT ocpp.close_transaction($1::bigint, $2, $3::bigint)::text;

-- name: today
SELECT ocpp.api_today($1::text::timestamptz)::text;

-- Station management and settings (issue 18, helper stations18) -----------------------------------

-- name: set_station_registration
SELECT ocpp.set_station_registration($1, $2);

-- name: set_station_password
SELECT ocpp.set_station_password($1, $2);

-- name: set_station_security_profile
SELECT ocpp.set_station_security_profile($1, $2::text::integer);

-- name: set_station_account
SELECT ocpp.set_station_account($1, $2);

-- name: set_station_heartbeat_interval
SELECT ocpp.set_station_heartbeat_interval($1, $2::text::integer);

-- name: delete_station
SELECT ocpp.delete_station($1);

-- name: settings
SELECT ocpp.settings()::text;

-- name: set_setting
SELECT ocpp.set_setting($1, $2::text::jsonb);

-- name: setting
-- one setting as GET /settings lists it, null for an unknown key
SELECT (SELECT s FROM jsonb_array_elements(ocpp.settings()) AS s WHERE s->>'key' = $1)::text;

-- id tags: search, CSV import and export (db/functions/11_api/id_tags.sql)

-- name: find_id_tags
SELECT ocpp.api_find_id_tags($1, $2, $3::integer, $4::integer)::text;

-- name: import_id_tags
SELECT ocpp.import_id_tags($1)::text;

-- name: export_id_tags
SELECT ocpp.export_id_tags();

-- 2.0.1 id token details, the counted tag list, who force-closed (issue 18, tokens18;
-- db/functions/11_api/id_tags.sql)

-- name: id_token
SELECT ocpp.api_id_token($1)::text;

-- name: set_id_token
SELECT ocpp.api_set_id_token($1, $2, $3::text::timestamptz, $4, $5::text::jsonb, $6::boolean)::text;

-- name: id_token_page
SELECT ocpp.api_id_token_page($1, $2, $3::integer, $4::integer)::text;

-- name: close_transaction_by
-- $4: the caller's API token, or null: cs.command_creator names who closed it (closedBy.user)
WITH caller AS MATERIALIZED (SELECT set_config('ocpp.api_token', coalesce($4::text, ''), true))
SELECT ocpp.close_transaction($1::bigint, $2, $3::bigint)::text FROM caller;
