-- Schemas, role, privileges, shipped settings and the small helpers.
BEGIN;
SELECT plan(49);

SELECT has_schema('ocpp');
SELECT has_schema('cs');
SELECT tables_are('ocpp', ARRAY[]::name[], 'ocpp holds no tables');
SELECT tables_are('cs', ARRAY[
    'setting', 'node', 'station', 'connection', 'connector', 'status_notification', 'id_tag',
    'reservation', 'transaction', 'meter_value', 'review', 'data_transfer', 'data_transfer_handler',
    'station_notification', 'security_event', 'certificate_request', 'message_log',
    'command', 'configuration_key', 'local_list', 'local_list_entry', 'charging_profile', 'composite_schedule',
    'connector_availability', 'file_transfer', 'installed_certificate',
    'evse', 'device_variable', 'report_part', 'transaction_event', 'device_event', 'action_handler',
    'service_request', 'ev_charging_needs', 'ev_charging_schedule', 'charging_limit',
    'reported_charging_profile', 'reported_display_message', 'battery_swap', 'event_stream',
    'event_stream_data', 'der_notification', 'settlement',
    'display_message', 'monitoring_setting', 'network_profile', 'published_firmware', 'report_request',
    'variable_monitor', 'soap_field', 'soap_message', 'soap_namespace', 'soap_value', 'api_token',
    'station_certificate', 'message_log_default', 'meter_value_default',
    'tariff', 'tariff_period', 'tariff_assignment', 'transaction_cost', 'station_tariff',
    'v2g_certificate', 'ev_certificate_response',
    'site', 'site_station', 'site_evse', 'site_allocation', 'station_presence']);
SELECT functions_are('ocpp', ARRAY[
    'connect', 'disconnect', 'node_start', 'node_renew', 'node_reap', 'parse', 'parse_logged', 'actions', 'log_frames', 'log_cleanup', 'partition_maintain', 'chargepointlist',
    'transactionlist', 'add_station', 'set_station_password', 'set_id_tag', 'set_setting',
    'send', 'command', 'cancel_command', 'command_claim', 'command_result', 'command_error', 'command_timeout',
    'command_refused', 'command_unclaim', 'command_interrupted', 'call',
    'cancel_reservation', 'change_availability', 'change_configuration', 'clear_cache', 'clear_charging_profile',
    'data_transfer', 'get_composite_schedule', 'get_configuration', 'get_diagnostics', 'get_local_list_version',
    'remote_start_transaction', 'remote_stop_transaction', 'reserve_now', 'reset', 'send_local_list',
    'set_charging_profile', 'trigger_message', 'unlock_connector', 'update_firmware', 'certificate_signed',
    'certificate_requests_to_sign', 'certificate_request_signed', 'certificate_request_rejected',
    'delete_certificate', 'extended_trigger_message', 'get_installed_certificate_ids', 'get_log',
    'install_certificate', 'signed_update_firmware',
    'set_id_token', 'device_model', 'evselist', 'reservationlist',
    'clear_display_message', 'clear_variable_monitoring', 'cost_updated', 'customer_information',
    'get_base_report', 'get_charging_profiles', 'get_display_messages', 'get_monitoring_report',
    'get_report', 'get_transaction_status', 'get_variable', 'get_variables', 'publish_firmware',
    'request_start_transaction', 'request_stop_transaction', 'set_display_message',
    'set_monitoring_base', 'set_monitoring_level', 'set_network_profile', 'set_variable',
    'set_variable_monitoring', 'set_variables', 'unpublish_firmware',
    'parsexml', 'soaptojson', 'jsontosoap', 'command_claim_soap', 'command_queue_depth',
    'api_token_create', 'api_token_revoke', 'api_token_check', 'api_transactionlist',
    'api_reservationlist', 'api_station', 'api_transaction', 'api_id_tags', 'api_id_tag',
    'api_set_id_tag', 'delete_id_tag', 'block_id_tag', 'api_commands', 'api_message_log', 'api_charging_profiles',
    'api_message_log_after', 'api_configuration', 'api_variables', 'api_operations', 'api_token_first',
    'set_station_key', 'set_station_security_profile', 'bind_station_certificate', 'unbind_station_certificate',
    'change_station_password', 'rotate_station_password', 'raise_security_profile',
    'close_transaction', 'suspicious_transactions', 'set_station_heartbeat_interval',
    'set_tariff', 'api_set_tariff', 'tariffs', 'tariff', 'delete_tariff', 'assign_tariff', 'unassign_tariff',
    'tariff_assignments', 'transaction_cost', 'set_default_tariff', 'change_transaction_tariff', 'get_tariffs',
    'clear_tariffs',
    'declare_evse', 'seed_variable', 'set_station_auth_required',
    'register_v2g_certificate', 'revoke_v2g_certificate', 'prepare_ev_certificate', 'ocsp_to_refresh',
    'ocsp_response_prepared', 'ocsp_response_failed', 'ev_certificate_requests_to_forward',
    'ev_certificate_forwarded', 'ev_certificate_forward_failed',
    'set_site', 'delete_site', 'sites', 'add_station_to_site', 'remove_station_from_site', 'set_site_evse',
    'site_load',
    'api_today',
    'set_station_registration', 'set_station_account', 'delete_station', 'settings',

    'api_find_id_tags', 'import_id_tags', 'export_id_tags',
    'api_id_token', 'api_set_id_token', 'api_id_token_page']);


