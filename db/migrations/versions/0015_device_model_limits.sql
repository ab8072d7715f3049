-- Device-model limits (issue 15): a GetVariables, SetVariables, GetReport, SetVariableMonitoring or
-- ClearVariableMonitoring longer than the station's ItemsPerMessage / BytesPerMessage is sent as parts.
-- The caller's row gets parts (how many) and is never claimed; each part row has parent_id; a trigger
-- tells the parent when a part is final (cs.command_part_finished, deployed with the functions).
ALTER TABLE cs.command
    ADD COLUMN parent_id bigint REFERENCES cs.command (id) ON DELETE CASCADE,
    ADD COLUMN parts     integer CHECK (parts > 1);

CREATE INDEX command_parent_idx ON cs.command (parent_id) WHERE parent_id IS NOT NULL;

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

-- Pending stations (B02): tolerant keeps what ocpp-cs did before
INSERT INTO cs.setting (key, value, description) VALUES
    ('station.pending_policy', '"tolerant"',
     'what a Pending station may send: tolerant (anything) or strict (B02: only BootNotification, the messages the central system triggered or whose report it requested; the rest SecurityError)')
ON CONFLICT (key) DO NOTHING;
