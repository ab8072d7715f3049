-- N10.FR.02: clearing a customer's data on a station (CustomerInformation with clear true and an
-- idToken, accepted) also takes the token off the station's local authorization list.

-- cs.v201_effect_customer_clear(cmd): for an accepted CustomerInformation with clear true and an idToken
-- that the station's stored local list holds (cs.local_list_entry, idTokens compared case-insensitively,
-- so only lists ocpp-cs sent), queues a differential SendLocalList removing it: the token as the list
-- holds it (its spelling, its type, else the request's type) without idTokenInfo, versionNumber one more than the
-- highest of the accepted, reported and any queued or sent SendLocalList version (as
-- ocpp.send_local_list numbers them), waiting up to a day for the station. The stored entry goes when
-- the station accepts it (cs.v201_effect_send_local_list). Anything else: nothing. Returns the new
-- command id or null. Raises nothing of its own (what ocpp.send raises).
CREATE OR REPLACE FUNCTION cs.v201_effect_customer_clear(cmd cs.command)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    token   jsonb := cmd.payload->'idToken';
    entry   cs.local_list_entry;
    version integer;
BEGIN
    IF cmd.response->>'status' IS DISTINCT FROM 'Accepted' OR cmd.payload->'clear' IS DISTINCT FROM 'true'
       OR jsonb_typeof(token->'idToken') IS DISTINCT FROM 'string' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO entry FROM cs.local_list_entry AS l
     WHERE l.station_id = cmd.station_id AND lower(l.id_tag) = lower(token->>'idToken')
     ORDER BY l.id_tag = token->>'idToken' DESC
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT greatest(max(l.version), max(l.reported_version),
                    (SELECT max(coalesce(c.payload->>'listVersion', c.payload->>'versionNumber')::integer)
                       FROM cs.command AS c
                      WHERE c.station_id = cmd.station_id AND c.action = 'SendLocalList'
                        AND c.status IN ('queued', 'sent')))
      INTO version
      FROM cs.local_list AS l
     WHERE l.station_id = cmd.station_id;
    RETURN ocpp.send((SELECT s.identity FROM cs.station AS s WHERE s.id = cmd.station_id), 'SendLocalList',
                     jsonb_build_object('versionNumber', coalesce(version, 0) + 1, 'updateType', 'Differential',
                                        'localAuthorizationList', jsonb_build_array(jsonb_build_object(
                                            'idToken', jsonb_strip_nulls(jsonb_build_object(
                                                'idToken', entry.id_tag,
                                                'type', coalesce(entry.id_token_type, token->>'type')))))),
                     interval '1 day');
END;
$$;