SELECT has_function('ocpp', 'parse', ARRAY['text', 'text', 'text', 'jsonb', 'text', 'text']);
SELECT function_returns('ocpp', 'parse', ARRAY['text', 'text', 'text', 'jsonb', 'text', 'text'], 'jsonb');
SELECT has_function('ocpp', 'connect', ARRAY['text', 'text', 'text', 'text', 'bytea', 'text', 'boolean', 'jsonb']);
SELECT function_returns('ocpp', 'connect', ARRAY['text', 'text', 'text', 'text', 'bytea', 'text', 'boolean', 'jsonb'],
                        'jsonb');
SELECT function_returns('ocpp', 'disconnect', ARRAY['text', 'text', 'timestamp with time zone'], 'void');
SELECT function_returns('ocpp', 'node_start', ARRAY['text'], 'void');
SELECT function_returns('ocpp', 'log_frames', ARRAY['jsonb'], 'integer');
SELECT function_returns('ocpp', 'log_cleanup', ARRAY[]::text[], 'bigint');
SELECT function_returns('ocpp', 'chargepointlist', ARRAY[]::text[], 'jsonb');
SELECT function_returns('ocpp', 'transactionlist', ARRAY['text', 'integer'], 'jsonb');
SELECT function_returns('ocpp', 'add_station', ARRAY['text', 'text', 'text', 'text'], 'void');
SELECT function_returns('ocpp', 'set_station_password', ARRAY['text', 'text'], 'void');
SELECT function_returns('ocpp', 'set_id_tag', ARRAY['text', 'text', 'timestamp with time zone', 'text'], 'void');
SELECT function_returns('ocpp', 'set_setting', ARRAY['text', 'jsonb'], 'void');
SELECT function_returns('ocpp', 'set_station_registration', ARRAY['text', 'text'], 'void');
SELECT function_returns('ocpp', 'set_station_account', ARRAY['text', 'text'], 'void');
SELECT function_returns('ocpp', 'delete_station', ARRAY['text'], 'void');
SELECT function_returns('ocpp', 'settings', ARRAY[]::text[], 'jsonb');

-- procedures are left out: one that COMMITs (ocpp.call) may be neither SECURITY DEFINER nor SET search_path
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'ocpp'::regnamespace AND prokind = 'f' AND NOT prosecdef),
          0::bigint, 'every ocpp function is SECURITY DEFINER');
-- What runs with the owner's rights or on its own fixes search_path: every SECURITY DEFINER function
-- and every trigger function. The cs helpers run in the search_path of the ocpp function or trigger
-- that called them (cs, ocpp, pg_temp or cs, pg_temp) and name what they use with its schema: a SET
-- clause costs each call a save and restore of the setting and a new search-path lookup, ~90k of
-- ~430k instructions of a Heartbeat in PostgreSQL, and keeps a LANGUAGE sql helper from being inlined.
SELECT is((SELECT count(*) FROM pg_proc
            WHERE pronamespace IN ('ocpp'::regnamespace, 'cs'::regnamespace) AND prokind = 'f'
              AND (prosecdef OR prorettype = 'trigger'::regtype)
              AND NOT coalesce(proconfig @> ARRAY['search_path=cs, pg_temp']
                               OR proconfig @> ARRAY['search_path=cs, ocpp, pg_temp'], false)),
          0::bigint, 'every SECURITY DEFINER and trigger function fixes search_path');
