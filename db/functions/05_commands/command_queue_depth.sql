-- ocpp.command_queue_depth(): the size of the command queue of the whole system, for each node's
-- /metrics (ocpp_cs_command_queue_depth): {"queued": n, "sent": n}. Both counts read the partial
-- indexes on status (command_queued_idx, command_sent_station_key), not the commands' history, so the
-- cost grows with the queue, not with the table.
-- Raises nothing.
CREATE OR REPLACE FUNCTION ocpp.command_queue_depth()
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = cs, ocpp, pg_temp
AS $$
    SELECT jsonb_build_object(
        'queued', (SELECT count(*) FROM cs.command WHERE status = 'queued'),
        'sent', (SELECT count(*) FROM cs.command WHERE status = 'sent'));
$$;
