-- Every statement the station side of the front end runs, by name. Each is a call of the ocpp.* API
-- (docs/sql-api.md), but for alive and login_superuser at the end. The REST API's are in api.sql.

-- name: parse
SELECT ocpp.parse($1, $2, $3, $4::jsonb, $5, $6)::text;

-- name: parse_batch
SELECT ocpp.parse(m.identity, m.unique_id, m.action, m.payload::jsonb, m.account, m.version)::text
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       WITH ORDINALITY AS m (identity, unique_id, action, payload, account, version, n)
 ORDER BY m.n;

-- name: parse_logged
SELECT r FROM ocpp.parse_logged($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                $7::timestamptz[], $8::text[]) AS r;

-- name: connect
SELECT ocpp.connect($1, $2, $3, $4, $5, $6, $7, $8::jsonb)::text;

-- name: disconnect
SELECT ocpp.disconnect($1, $2, $3::text::timestamptz);

-- name: node_start
SELECT ocpp.node_start($1);

-- name: node_renew
SELECT ocpp.node_renew($1)::text;

-- name: node_reap
SELECT ocpp.node_reap($1)::text;

-- name: log_frames
SELECT ocpp.log_frames($1::jsonb);

-- name: log_cleanup
SELECT ocpp.log_cleanup();

-- name: command_claim
SELECT ocpp.command_claim($1)::text;

-- name: command_result
SELECT ocpp.command_result($1, $2::jsonb);

-- name: command_error
SELECT ocpp.command_error($1, $2, $3, $4::jsonb);

-- name: command_timeout
SELECT ocpp.command_timeout($1);

-- name: command_unclaim
SELECT ocpp.command_unclaim($1);

-- name: command_refused
SELECT ocpp.command_refused($1, $2, $3, $4::jsonb);

-- name: commands_interrupted
SELECT ocpp.command_interrupted($1, $2);

-- name: certificate_requests_to_sign
SELECT ocpp.certificate_requests_to_sign()::text;

-- name: certificate_request_signed
SELECT ocpp.certificate_request_signed($1, $2);

-- name: certificate_request_rejected
SELECT ocpp.certificate_request_rejected($1, $2);

-- name: ocsp_to_refresh
SELECT ocpp.ocsp_to_refresh($1)::text;

-- name: ocsp_response_prepared
SELECT ocpp.ocsp_response_prepared($1, $2, $3, $4, $5, $6, $7);

-- name: ocsp_response_failed
SELECT ocpp.ocsp_response_failed($1, $2);

-- name: ev_certificate_requests_to_forward
SELECT ocpp.ev_certificate_requests_to_forward($1)::text;

-- name: ev_certificate_forwarded
SELECT ocpp.ev_certificate_forwarded($1, $2::jsonb);

-- name: ev_certificate_forward_failed
SELECT ocpp.ev_certificate_forward_failed($1, $2);

-- name: parsexml
SELECT ocpp.parsexml($1::xml, $2)::text;

-- name: jsontosoap
SELECT ocpp.jsontosoap($1::jsonb)::text;

-- name: soaptojson
SELECT ocpp.soaptojson($1::xml)::text;

-- name: command_claim_soap
SELECT ocpp.command_claim_soap($1)::text;

-- name: command_queue_depth
SELECT ocpp.command_queue_depth()::text;

-- name: alive
-- Not the API: the LISTEN connection's check that PostgreSQL still answers on it (listener.py).
SELECT 1;

-- name: login_superuser
-- Not the API: whether the login (session_user, whatever role it then acts as) is a superuser or
-- may become one by SET ROLE. serve refuses such a login unless [database] allow_superuser is set.
SELECT session_user::text,
       EXISTS (SELECT FROM pg_catalog.pg_roles
                WHERE rolsuper AND pg_catalog.pg_has_role(session_user, oid, 'MEMBER'));
