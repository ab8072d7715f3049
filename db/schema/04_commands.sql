-- Commands to stations (docs/commands.md): the queue the dispatcher sends from, one row per CALL.
-- The tables of their business effects (db/functions/05_commands/command_effects.sql) are with the entities
-- they change: reservations, transactions, device model, smart charging, station management, security.

CREATE TABLE cs.command (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    station_id  integer NOT NULL REFERENCES cs.station (id) ON DELETE CASCADE,
    action      text NOT NULL,
    payload     jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sent', 'answered', 'error', 'timeout', 'offline', 'refused',
                                  'cancelled', 'interrupted')),
    unique_id   text,                   -- the OCPP-J message id, set when claimed
    node        text,                   -- the front-end node that claimed it
    response    jsonb,                  -- the CALLRESULT payload
    error       jsonb,                  -- {"code", "description", "details"}
    wait_until  timestamptz,            -- queued for an offline station until then
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    answered_at timestamptz,            -- CALLRESULT or CALLERROR received
    finished_at timestamptz,            -- reached a final status (anything but queued and sent)
    created_by  text NOT NULL DEFAULT session_user,
    -- a 1.6-style command sent to a 2.0.1 / 2.1 station is stored translated (action, payload: what
    -- goes on the wire); requested keeps what the caller asked for: {"action", "payload"} (null: as
    -- asked)
    requested   jsonb,
    -- a command that sets the station's Basic-auth password (SetVariables BasicAuthPassword,
    -- ChangeConfiguration AuthorizationKey) keeps it masked in payload: secret_path is where the
    -- dispatcher puts the clear value (handed over by NOTIFY ocpp_secret, never stored) and
    -- credential_hash what cs.station.password_hash becomes when the station accepts it
    secret_path     text[],
    credential_hash text,
    -- commands to queue, in order, once the station accepts this one (cs.command_then)
    then_queue  jsonb CHECK (jsonb_typeof(then_queue) = 'array'),
    -- a request longer than the station's device-model limits (ItemsPerMessage / BytesPerMessage,
    -- cs.command_split) is sent as parts: the row the caller holds has parts (how many) and is never
    -- claimed itself; each part row has parent_id, is claimed in turn, and when the last one is final
    -- the parent takes their merged answer (cs.command_part_finished)
    parent_id   bigint REFERENCES cs.command (id) ON DELETE CASCADE,
    parts       integer CHECK (parts > 1)
);

-- what the dispatcher claims: the oldest queued command per station
CREATE INDEX command_queued_idx ON cs.command (station_id, id) WHERE status = 'queued';
-- one outstanding CALL per station, enforced
CREATE UNIQUE INDEX command_sent_station_key ON cs.command (station_id) WHERE status = 'sent';
-- ocpp.command_interrupted(node)
CREATE INDEX command_sent_node_idx ON cs.command (node) WHERE status = 'sent';
CREATE INDEX command_station_idx ON cs.command (station_id, created_at);
CREATE INDEX command_created_idx ON cs.command (created_at);
-- the TransactionEvent handler finds the RequestStartTransaction of a remoteStartId
-- the parts of a split command (cs.command_part_finished)
CREATE INDEX command_parent_idx ON cs.command (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX command_remote_start_idx ON cs.command (station_id, (payload->>'remoteStartId'))
    WHERE action = 'RequestStartTransaction';

-- RequestStartTransaction's remoteStartId when the caller gives none
CREATE SEQUENCE cs.remote_start_id_seq AS integer;
-- requestId of GetBaseReport, GetReport, GetMonitoringReport, GetChargingProfiles, GetDisplayMessages,
-- CustomerInformation, UpdateFirmware, PublishFirmware when the caller gives none
CREATE SEQUENCE cs.request_id_seq AS integer;

-- A part of a split command reached a final status: the parent learns it (cs.command_part_finished,
-- db/functions/05_commands/command_parts.sql), whichever function or sweep finished the part.
CREATE FUNCTION cs.command_part_trigger()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = cs, pg_temp
AS $$
BEGIN
    PERFORM cs.command_part_finished(NEW);
    RETURN NULL;
END;
$$;

CREATE TRIGGER command_part_finished AFTER UPDATE OF status ON cs.command
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
                       AND NEW.status NOT IN ('queued', 'sent'))
    EXECUTE FUNCTION cs.command_part_trigger();
