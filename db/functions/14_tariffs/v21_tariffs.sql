-- OCPP 2.1 tariff messages (docs/tariffs.md, "OCPP 2.1"): a stored tariff sent to a 2.1 station in
-- its TariffType shape (SetDefaultTariff, ChangeTransactionTariff), GetTariffs and ClearTariffs, and
-- what their answers do (cs.v21_effect_tariff, dispatched by cs.v201_command_effect).

-- cs.tariff_v21_json(tariff_id): the tariff as a 2.1 TariffType: {"tariffId", "currency",
-- "description" (UTF8, when set), "energy": {"prices": [one priceKwh per period with its conditions
-- (startTimeOfDay, endTimeOfDay, dayOfWeek), then the base price], "taxRates"}, "chargingTime" (the
-- same with priceMinute; when a time price is above 0), "fixedFee" (the session fee, when above 0)};
-- taxRates [{"type": "VAT", "tax"}] when VAT is above 0. Returns null for an unknown tariff. Raises
-- nothing.
CREATE OR REPLACE FUNCTION cs.tariff_v21_json(tariff_id text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    t          record;   -- cs.tariff
    taxes      jsonb;
    energy     jsonb;
    time_part  jsonb;
    result     jsonb;
BEGIN
    SELECT * INTO t FROM cs.tariff AS x WHERE x.id = tariff_v21_json.tariff_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    taxes := CASE WHEN t.vat_percent > 0
                  THEN jsonb_build_object('taxRates', jsonb_build_array(jsonb_build_object('type', 'VAT', 'tax', t.vat_percent)))
                  ELSE '{}'::jsonb END;
    WITH conditions AS (
        SELECT p.position, p.energy_price, p.time_price,
               CASE WHEN p.start_time <> p.end_time
                    THEN jsonb_build_object('startTimeOfDay', to_char(p.start_time, 'HH24:MI'),
                                            'endTimeOfDay', to_char(p.end_time, 'HH24:MI'))
                    ELSE '{}'::jsonb END
               || CASE WHEN p.days IS NOT NULL
                       THEN jsonb_build_object('dayOfWeek', (SELECT jsonb_agg(cs.weekday_name(d) ORDER BY d)
                                                               FROM unnest(p.days) AS d))
                       ELSE '{}'::jsonb END AS c
          FROM cs.tariff_period AS p
         WHERE p.tariff_id = t.id)
    SELECT (SELECT coalesce(jsonb_agg(jsonb_build_object('priceKwh', x.energy_price)
                                      || CASE WHEN x.c <> '{}' THEN jsonb_build_object('conditions', x.c) ELSE '{}' END
                                      ORDER BY x.position), '[]'::jsonb) FROM conditions AS x)
           || jsonb_build_array(jsonb_build_object('priceKwh', t.energy_price)),
           (SELECT coalesce(jsonb_agg(jsonb_build_object('priceMinute', x.time_price / 60)
                                      || CASE WHEN x.c <> '{}' THEN jsonb_build_object('conditions', x.c) ELSE '{}' END
                                      ORDER BY x.position), '[]'::jsonb) FROM conditions AS x)
           || jsonb_build_array(jsonb_build_object('priceMinute', t.time_price / 60))
      INTO energy, time_part;

    result := jsonb_build_object('tariffId', t.id, 'currency', t.currency,
                                 'energy', jsonb_build_object('prices', energy) || taxes);
    IF t.description IS NOT NULL THEN
        result := result || jsonb_build_object('description', jsonb_build_array(
            jsonb_build_object('format', 'UTF8', 'content', left(t.description, 1024))));
    END IF;
    IF t.time_price > 0 OR EXISTS (SELECT FROM cs.tariff_period AS p WHERE p.tariff_id = t.id AND p.time_price > 0) THEN
        result := result || jsonb_build_object('chargingTime', jsonb_build_object('prices', time_part) || taxes);
    END IF;
    IF t.session_fee > 0 THEN
        result := result || jsonb_build_object('fixedFee', jsonb_build_object(
            'prices', jsonb_build_array(jsonb_build_object('priceFixed', t.session_fee))) || taxes);
    END IF;
    RETURN result;
END;
$$;

-- cs.tariff_arg(tariff_id): the 2.1 TariffType of a stored tariff. Raises OC010 for an unknown
-- tariff. Returns jsonb.
CREATE OR REPLACE FUNCTION cs.tariff_arg(tariff_id text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    result jsonb := cs.tariff_v21_json(tariff_id);
BEGIN
    IF result IS NULL THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown tariff', format('no tariff %s', tariff_id));
    END IF;
    RETURN result;
END;
$$;

-- ocpp.set_default_tariff(identity, tariff_id, evse_id, wait): SetDefaultTariff {evseId, tariff} of
-- the stored tariff (cs.tariff_v21_json) to a 2.1 station; evse_id 0: the whole station. Answered
-- Accepted: recorded in cs.station_tariff. Returns the command id. Raises OC010 for an unknown tariff,
-- OC007 for a negative evse_id, what ocpp.send raises (OC001 for a station that is not 2.1).
CREATE OR REPLACE FUNCTION ocpp.set_default_tariff(identity text, tariff_id text, evse_id integer DEFAULT 0,
                                                   wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('evse_id', evse_id >= 0, 'evse_id is 0 (the station) or an EVSE');
    RETURN ocpp.send(identity, 'SetDefaultTariff',
                     jsonb_build_object('evseId', evse_id, 'tariff', cs.tariff_arg(tariff_id)), wait);
END;
$$;

-- ocpp.change_transaction_tariff(identity, transaction_id, tariff_id, wait): ChangeTransactionTariff
-- {transactionId, tariff} of the stored tariff to a 2.1 station for its running transaction
-- transaction_id (the station's transactionId). Answered Accepted: the transaction is priced with that
-- tariff from then on (cs.transaction_cost). Returns the command id. Raises OC010 for an unknown
-- tariff, OC007 for a transaction_id not of 1 to 36 characters, what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.change_transaction_tariff(identity text, transaction_id text, tariff_id text,
                                                          wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_text('transaction_id', transaction_id, 36);
    RETURN ocpp.send(identity, 'ChangeTransactionTariff',
                     jsonb_build_object('transactionId', transaction_id, 'tariff', cs.tariff_arg(tariff_id)), wait);
END;
$$;

-- ocpp.get_tariffs(identity, evse_id, wait): GetTariffs {evseId} to a 2.1 station (0: all EVSEs).
-- Answered Accepted or NoTariff: cs.station_tariff of those EVSEs becomes the default tariffs it
-- reported. Returns the command id. Raises OC007 for a negative evse_id, what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.get_tariffs(identity text, evse_id integer DEFAULT 0, wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('evse_id', evse_id >= 0, 'evse_id is 0 (all) or an EVSE');
    RETURN ocpp.send(identity, 'GetTariffs', jsonb_build_object('evseId', evse_id), wait);
END;
$$;

-- ocpp.clear_tariffs(identity, tariff_ids, evse_id, wait): ClearTariffs {tariffIds, evseId} to a 2.1
-- station (tariff_ids null: all; evse_id null: every EVSE). Each tariff answered Accepted or NoTariff
-- leaves cs.station_tariff. Returns the command id. Raises OC007 for an empty tariff_ids or one of
-- more than 60 characters, a negative evse_id, what ocpp.send raises.
CREATE OR REPLACE FUNCTION ocpp.clear_tariffs(identity text, tariff_ids text[] DEFAULT NULL, evse_id integer DEFAULT NULL,
                                              wait interval DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    PERFORM cs.check_arg('tariff_ids', tariff_ids IS NULL
                         OR (cardinality(tariff_ids) > 0
                             AND NOT EXISTS (SELECT FROM unnest(tariff_ids) AS i WHERE i IS NULL OR length(i) NOT BETWEEN 1 AND 60)),
                         'tariff_ids holds 1 or more ids of 1 to 60 characters');
    PERFORM cs.check_arg('evse_id', evse_id IS NULL OR evse_id >= 0, 'evse_id is 0 or more');
    RETURN ocpp.send(identity, 'ClearTariffs',
                     jsonb_strip_nulls(jsonb_build_object('tariffIds', to_jsonb(tariff_ids), 'evseId', evse_id)), wait);
END;
$$;

-- cs.v21_effect_tariff(cmd): the answer to a 2.1 tariff command: SetDefaultTariff Accepted records
-- (station, evseId, tariffId) in cs.station_tariff; ClearTariffs removes each tariff answered Accepted
-- or NoTariff (a result without tariffId: every tariff sent, or all at the EVSE); GetTariffs Accepted
-- or NoTariff replaces the rows of the EVSE asked for (0: all) with the DefaultTariff assignments
-- reported (evseIds, none: 0); ChangeTransactionTariff Accepted prices the transaction with the tariff
-- sent (cs.transaction_cost_store), when it is a stored one. Returns nothing. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v21_effect_tariff(cmd cs.command)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    status text := cmd.response->>'status';
    evse   integer := (cmd.payload->>'evseId')::integer;
BEGIN
    CASE cmd.action
        WHEN 'SetDefaultTariff' THEN
            IF status = 'Accepted' THEN
                INSERT INTO cs.station_tariff AS s (station_id, evse_id, tariff_id, command_id)
                VALUES (cmd.station_id, evse, cmd.payload #>> '{tariff,tariffId}', cmd.id)
                ON CONFLICT ON CONSTRAINT station_tariff_pkey DO UPDATE
                   SET command_id = excluded.command_id, set_at = now();
            END IF;
        WHEN 'ClearTariffs' THEN
            DELETE FROM cs.station_tariff AS s
             USING jsonb_array_elements(coalesce(cmd.response->'clearTariffsResult', '[]'::jsonb)) AS r
             WHERE s.station_id = cmd.station_id
               AND r->>'status' IN ('Accepted', 'NoTariff')
               AND (evse IS NULL OR s.evse_id = evse)
               AND CASE WHEN r ? 'tariffId' THEN s.tariff_id = r->>'tariffId'
                        WHEN cmd.payload ? 'tariffIds' THEN s.tariff_id IN (SELECT jsonb_array_elements_text(cmd.payload->'tariffIds'))
                        ELSE true END;
        WHEN 'GetTariffs' THEN
            IF cmd.response->>'status' IN ('Accepted', 'NoTariff') THEN
                DELETE FROM cs.station_tariff AS s
                 WHERE s.station_id = cmd.station_id AND (coalesce(evse, 0) = 0 OR s.evse_id = evse);
                INSERT INTO cs.station_tariff (station_id, evse_id, tariff_id, command_id)
                SELECT DISTINCT cmd.station_id, coalesce(e.id, 0), a->>'tariffId', cmd.id
                  FROM jsonb_array_elements(coalesce(cmd.response->'tariffAssignments', '[]'::jsonb)) AS a
                  LEFT JOIN LATERAL (SELECT x::integer AS id
                                       FROM jsonb_array_elements_text(a->'evseIds') AS x) AS e ON true
                 WHERE a->>'tariffKind' = 'DefaultTariff'
                ON CONFLICT DO NOTHING;
            END IF;
        WHEN 'ChangeTransactionTariff' THEN
            IF status = 'Accepted' THEN
                PERFORM cs.transaction_cost_store(t.id, cmd.payload #>> '{tariff,tariffId}')
                   FROM cs.transaction AS t
                  WHERE t.station_id = cmd.station_id AND t.transaction_ref = cmd.payload->>'transactionId'
                    AND EXISTS (SELECT FROM cs.tariff AS x WHERE x.id = cmd.payload #>> '{tariff,tariffId}');
            END IF;
        ELSE
            NULL;
    END CASE;
END;
$$;
