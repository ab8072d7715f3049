-- OCPP 2.0.1 / 2.1 events and monitoring: NotifyEvent and NotifyMonitoringReport.
-- docs/v201.md, "Events and monitoring".

-- cs.v201_notify_event(st, payload): one cs.device_event row per eventData (a retransmitted event,
-- same eventId and timestamp, is stored once), with generatedAt; an event's actualValue becomes the
-- Actual value of its variable in cs.device_variable when that row exists (no row is created).
-- Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_event(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    WITH ins AS (
        INSERT INTO cs.device_event AS e (station_id, event_id, occurred_at, trigger, cause, actual_value,
                                          tech_code, tech_info, cleared, transaction_ref, component,
                                          component_instance, evse_id, connector_id, variable,
                                          variable_instance, variable_monitoring_id,
                                          event_notification_type, severity, generated_at)
        SELECT st.id, (ed->>'eventId')::integer, (ed->>'timestamp')::timestamptz, ed->>'trigger',
               (ed->>'cause')::integer, ed->>'actualValue', ed->>'techCode', ed->>'techInfo',
               (ed->>'cleared')::boolean, ed->>'transactionId', ed#>>'{component,name}',
               coalesce(ed#>>'{component,instance}', ''),
               coalesce((ed#>>'{component,evse,id}')::integer, 0),
               coalesce((ed#>>'{component,evse,connectorId}')::integer, 0),
               ed#>>'{variable,name}', coalesce(ed#>>'{variable,instance}', ''),
               (ed->>'variableMonitoringId')::integer, ed->>'eventNotificationType',
               (ed->>'severity')::integer, (payload->>'generatedAt')::timestamptz
          FROM jsonb_array_elements(payload->'eventData') AS ed
        ON CONFLICT (station_id, event_id, occurred_at) DO NOTHING
        RETURNING e.*
    )
    UPDATE cs.device_variable AS d
       SET value = i.actual_value, updated_at = now()
      FROM (SELECT DISTINCT ON (n.component, n.component_instance, n.evse_id, n.connector_id,
                                n.variable, n.variable_instance) n.*
              FROM ins AS n
             ORDER BY n.component, n.component_instance, n.evse_id, n.connector_id, n.variable,
                      n.variable_instance, n.occurred_at DESC) AS i
     WHERE d.station_id = st.id AND d.component = i.component
       AND d.component_instance = i.component_instance AND d.evse_id = i.evse_id
       AND d.connector_id = i.connector_id AND d.variable = i.variable
       AND d.variable_instance = i.variable_instance AND d.attribute_type = 'Actual'
       AND d.updated_at <= i.occurred_at;
    RETURN '{}'::jsonb;
END;
$$;

-- cs.v201_notify_monitoring_report(st, payload): one NotifyMonitoringReport part: a
-- cs.variable_monitor row per monitor × variableMonitoring, upserted on the station's monitor id (the
-- last of a part wins); the part in cs.report_part. Returns {}. Raises nothing.
CREATE OR REPLACE FUNCTION cs.v201_notify_monitoring_report(st cs.station, payload jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $$
BEGIN
    IF jsonb_typeof(payload->'monitor') = 'array' THEN
        INSERT INTO cs.variable_monitor AS v (station_id, id, component, component_instance, evse_id,
                                              connector_id, variable, variable_instance, type, value,
                                              severity, transaction, updated_at)
        SELECT DISTINCT ON ((vm->>'id')::integer)
               st.id, (vm->>'id')::integer, md#>>'{component,name}',
               coalesce(md#>>'{component,instance}', ''),
               coalesce((md#>>'{component,evse,id}')::integer, 0),
               coalesce((md#>>'{component,evse,connectorId}')::integer, 0),
               md#>>'{variable,name}', coalesce(md#>>'{variable,instance}', ''),
               vm->>'type', (vm->>'value')::numeric, (vm->>'severity')::integer,
               coalesce((vm->>'transaction')::boolean, false), now()
          FROM jsonb_array_elements(payload->'monitor') WITH ORDINALITY AS r (md, n),
               jsonb_array_elements(md->'variableMonitoring') WITH ORDINALITY AS a (vm, m)
         ORDER BY (vm->>'id')::integer, r.n DESC, a.m DESC
        ON CONFLICT ON CONSTRAINT variable_monitor_pkey DO UPDATE
           SET component = excluded.component, component_instance = excluded.component_instance,
               evse_id = excluded.evse_id, connector_id = excluded.connector_id,
               variable = excluded.variable, variable_instance = excluded.variable_instance,
               type = excluded.type, value = excluded.value, severity = excluded.severity,
               transaction = excluded.transaction, updated_at = excluded.updated_at;
    END IF;
    RETURN cs.v201_report_part(st, 'NotifyMonitoringReport', payload);
END;
$$;
