-- OCPP 2.0.1 / 2.1 device model reports: NotifyReport into cs.device_variable, and the parts of every
-- multi-part report in cs.report_part. docs/v201.md, "Device model".

-- cs.v201_report_part(st, action, payload, keep_payload): the cs.report_part row of one part of a
-- multi-part report (requestId, seqNo (0 when absent), tbc (false when absent), generatedAt, items:
-- the length of the part's list (reportData, monitor, chargingProfile, messageInfo, eventData)), with
-- the payload as sent when keep_payload; a retransmitted part is stored once. Returns {}.
-- Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_report_part(st cs.station, action text, payload jsonb,
                                               keep_payload boolean DEFAULT false)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    part_action text := v201_report_part.action;
    list jsonb := coalesce(payload->'reportData', payload->'monitor', payload->'chargingProfile',
                           payload->'messageInfo', payload->'eventData');
BEGIN
    INSERT INTO cs.report_part (station_id, action, request_id, seq_no, tbc, generated_at, items, payload)
    VALUES (st.id, part_action, (payload->>'requestId')::integer, coalesce((payload->>'seqNo')::integer, 0),
            coalesce((payload->>'tbc')::boolean, false), (payload->>'generatedAt')::timestamptz,
            CASE WHEN jsonb_typeof(list) = 'array' THEN jsonb_array_length(list) ELSE 0 END,
            CASE WHEN keep_payload THEN payload END)
    ON CONFLICT (station_id, action, request_id, seq_no, generated_at) DO NOTHING;
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v201_notify_report(st, payload): one NotifyReport part: a cs.device_variable row per
-- reportData × variableAttribute (upserted on component, instance, evse, connector, variable,
-- instance and attribute type; the last of a part wins), with the 2.0.1 defaults filled in (type
-- Actual, mutability ReadWrite, persistent and constant false) and the variableCharacteristics, the
-- requestId kept; the EVSEs and connectors named by the components recorded in cs.evse and
-- cs.connector (status unknown until a StatusNotification); the part in cs.report_part.
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_report(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    request integer := (payload->>'requestId')::integer;
BEGIN
    IF jsonb_typeof(payload->'reportData') = 'array' THEN
        INSERT INTO cs.device_variable AS d (station_id, component, component_instance, evse_id,
                                             connector_id, variable, variable_instance, attribute_type,
                                             value, mutability, persistent, constant, data_type, unit,
                                             min_limit, max_limit, values_list, supports_monitoring,
                                             request_id, updated_at)
        SELECT DISTINCT ON (x.component, x.component_instance, x.evse_id, x.connector_id, x.variable,
                            x.variable_instance, x.attribute_type)
               st.id, x.component, x.component_instance, x.evse_id, x.connector_id, x.variable,
               x.variable_instance, x.attribute_type, x.value, x.mutability, x.persistent, x.constant,
               x.data_type, x.unit, x.min_limit, x.max_limit, x.values_list, x.supports_monitoring,
               request, now()
          FROM (SELECT rd#>>'{component,name}' AS component,
                       coalesce(rd#>>'{component,instance}', '') AS component_instance,
                       coalesce((rd#>>'{component,evse,id}')::integer, 0) AS evse_id,
                       coalesce((rd#>>'{component,evse,connectorId}')::integer, 0) AS connector_id,
                       rd#>>'{variable,name}' AS variable,
                       coalesce(rd#>>'{variable,instance}', '') AS variable_instance,
                       coalesce(va->>'type', 'Actual') AS attribute_type,
                       va->>'value' AS value,
                       coalesce(va->>'mutability', 'ReadWrite') AS mutability,
                       coalesce((va->>'persistent')::boolean, false) AS persistent,
                       coalesce((va->>'constant')::boolean, false) AS constant,
                       rd#>>'{variableCharacteristics,dataType}' AS data_type,
                       rd#>>'{variableCharacteristics,unit}' AS unit,
                       (rd#>>'{variableCharacteristics,minLimit}')::numeric AS min_limit,
                       (rd#>>'{variableCharacteristics,maxLimit}')::numeric AS max_limit,
                       rd#>>'{variableCharacteristics,valuesList}' AS values_list,
                       (rd#>>'{variableCharacteristics,supportsMonitoring}')::boolean AS supports_monitoring,
                       r.n * 10 + a.m AS position
                  FROM jsonb_array_elements(payload->'reportData') WITH ORDINALITY AS r (rd, n),
                       jsonb_array_elements(rd->'variableAttribute') WITH ORDINALITY AS a (va, m)) AS x
         ORDER BY x.component, x.component_instance, x.evse_id, x.connector_id, x.variable,
                  x.variable_instance, x.attribute_type, x.position DESC
        ON CONFLICT ON CONSTRAINT device_variable_pkey DO UPDATE
           SET value = excluded.value, mutability = excluded.mutability,
               persistent = excluded.persistent, constant = excluded.constant,
               data_type = excluded.data_type, unit = excluded.unit, min_limit = excluded.min_limit,
               max_limit = excluded.max_limit, values_list = excluded.values_list,
               supports_monitoring = excluded.supports_monitoring, request_id = excluded.request_id,
               updated_at = excluded.updated_at;

        INSERT INTO cs.evse (station_id, evse_id)
        SELECT DISTINCT st.id, (rd#>>'{component,evse,id}')::integer
          FROM jsonb_array_elements(payload->'reportData') AS rd
         WHERE (rd#>>'{component,evse,id}')::integer > 0
        ON CONFLICT ON CONSTRAINT evse_pkey DO NOTHING;

        INSERT INTO cs.connector (station_id, evse_id, connector_id)
        SELECT DISTINCT st.id, (rd#>>'{component,evse,id}')::integer,
               (rd#>>'{component,evse,connectorId}')::integer
          FROM jsonb_array_elements(payload->'reportData') AS rd
         WHERE (rd#>>'{component,evse,id}')::integer > 0
           AND (rd#>>'{component,evse,connectorId}')::integer > 0
        ON CONFLICT ON CONSTRAINT connector_pkey DO NOTHING;
    END IF;

    RETURN cs.v201_report_part(st, 'NotifyReport', payload);
END;
$$;

-- ocpp.device_model(identity, component): the station's device model as reported, by component,
-- instance, EVSE, connector, variable, instance and attribute type: an array of {"component",
-- "componentInstance", "evseId", "connectorId", "variable", "variableInstance", "attributeType",
-- "value", "mutability", "persistent", "constant", "dataType", "unit", "minLimit", "maxLimit",
-- "valuesList", "supportsMonitoring", "updatedAt"} (instances "" and ids 0 when not given), of one
-- component when component is given. Returns [] when nothing is known.
-- Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.device_model(identity text, component text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    station integer;
BEGIN
    SELECT s.id INTO station FROM cs.station AS s WHERE s.identity = device_model.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station', format('no station %s', device_model.identity));
    END IF;
    RETURN (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'component', d.component, 'componentInstance', d.component_instance,
                   'evseId', d.evse_id, 'connectorId', d.connector_id,
                   'variable', d.variable, 'variableInstance', d.variable_instance,
                   'attributeType', d.attribute_type, 'value', d.value, 'mutability', d.mutability,
                   'persistent', d.persistent, 'constant', d.constant, 'dataType', d.data_type,
                   'unit', d.unit, 'minLimit', d.min_limit, 'maxLimit', d.max_limit,
                   'valuesList', d.values_list, 'supportsMonitoring', d.supports_monitoring,
                   'updatedAt', cs.ocpp_time(d.updated_at))
               ORDER BY d.component, d.component_instance, d.evse_id, d.connector_id, d.variable,
                        d.variable_instance, d.attribute_type), '[]'::jsonb)
          FROM cs.device_variable AS d
         WHERE d.station_id = station
           AND (device_model.component IS NULL OR d.component = device_model.component)
    );
END;
$$;
