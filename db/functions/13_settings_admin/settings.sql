-- cs.setting(key): the jsonb value of a setting. Raises OC003 (InternalError) when the row is missing:
-- every key the code reads is shipped by db/schema/02_settings.sql.
CREATE OR REPLACE FUNCTION cs.setting(key text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    result jsonb;
BEGIN
    SELECT s.value INTO result FROM cs.setting AS s WHERE s.key = setting.key;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC003', 'internal error', format('setting %s is missing', setting.key));
    END IF;
    RETURN result;
END;
$$;

-- ocpp.set_setting(key, value): changes a setting. Returns nothing.
-- Raises OC010 for an unknown key, OC007 for a value the key does not allow (wrong JSON type, a status
-- outside its list, a non-positive interval, a node lease outside 1-86400 s or grace outside 0-86400 s,
-- partitions ahead outside 1-366, tariff.cost_updated_interval outside 0-86400 s, an iso15118 URL neither
-- empty nor http(s)); meter_value.retention
-- also takes null).
CREATE OR REPLACE FUNCTION ocpp.set_setting(key text, value jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    v     jsonb := set_setting.value;
    valid boolean;
BEGIN
    PERFORM FROM cs.setting AS s WHERE s.key = set_setting.key FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown setting', format('no setting %s', set_setting.key));
    END IF;

    valid := CASE set_setting.key
        WHEN 'boot.unknown_station' THEN
            jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('Accepted', 'Pending', 'Rejected')
        WHEN 'authorize.unknown_id_tag' THEN
            jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('Accepted', 'Invalid')
        WHEN 'data_transfer.unknown_vendor' THEN
            jsonb_typeof(v) = 'string'
            AND v #>> '{}' IN ('Accepted', 'Rejected', 'UnknownMessageId', 'UnknownVendorId')
        WHEN 'boot.heartbeat_interval' THEN
            jsonb_typeof(v) = 'number' AND v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 1 AND 2147483647
        WHEN 'boot.retry_interval' THEN
            jsonb_typeof(v) = 'number' AND v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 1 AND 2147483647
        WHEN 'message_log.retention' THEN
            jsonb_typeof(v) = 'string'
        WHEN 'meter_value.retention' THEN
            jsonb_typeof(v) IN ('string', 'null')   -- null: keep forever
        WHEN 'history.partitions_ahead' THEN
            jsonb_typeof(v) = 'number' AND v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 1 AND 366
        WHEN 'station.security_profile' THEN
            jsonb_typeof(v) = 'number' AND v::numeric IN (0, 1, 2, 3)
        WHEN 'station.pending_policy' THEN
            jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('tolerant', 'strict')
        WHEN 'station.certificate_binding' THEN
            jsonb_typeof(v) = 'string' AND v #>> '{}' IN ('cn', 'mapping', 'any')
        WHEN 'node.lease_seconds' THEN
            jsonb_typeof(v) = 'number' AND v::numeric BETWEEN 1 AND 86400
        WHEN 'node.grace_seconds' THEN
            jsonb_typeof(v) = 'number' AND v::numeric BETWEEN 0 AND 86400
        WHEN 'tariff.cost_updated_interval' THEN
            jsonb_typeof(v) = 'number' AND v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 0 AND 86400
        WHEN 'station.password_cost' THEN
            jsonb_typeof(v) = 'number' AND v::numeric = trunc(v::numeric) AND v::numeric BETWEEN 4 AND 16
        WHEN 'iso15118.ocsp_validity' THEN jsonb_typeof(v) = 'string'
        WHEN 'iso15118.ocsp_refresh_before' THEN jsonb_typeof(v) = 'string'
        WHEN 'iso15118.ocsp_retry' THEN jsonb_typeof(v) = 'string'
        WHEN 'iso15118.ocsp_url' THEN jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^(https?://.+)?$'
        WHEN 'iso15118.contract_service_url' THEN jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^(https?://.+)?$'
        ELSE
            coalesce(cs.site_setting_valid(set_setting.key, v),   -- site.*, smart_charging.*
            jsonb_typeof(v) = 'boolean')  -- authorize.concurrent_tx, transaction.dedupe_start, station.auth_required,
                                          -- station.password_hex_fallback, transaction.stop_on_boot,
                                          -- transaction.stop_on_available, history.exact_retention,
                                          -- tariff.california_pricing
    END;

    -- an operator call, not the hot path: a subtransaction to test the interval is fine
    IF valid AND set_setting.key IN ('message_log.retention', 'meter_value.retention', 'iso15118.ocsp_validity',
                                     'iso15118.ocsp_refresh_before', 'iso15118.ocsp_retry')
       AND jsonb_typeof(v) = 'string' THEN
        BEGIN
            valid := (v #>> '{}')::interval > interval '0';
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
            valid := false;
        END;
    END IF;

    IF valid IS NOT TRUE THEN
        PERFORM cs.raise_ocpp('OC007', 'invalid setting value',
                              format('%s does not accept %s', set_setting.key, v));
    END IF;

    UPDATE cs.setting AS s SET value = v WHERE s.key = set_setting.key;
END;
$$;
