-- Provisioning (docs/provisioning.md): what an operator declares about a station before it connects,
-- so that commands, limits and authentication are right from its first message: its EVSEs and
-- connectors, device-model values (e.g. the ItemsPerMessage limits of cs.command_split), and whether it
-- must authenticate. The station itself comes from ocpp.add_station.

-- ocpp.declare_evse(identity, evse_id, connectors): declares EVSE evse_id of the station with connectors
-- 1..connectors (a 1.6 connector n is EVSE n with connector 1: ocpp.declare_evse('CP', n)). Adds the
-- cs.evse row (not for EVSE 0, the station itself) and the cs.connector rows, with no status until the
-- station reports one; what exists is kept as it is (declaring again never loses a reported status).
-- Returns the number of connector rows added. Raises OC010 for an unknown station, OC007 for a null or
-- negative evse_id, connectors outside 0-64 (0: the EVSE alone), or connectors > 0 on EVSE 0.
CREATE OR REPLACE FUNCTION ocpp.declare_evse(identity text, evse_id integer, connectors integer DEFAULT 1)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
DECLARE
    st_id integer := cs.station_id(declare_evse.identity);
    added integer;
BEGIN
    PERFORM cs.check_arg('evse_id', declare_evse.evse_id >= 0, format('evse_id %s is negative or null', declare_evse.evse_id));
    PERFORM cs.check_arg('connectors', connectors BETWEEN 0 AND 64,
                         format('connectors %s is not between 0 and 64', connectors));
    PERFORM cs.check_arg('connectors', declare_evse.evse_id > 0 OR connectors = 0,
                         'EVSE 0 is the station itself: it has connector 0 only, which needs no declaration');
    IF declare_evse.evse_id > 0 THEN
        INSERT INTO cs.evse AS e (station_id, evse_id) VALUES (st_id, declare_evse.evse_id)
        ON CONFLICT ON CONSTRAINT evse_pkey DO NOTHING;
    END IF;
    INSERT INTO cs.connector AS c (station_id, evse_id, connector_id)
    SELECT st_id, declare_evse.evse_id, n FROM generate_series(1, connectors) AS n
    ON CONFLICT ON CONSTRAINT connector_pkey DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END;
$$;

-- ocpp.seed_variable(identity, component, variable, value, attribute_type, component_instance,
-- variable_instance, evse_id, connector_id, mutability, data_type): stores one device-model value of
-- the station in cs.device_variable as if the station had reported it (request_id null: no report wrote
-- it), e.g. ocpp.seed_variable('CP', 'DeviceDataCtrlr', 'ItemsPerMessage', '4', variable_instance =>
-- 'GetVariables'). A later NotifyReport or GetVariables answer overwrites it; mutability and data_type
-- given null keep what is stored. A null value stores no value (unknown). Returns nothing.
-- Raises OC010 for an unknown station, OC007 for a component or variable empty or longer than 50, an
-- instance longer than 50, an attribute_type other than Actual, Target, MinSet, MaxSet, a value longer
-- than 2500, a negative evse_id or connector_id, a mutability other than ReadOnly, WriteOnly, ReadWrite.
CREATE OR REPLACE FUNCTION ocpp.seed_variable(identity text, component text, variable text, value text,
                                              attribute_type text DEFAULT 'Actual',
                                              component_instance text DEFAULT '',
                                              variable_instance text DEFAULT '',
                                              evse_id integer DEFAULT 0, connector_id integer DEFAULT 0,
                                              mutability text DEFAULT NULL, data_type text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    st_id integer := cs.station_id(seed_variable.identity);
BEGIN
    PERFORM cs.check_text('component', component, 50);
    PERFORM cs.check_text('variable', variable, 50);
    PERFORM cs.check_arg('component_instance', length(coalesce(component_instance, '')) <= 50,
                         'an instance has at most 50 characters');
    PERFORM cs.check_arg('variable_instance', length(coalesce(variable_instance, '')) <= 50,
                         'an instance has at most 50 characters');
    PERFORM cs.check_enum('attribute_type', attribute_type, ARRAY['Actual', 'Target', 'MinSet', 'MaxSet']);
    PERFORM cs.check_arg('value', value IS NULL OR length(value) <= 2500, 'a value has at most 2500 characters');
    PERFORM cs.check_arg('evse_id', evse_id >= 0 AND connector_id >= 0,
                         'evse_id and connector_id are 0 (not given) or positive');
    PERFORM cs.check_enum('mutability', mutability, ARRAY['ReadOnly', 'WriteOnly', 'ReadWrite'], true);
    INSERT INTO cs.device_variable AS d (station_id, component, component_instance, evse_id, connector_id,
                                         variable, variable_instance, attribute_type, value, mutability,
                                         data_type, request_id, updated_at)
    VALUES (st_id, component, coalesce(component_instance, ''), evse_id, connector_id, variable,
            coalesce(variable_instance, ''), attribute_type, value, mutability, data_type, NULL, now())
    ON CONFLICT ON CONSTRAINT device_variable_pkey DO UPDATE
       SET value = excluded.value, mutability = coalesce(excluded.mutability, d.mutability),
           data_type = coalesce(excluded.data_type, d.data_type), request_id = NULL, updated_at = now();
END;
$$;

-- ocpp.set_station_auth_required(identity, required): whether the station must authenticate with HTTP
-- Basic auth (security profiles 1 and 2) whatever the setting station.auth_required; null follows the
-- setting again. Takes effect at its next connection (ocpp.connect). Returns nothing.
-- Raises OC010 for an unknown station.
CREATE OR REPLACE FUNCTION ocpp.set_station_auth_required(identity text, required boolean)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
BEGIN
    UPDATE cs.station AS s SET auth_required = required WHERE s.identity = set_station_auth_required.identity;
    IF NOT FOUND THEN
        PERFORM cs.raise_ocpp('OC010', 'unknown station',
                              format('no station %s', set_station_auth_required.identity));
    END IF;
END;
$$;
