-- The requests answered through a hook (cs.action_handler): Get15118EVCertificate,
-- GetCertificateStatus, 2.1 GetCertificateChainStatus, PullDynamicScheduleUpdate, VatNumberValidation,
-- and 2.1 NotifySettlement's reply. docs/v201.md, "Firmware, logs, security".

-- cs.call_action_handler(st, action, payload): the reply of the cs.action_handler function of action,
-- called as f(identity, payload); null when there is no handler row. Handlers run as the owner of
-- the API. Returns the handler's result. Raises OC003 when the result is not a JSON object, and
-- whatever the handler raises.
CREATE OR REPLACE FUNCTION cs.call_action_handler(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    handler      regprocedure;
    handler_call text;
    result       jsonb;
BEGIN
    SELECT h.handler INTO handler FROM cs.action_handler AS h WHERE h.action = call_action_handler.action;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT format('SELECT %I.%I($1, $2)', n.nspname, p.proname) INTO handler_call
      FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
     WHERE p.oid = handler;
    EXECUTE handler_call INTO result USING st.identity, payload;
    IF jsonb_typeof(result) IS DISTINCT FROM 'object' THEN
        PERFORM cs.raise_ocpp('OC003', 'internal error',
                              format('%s handler %s returned %s', action, handler, coalesce(result::text, 'null')));
    END IF;
    RETURN result;
END;
$$;

-- cs.v201_service_request(st, action, payload): a request ocpp-cs answers through its
-- cs.action_handler hook: Get15118EVCertificate, GetCertificateStatus, GetCertificateChainStatus
-- (2.1), PullDynamicScheduleUpdate (2.1), VatNumberValidation (2.1). Without a handler the first two
-- go to the built-in provider (cs.iso15118_service); when it has nothing either the answer is
-- Get15118EVCertificate {"status": "Failed", "statusInfo": {"reasonCode": "NoPKI"}, "exiResponse": ""},
-- GetCertificateStatus {"status": "Failed", "statusInfo": {"reasonCode": "NoPKI"}},
-- GetCertificateChainStatus every requested certificate with status Failed and nextUpdate now,
-- PullDynamicScheduleUpdate {"status": "Rejected", "statusInfo": {"reasonCode": "NoSchedule"}},
-- VatNumberValidation {"vatNumber", "evseId"?, "status": "Rejected", "statusInfo": {"reasonCode":
-- "NoVatService"}}. The request and the answer are kept in cs.service_request.
-- Returns the answer. Raises what cs.call_action_handler raises.
CREATE OR REPLACE FUNCTION cs.v201_service_request(st cs.station, action text, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    -- the hook first, then the built-in ISO 15118 provider (docs/iso15118.md), then the answers below
    reply jsonb := coalesce(cs.call_action_handler(st, action, payload), cs.iso15118_service(st, action, payload));
BEGIN
    IF reply IS NULL THEN
        reply := CASE action
            WHEN 'Get15118EVCertificate' THEN
                jsonb_build_object('status', 'Failed', 'exiResponse', '',
                                   'statusInfo', jsonb_build_object('reasonCode', 'NoPKI',
                                       'additionalInfo', 'no certificate service is configured'))
            WHEN 'GetCertificateStatus' THEN
                jsonb_build_object('status', 'Failed',
                                   'statusInfo', jsonb_build_object('reasonCode', 'NoPKI',
                                       'additionalInfo', 'no OCSP service is configured'))
            WHEN 'GetCertificateChainStatus' THEN
                jsonb_build_object('certificateStatus', (
                    SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'certificateHashData', r->'certificateHashData', 'source', r->'source',
                               'status', 'Failed', 'nextUpdate', cs.ocpp_time(now()))), '[]'::jsonb)
                      FROM jsonb_array_elements(payload->'certificateStatusRequests') AS r))
            WHEN 'PullDynamicScheduleUpdate' THEN
                jsonb_build_object('status', 'Rejected',
                                   'statusInfo', jsonb_build_object('reasonCode', 'NoSchedule',
                                       'additionalInfo', 'no dynamic schedule service is configured'))
            WHEN 'VatNumberValidation' THEN
                jsonb_strip_nulls(jsonb_build_object('vatNumber', payload->'vatNumber',
                                                     'evseId', payload->'evseId', 'status', 'Rejected',
                                                     'statusInfo', jsonb_build_object('reasonCode', 'NoVatService',
                                                         'additionalInfo', 'no VAT number service is configured')))
        END;
    END IF;
    INSERT INTO cs.service_request (station_id, action, payload, status, reply)
    VALUES (st.id, action, payload, reply->>'status', reply);
    RETURN reply;
END;
$$;