SELECT is((SELECT count(*) FROM pg_proc
            WHERE pronamespace = 'cs'::regnamespace AND prokind = 'f'
              AND NOT prosecdef AND prorettype <> 'trigger'::regtype AND proconfig IS NOT NULL),
          0::bigint, 'the cs helpers run in their caller''s search_path');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'ocpp'::regnamespace
              AND proconfig @> ARRAY['search_path=cs, ocpp, pg_temp']),
          161::bigint, 'ocpp functions use search_path cs, ocpp, pg_temp');

SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'ocpp_frontend'), false,
          'role ocpp_frontend exists, NOLOGIN');
SELECT ok(has_schema_privilege('ocpp_frontend', 'ocpp', 'USAGE'), 'ocpp_frontend may use schema ocpp');
SELECT is((SELECT count(*) FROM pg_proc WHERE pronamespace = 'ocpp'::regnamespace
              AND NOT has_function_privilege('ocpp_frontend', oid, 'EXECUTE')),
          0::bigint, 'ocpp_frontend may execute every ocpp function');
SELECT ok(NOT has_schema_privilege('ocpp_frontend', 'cs', 'USAGE'), 'ocpp_frontend may not use schema cs');
SELECT ok(NOT has_table_privilege('ocpp_frontend', 'cs.station', 'SELECT'), 'ocpp_frontend may not read cs.station');
SELECT is((SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a
            WHERE p.pronamespace IN ('ocpp'::regnamespace, 'cs'::regnamespace) AND a.grantee = 0
              -- pgcrypto's functions (a trusted extension's, owned by the bootstrap superuser) keep
              -- PUBLIC's EXECUTE; PUBLIC has no USAGE on cs, so none can call them
              AND NOT EXISTS (SELECT FROM pg_depend AS d
                               WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')),
          0::bigint, 'PUBLIC may execute no ocpp or cs function');
SELECT ok(NOT has_schema_privilege('public', 'cs', 'USAGE'), 'PUBLIC may not use schema cs');

-- the front end's role at work (pgTAP itself is not executable by it: results go through a table)
CREATE TEMP TABLE frontend_try (what text, sqlstate text);
GRANT INSERT ON frontend_try TO ocpp_frontend;
SET LOCAL ROLE ocpp_frontend;
DO $$
BEGIN
    BEGIN
        PERFORM ocpp.parse('SCHEMA-1', 'u1', 'Heartbeat', '{}');
        INSERT INTO frontend_try VALUES ('call ocpp.parse', '00000');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO frontend_try VALUES ('call ocpp.parse', SQLSTATE);
    END;
    BEGIN
        PERFORM count(*) FROM cs.station;
        INSERT INTO frontend_try VALUES ('read cs.station', '00000');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO frontend_try VALUES ('read cs.station', SQLSTATE);
    END;
    BEGIN
        PERFORM cs.ocpp_time(now());
        INSERT INTO frontend_try VALUES ('call cs.ocpp_time', '00000');
    EXCEPTION WHEN OTHERS THEN
        INSERT INTO frontend_try VALUES ('call cs.ocpp_time', SQLSTATE);
    END;
END
$$;
RESET ROLE;
SELECT results_eq($$SELECT what, sqlstate FROM frontend_try ORDER BY what$$,
                  $$VALUES ('call cs.ocpp_time', '42501'), ('call ocpp.parse', '00000'), ('read cs.station', '42501')$$,
                  'as ocpp_frontend: ocpp.parse works, cs tables and functions are refused');
SELECT is((SELECT p.last_seen FROM cs.station_presence p JOIN cs.station s ON s.id = p.station_id WHERE s.identity = 'SCHEMA-1'),
          now(), 'and the call did its work');

SELECT results_eq(
    $$SELECT key, value FROM cs.setting ORDER BY key$$,
    $$VALUES ('authorize.concurrent_tx', 'true'::jsonb), ('authorize.unknown_id_tag', '"Accepted"'),
             ('boot.heartbeat_interval', '300'), ('boot.retry_interval', '60'),
             ('boot.unknown_station', '"Accepted"'), ('data_transfer.unknown_vendor', '"UnknownVendorId"'),
             ('history.exact_retention', 'true'), ('history.partitions_ahead', '3'),
             ('iso15118.contract_service_url', '""'), ('iso15118.ocsp_refresh_before', '"1 hour"'),
             ('iso15118.ocsp_retry', '"5 minutes"'), ('iso15118.ocsp_url', '""'),
             ('iso15118.ocsp_validity', '"1 day"'),
             ('message_log.retention', '"30 days"'), ('meter_value.retention', 'null'), ('node.grace_seconds', '5'),
             ('node.lease_seconds', '15'), ('site.draw_max_age', '300'), ('site.min_current', '6'),
             ('site.profile_id', '1500'), ('site.stack_level', '5'), ('site.underuse_headroom', '2'),
             ('site.underuse_ratio', '0.8'), ('smart_charging.ev_schedule', 'true'),
             ('smart_charging.evse_max_current', '32'), ('station.auth_required', 'false'),
             ('station.certificate_binding', '"cn"'), ('station.password_cost', '8'),
             ('station.password_hex_fallback', 'true'), ('station.pending_policy', '"tolerant"'),
             ('station.security_profile', '0'),
             ('tariff.california_pricing', 'true'), ('tariff.cost_updated_interval', '0'),
             ('transaction.dedupe_start', 'true'), ('transaction.stop_on_available', 'true'),
             ('transaction.stop_on_boot', 'true')$$,
    'the shipped settings');
SELECT is(cs.setting('boot.heartbeat_interval'), '300'::jsonb, 'cs.setting reads a value');
SELECT throws_ok($$SELECT cs.setting('no.such.key')$$, 'OC003', 'internal error', 'cs.setting of a missing key');

SELECT throws_ok($$SELECT cs.raise_ocpp('OC004', 'bad frame', 'the detail')$$, 'OC004', 'bad frame',
                 'cs.raise_ocpp raises the given code and message');
SELECT throws_ok($$SELECT cs.raise_ocpp('OC000', 'no detail')$$, 'OC000', 'no detail',
                 'cs.raise_ocpp without a detail');

SELECT is(cs.ocpp_time('2024-05-01 14:00:00.1234+02'), '2024-05-01T12:00:00.123Z', 'ocpp_time: UTC, ms, Z');
SELECT is(cs.ocpp_time(NULL), NULL, 'ocpp_time of null');

SELECT ok(cs.password_hash('secret'::bytea) ~ '^bcrypt-sha256\$2a\$08\$[./A-Za-z0-9]{53}$',
          'password hash format: bcrypt of the SHA-256, cost station.password_cost');
SELECT ok(cs.password_matches(cs.password_hash('secret'::bytea), 'secret'::bytea)
          AND NOT cs.password_matches(cs.password_hash('secret'::bytea), 'Secret'::bytea)
          AND NOT cs.password_matches('garbage', 'secret'::bytea)
          AND NOT cs.password_matches(NULL, 'secret'::bytea),
          'password_matches: right, wrong, malformed, none');
SELECT isnt(cs.password_hash('secret'::bytea), cs.password_hash('secret'::bytea), 'a fresh salt each time');
SELECT ok(cs.password_matches(cs.password_hash('\x00ff00'::bytea), '\x00ff00'::bytea)
          AND NOT cs.password_matches(cs.password_hash('\x00ff00'::bytea), '\x00ff01'::bytea)
          AND NOT cs.password_matches(cs.password_hash('\x00ff00'::bytea), '\x00'::bytea),
          'binary passwords with zero bytes: every byte counts');
SELECT ok(cs.password_matches('sha256$abc$' || encode(sha256(convert_to('abcsecret', 'UTF8')), 'hex'), 'secret'::bytea),
          'a hash of the old format still matches');
SELECT ok(cs.password_needs_rehash('sha256$abc$' || encode(sha256(convert_to('abcsecret', 'UTF8')), 'hex'))
          AND cs.password_needs_rehash(cs.password_hash('x'::bytea, 6))
          AND NOT cs.password_needs_rehash(cs.password_hash('x'::bytea)),
          'old format and lower cost need a rehash, the current cost does not');

SELECT * FROM finish();
ROLLBACK;
