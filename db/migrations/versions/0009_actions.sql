-- Which actions go which way is held once, by cs.action_list (db/functions/00_core/actions.sql):
-- the per-version lists of the central system's operations go (cs.command_actions reads the new one).
DROP FUNCTION IF EXISTS cs.v16_command_actions();
DROP FUNCTION IF EXISTS cs.v201_command_actions();
DROP FUNCTION IF EXISTS cs.v21_command_actions();
DROP FUNCTION IF EXISTS cs.v15_command_actions();
